"""Render `timeline.json` to `edited.mp4`: audio pass, then video pass with the audio interleaved."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..context import MediaInfo
from ..errors import ProjectError
from ..fsutil import atomic_path, temp_path_for
from ..timeline import Timeline, resolve_media_path
from .audio import cut_audio
from .settings import EncodeSettings, settings_for
from .video import render_video

log = logging.getLogger(__name__)

OUTPUT_FILE = "edited.mp4"
AUDIO_SHARE = 0.1  # of the render's progress bar


@dataclass(frozen=True)
class RenderResult:
    path: Path
    frames: int
    audio_samples: int
    settings: EncodeSettings

    @property
    def duration_s(self) -> float:
        return float(self.frames / self.settings.rate)


def render_timeline(
    timeline: Timeline,
    media: MediaInfo,
    project: Path,
    quality: str,
    progress: Callable[[float], None] = lambda f: None,
) -> RenderResult:
    video_track, audio_track = timeline.track("video"), timeline.track("audio")
    if media.video is None or video_track is None or not video_track.clips:
        raise ProjectError("the timeline has no video to render", project / "timeline.json")
    source = resolve_media_path(timeline.media_by_id(video_track.clips[0].media), project)
    settings = settings_for(quality, media.video.width, media.video.height, timeline.rate)
    video_ranges = [(c.source_in, c.source_out) for c in sorted(video_track.clips, key=lambda c: c.start)]
    final = project / OUTPUT_FILE
    audio_tmp = temp_path_for(project / "edited-audio.m4a")
    samples = 0
    try:
        if media.audio is not None and audio_track is not None and audio_track.clips:
            audio_ranges = [(c.source_in, c.source_out) for c in sorted(audio_track.clips, key=lambda c: c.start)]
            samples = cut_audio(
                source, media.audio_offset_s, media.audio.channels, audio_ranges,
                timeline.rate, settings, audio_tmp, lambda f: progress(AUDIO_SHARE * f))
        with atomic_path(final) as tmp:
            frames = render_video(
                source, media.video.start_s, video_ranges, settings, audio_tmp if samples else None, tmp,
                lambda f: progress(AUDIO_SHARE + (1 - AUDIO_SHARE) * f))
    finally:
        with contextlib.suppress(FileNotFoundError):
            audio_tmp.unlink()
    log.info("rendered %s: %d frames, %dx%d, %s preset %s crf %d", final.name, frames, settings.width,
             settings.height, settings.rate, settings.x264_preset, settings.crf)
    return RenderResult(final, frames, samples, settings)
