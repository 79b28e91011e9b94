"""Probe a media file with PyAV: streams, exact rates, duration, keyframes, rotation."""
from __future__ import annotations

import logging
import os
from fractions import Fraction
from pathlib import Path

import av

from ..context import AudioInfo, MediaInfo, VideoInfo
from ..errors import InputError
from .hashing import content_hash

log = logging.getLogger(__name__)


def check_readable(path: Path) -> None:
    """Fail with a one-line reason when `path` cannot be an input at all."""
    if not path.exists():
        raise InputError("file not found", path)
    if not path.is_file():
        raise InputError("not a file", path)
    if not os.access(path, os.R_OK):
        raise InputError("file is not readable (permission denied)", path)
    if path.stat().st_size == 0:
        raise InputError("file is empty", path)


def open_media(path: Path) -> av.container.InputContainer:
    check_readable(path)
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"not a readable media file ({reason.strip().rstrip('.').lower()})", path) from None


def probe(path: Path) -> MediaInfo:
    """Read the streams' facts; decode one frame of each stream to prove they decode."""
    path = path.resolve()
    with open_media(path) as container:
        vstream = next((s for s in container.streams.video if not _is_cover_art(s)), None)
        astream = container.streams.audio[0] if container.streams.audio else None
        if vstream is None and astream is None:
            raise InputError("no audio or video stream in the file", path)
        video = _video_info(container, vstream, path) if vstream is not None else None
        audio = _audio_info(container, astream, path) if astream is not None else None
        duration = _duration(container, vstream, astream)
        if duration <= 0:
            raise InputError("media has zero duration", path)
        if video is not None and video.frame_count <= 0:
            video.frame_count = max(1, round(duration * video.rate))
        return MediaInfo(
            path=str(path),
            size_bytes=path.stat().st_size,
            content_hash=content_hash(path),
            format_name=container.format.name,
            duration_s=duration,
            video=video,
            audio=audio,
        )


def _is_cover_art(stream: av.video.stream.VideoStream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _duration(container: av.container.InputContainer, vstream, astream) -> float:
    candidates = []
    for stream in (vstream, astream):
        if stream is not None and stream.duration is not None and stream.time_base is not None:
            candidates.append(float(stream.duration * stream.time_base))
    if candidates:
        return max(candidates)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def _first_frame(container: av.container.InputContainer, stream, path: Path):
    try:
        for frame in container.decode(stream):
            return frame
    except av.error.FFmpegError as exc:
        raise InputError(f"{stream.type} stream does not decode ({str(exc).strip()})", path) from None
    raise InputError(f"{stream.type} stream holds no frames", path)


STANDARD_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                  Fraction(50), Fraction(60000, 1001), Fraction(60)]


def _video_info(container, stream, path: Path) -> VideoInfo:
    frame = _first_frame(container, stream, path)
    container.seek(0)
    entries = list(stream.index_entries or [])
    keyframe_interval = variable = None
    if entries:
        stamps = sorted(e.timestamp for e in entries)
        deltas = {b - a for a, b in zip(stamps, stamps[1:])}
        # A constant-rate stream has one frame duration (two when rounding of the time base alternates).
        variable = len(deltas) > 2
        keys = [e.timestamp for e in entries if e.is_keyframe]
        if len(keys) > 1:
            keyframe_interval = float((keys[-1] - keys[0]) * stream.time_base / (len(keys) - 1))
    rate = _timeline_rate(stream, bool(variable))
    if not rate or rate <= 0:
        raise InputError("video stream has no frame rate", path)
    frame_count = stream.frames or len(entries)
    if variable:  # frames are placed on the nominal grid when rendered: count grid slots, not frames
        duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
        frame_count = max(1, round(duration * rate)) if duration else frame_count
    return VideoInfo(
        width=stream.codec_context.width,
        height=stream.codec_context.height,
        rate=rate,
        time_base=Fraction(stream.time_base),
        frame_count=frame_count,
        codec=stream.codec_context.name,
        pix_fmt=stream.codec_context.pix_fmt or "unknown",
        rotation=int(getattr(frame, "rotation", 0) or 0),
        variable_rate=bool(variable),
        keyframe_interval_s=keyframe_interval,
        start_s=_start(stream),
    )


def _timeline_rate(stream, variable: bool) -> Fraction | None:
    """The frame grid the edit uses: a constant-rate stream's exact rate. A variable-rate recording
    (phones, screen capture) is conformed to its nominal rate (the container's real frame rate), snapped
    to a broadcast rate when within 0.5%, so every editor and export format can take it; its average
    rate would be an odd number like 21.3."""
    average = stream.average_rate or stream.guessed_rate or stream.base_rate
    rate = Fraction(average) if average else None
    if variable:
        nominal = stream.base_rate or stream.guessed_rate
        rate = Fraction(nominal) if nominal and 0 < nominal <= 240 else rate
        if rate:
            closest = min(STANDARD_RATES, key=lambda r: abs(r - rate))
            if abs(closest - rate) / rate < 0.005:
                rate = closest
    return rate


def _audio_info(container, stream, path: Path) -> AudioInfo:
    _first_frame(container, stream, path)
    container.seek(0)
    return AudioInfo(sample_rate=stream.rate, channels=stream.channels, codec=stream.codec_context.name,
                     start_s=_start(stream))


def _start(stream) -> float:
    return float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
