"""Render `timeline.json` to `edited.mp4`: the audio and video passes side by side, then one mux.

The audio passes (engine.render.mix) run on a thread of their own while the video
pass runs, since FFmpeg's codecs and filters release Python's lock; both write
temporary files that the last step muxes, interleaved and faststart.
Fast mode renders "smart" when the source allows it (see engine.render.smart):
untouched GOPs are copied and only the frames around cuts and effects re-encoded.
Otherwise every frame is encoded, plain ones without entering numpy.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..context import MediaInfo
from ..errors import InputError, ProjectError
from ..fsutil import atomic_path, temp_path_for
from ..options import JobOptions
from ..timeline import Timeline, resolve_media_path
from .cards import movis_scratch
from .encoders import choose_encoder
from .frames import FrameMaker
from .interleave import mux_streams
from .loudness import Loudness
from .mix import AudioJob, render_audio
from .overlays import plan_overlays
from .plan import Step, build_steps
from .settings import SMART_QUALITIES, EncodeSettings, render_size, settings_for
from .smart import SmartSource, render_smart, smart_source
from .video import render_video

log = logging.getLogger(__name__)

OUTPUT_FILE = "edited.mp4"
MUX_SHARE = 0.03  # of the render's progress bar; the video pass has the rest (the audio runs beside it)
WORK_DIR = ".work"


@dataclass(frozen=True)
class RenderResult:
    path: Path
    frames: int
    audio_samples: int
    settings: EncodeSettings
    encoder: str
    smart: bool = False
    copied_frames: int = 0  # smart mode: frames whose packets were copied, not re-encoded
    composited_frames: int = 0
    loudness: Loudness | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return float(self.frames / self.settings.rate)


def render_timeline(
    timeline: Timeline,
    media: MediaInfo,
    project: Path,
    options: JobOptions,
    progress: Callable[[float], None] = lambda f: None,
) -> RenderResult:
    video_track, audio_track = timeline.track("video"), timeline.track("audio")
    if media.video is None or video_track is None or not video_track.clips:
        raise ProjectError("the timeline has no video to render", project / "timeline.json")
    if len({c.media for c in video_track.clips + (audio_track.clips if audio_track else [])}) > 1:
        raise ProjectError("the renderer reads one source file; this timeline's clips come from several",
                           project / "timeline.json")
    source = resolve_media_path(timeline.media_by_id(video_track.clips[0].media), project)
    music = _music_path(options.music_bed)
    # The plan fixes the output size; a timeline without one (written by hand or another tool) gets the size
    # the plan would have chosen, so that fast mode still copies an H.264 source's GOPs at its own size.
    size = ((timeline.output_width, timeline.output_height) if timeline.output_width and timeline.output_height
            else render_size(media, options.quality))
    settings = settings_for(options.quality, *size, timeline.rate)
    smart = smart_source(media, source) if options.quality in SMART_QUALITIES else None
    if smart is not None and (settings.width, settings.height) != (media.video.width, media.video.height):
        smart = None  # copied GOPs keep the source size: only a same-size edit can copy them
    overlays = plan_overlays(timeline, project, settings.width, settings.height, options.captions == "burn")
    warnings = list(overlays.warnings)
    for warning in warnings:
        log.warning("%s", warning)
    steps = build_steps(timeline, overlays.spans)
    final = project / OUTPUT_FILE
    audio_tmp = temp_path_for(project / "edited-audio.m4a")
    video_tmp = temp_path_for(project / "edited-video.mp4")
    audio_job = None
    if media.audio is not None and audio_track is not None and audio_track.clips:
        audio_job = AudioJob(source, media.audio_offset_s, media.audio.channels, audio_track, timeline.rate,
                             len(steps), options.loudness_lufs, music)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audio") as pool:
            pending_audio = pool.submit(render_audio, audio_job, settings, audio_tmp) if audio_job else None
            with movis_scratch(project / WORK_DIR):
                maker = FrameMaker(source, media.video.start_s, timeline.rate, settings.width, settings.height,
                                   overlays.specs, media.video.rotation)
                try:
                    encoder, copied = _render_frames(steps, maker, smart, options, settings, video_tmp, warnings,
                                                     lambda f: progress((1 - MUX_SHARE) * f))
                finally:
                    maker.close()
            audio = pending_audio.result() if pending_audio else None
        with atomic_path(final) as tmp:
            mux_streams(video_tmp, audio_tmp if audio else None, tmp)
        progress(1.0)
    finally:
        for path in (audio_tmp, video_tmp):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    result = RenderResult(final, len(steps), audio.samples if audio else 0, settings, encoder, smart is not None,
                          copied, maker.composited, audio.loudness if audio else None, warnings)
    log.info("rendered %s: %d frames (%d composited%s), %dx%d, %s, %s", final.name, result.frames,
             result.composited_frames, f", {copied} copied" if smart is not None else "", settings.width,
             settings.height, settings.rate, encoder)
    return result


def _render_frames(steps: list[Step], maker: FrameMaker, smart: SmartSource | None, options: JobOptions,
                   settings: EncodeSettings, out_path: Path, warnings: list[str],
                   progress: Callable[[float], None]) -> tuple[str, int]:
    """The video pass, smart or not; returns the encoder's name and the frames copied."""
    if smart is not None:
        counts = render_smart(steps, smart, maker, settings, out_path, progress)
        return "libx264 (smart copy)", counts.copied
    chosen = choose_encoder(options.encoder, settings.x264_preset, settings.crf, settings.width, settings.height)
    if options.encoder == "nvenc" and not chosen.hardware:
        warnings.append("NVENC was asked for but does not open on this machine: encoded with x264")
    render_video(steps, maker, chosen, settings, out_path, progress)
    return chosen.codec, 0


def _music_path(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise InputError("music bed not found", path)
    return path
