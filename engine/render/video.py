"""The video pass: decode the kept frames with PyAV, encode them with x264, interleave the audio.

Frames pass from FFmpeg's decoder to FFmpeg's encoder as opaque objects: no pixel
ever enters numpy unless an effect needs it, so this runs at the speed of the
ffmpeg command line. Each output frame is chosen by timestamp ("the latest frame
at or before this slot"), which is exact for constant-rate footage and conforms
variable-rate footage to the timeline's rate.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av

from .settings import EncodeSettings

log = logging.getLogger(__name__)

SEEK_AHEAD_S = 3.0  # skip a gap longer than this by seeking rather than decoding through it
PROGRESS_EVERY = 15


@dataclass
class _Decoded:
    index: int
    frame: av.VideoFrame


class FrameSource:
    """Frames of the source's video stream addressed by frame slot at the timeline rate."""

    def __init__(self, container: av.container.InputContainer, settings: EncodeSettings, start_s: float):
        self.container = container
        self.stream = container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self.rate = settings.rate
        self.start_s = start_s
        self.seek_frames = int(SEEK_AHEAD_S * self.rate)
        self._restart(0)

    def _restart(self, slot: int) -> None:
        if slot > 0:
            target = self.start_s + float(slot / self.rate) - 0.5
            self.container.seek(max(0, int(target / self.stream.time_base)), stream=self.stream)
        else:
            self.container.seek(0)
        self._decoder = self._decode()
        self.prev: _Decoded | None = None
        self.ahead: _Decoded | None = next(self._decoder, None)

    def _decode(self) -> Iterator[_Decoded]:
        for frame in self.container.decode(self.stream):
            if frame.pts is None:
                continue
            yield _Decoded(round((frame.time - self.start_s) * self.rate), frame)

    def frames(self, first: int, last: int) -> Iterator[av.VideoFrame]:
        """One frame for each slot in [first, last)."""
        position = self.prev.index if self.prev else (self.ahead.index if self.ahead else 0)
        if first < position or first > position + self.seek_frames:
            self._restart(first)
        for slot in range(first, last):
            while self.ahead is not None and self.ahead.index <= slot:
                self.prev, self.ahead = self.ahead, next(self._decoder, None)
            chosen = self.prev or self.ahead  # before the first frame, hold the first one
            if chosen is None:
                raise RuntimeError("video stream has no frames")
            yield chosen.frame


def render_video(
    source: Path,
    start_s: float,
    ranges: list[tuple[int, int]],
    settings: EncodeSettings,
    audio_path: Path | None,
    out_path: Path,
    progress: Callable[[float], None] | None = None,
) -> int:
    """Encode the kept frame ranges to `out_path` (MP4, faststart) with the audio interleaved."""
    total = sum(b - a for a, b in ranges)
    written = 0
    with av.open(str(source)) as inp, av.open(
        str(out_path), "w", format="mp4", options={"movflags": "+faststart"}
    ) as out:
        frames = FrameSource(inp, settings, start_s)
        vout = out.add_stream("libx264", rate=settings.rate)
        vout.width, vout.height, vout.pix_fmt = settings.width, settings.height, "yuv420p"
        vout.codec_context.time_base = settings.time_base
        vout.options = {"preset": settings.x264_preset, "crf": str(settings.crf)}
        # PyAV defaults to slice threads, which x264 runs far less efficiently than frame threads
        # (measured: 48 against 60+ frames/s at 1080p on 2 cores).
        vout.thread_type = "FRAME"
        audio = _AudioInterleaver(audio_path, out) if audio_path else None
        for first, last in ranges:
            for frame in frames.frames(first, last):
                encoded = _conform(frame, settings)
                encoded.pts = written
                encoded.time_base = settings.time_base
                for packet in vout.encode(encoded):
                    if audio:
                        audio.mux_until(float(packet.dts * packet.time_base))
                    out.mux(packet)
                written += 1
                if progress and written % PROGRESS_EVERY == 0:
                    progress(written / total)
        for packet in vout.encode(None):
            if audio:
                audio.mux_until(float(packet.dts * packet.time_base))
            out.mux(packet)
        if audio:
            audio.mux_until(float("inf"))
            audio.close()
    if progress:
        progress(1.0)
    return written


def _conform(frame: av.VideoFrame, settings: EncodeSettings) -> av.VideoFrame:
    """The frame at the output size and pixel format (the frame itself when it already is)."""
    if frame.width != settings.width or frame.height != settings.height or frame.format.name != "yuv420p":
        frame = frame.reformat(width=settings.width, height=settings.height, format="yuv420p",
                               interpolation="BICUBIC")
    # Clear the decoder's picture type, or x264 would force a keyframe wherever the source had one.
    frame.pict_type = av.video.frame.PictureType.NONE
    return frame


class _AudioInterleaver:
    """Feeds already-encoded audio packets into the output in time order with the video."""

    def __init__(self, path: Path, out: av.container.OutputContainer):
        self.container = av.open(str(path))
        source = self.container.streams.audio[0]
        self.stream = out.add_stream_from_template(source)
        self.out = out
        self.packets = (p for p in self.container.demux(source) if p.dts is not None)
        self.pending = next(self.packets, None)

    def mux_until(self, seconds: float) -> None:
        while self.pending is not None and float(self.pending.dts * self.pending.time_base) <= seconds:
            self.pending.stream = self.stream
            self.out.mux(self.pending)
            self.pending = next(self.packets, None)

    def close(self) -> None:
        self.container.close()
