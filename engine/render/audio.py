"""Cut the audio of a render with sample precision, fade each cut, and encode it to AAC.

Audio is cheap next to video (decoding runs at hundreds of times realtime), so it
is cut in its own pass into a temporary AAC file that the video pass then
interleaves. Each kept part gets exactly the samples of its video frames, so
audio and video stay in sync however many cuts there are.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .settings import AUDIO_FADE_S, EncodeSettings

log = logging.getLogger(__name__)

SEEK_AHEAD_S = 5.0  # a gap longer than this is skipped by seeking instead of decoding through it
ENCODER_FRAME = 1024


class AudioReader:
    """Random access to the resampled audio by sample index of source time (zero = first video frame)."""

    def __init__(self, container: av.container.InputContainer, sample_rate: int, layout: str, offset_s: float):
        self.container = container
        self.stream = container.streams.audio[0]
        self.stream.thread_type = "AUTO"
        self.rate = sample_rate
        self.layout = layout
        self.channels = 1 if layout == "mono" else 2
        self.offset_s = offset_s  # where the audio stream starts, in source time
        self._restart(0)

    def _restart(self, sample: int) -> None:
        target_s = max(0.0, sample / self.rate - 1.0)
        if target_s > 0:
            self.container.seek(int((target_s + self.offset_s) / self.stream.time_base), stream=self.stream)
        else:
            self.container.seek(0)
        self._frames = self._decode()
        self._buf = np.zeros((self.channels, 0), np.float32)
        self._buf_start = None  # sample index of _buf[:, 0]
        self._ended = False

    def _decode(self):
        resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=self.rate)
        for frame in self.container.decode(self.stream):
            if frame.pts is None:
                continue
            start = round((float(frame.pts * frame.time_base) - self.offset_s) * self.rate)
            for out in resampler.resample(frame):
                data = out.to_ndarray()
                yield start, data
                start += data.shape[1]
        for out in resampler.resample(None):
            yield None, out.to_ndarray()

    def _fill_until(self, end: int) -> None:
        while not self._ended and (self._buf_start is None or self._buf_start + self._buf.shape[1] < end):
            try:
                start, data = next(self._frames)
            except StopIteration:
                self._ended = True
                return
            if self._buf_start is None:
                self._buf_start = start if start is not None else 0
            elif start is not None:
                # Decoder timestamps may jump (gaps in the recording): keep positions true by padding or dropping.
                expected = self._buf_start + self._buf.shape[1]
                if start > expected:
                    data = np.concatenate([np.zeros((self.channels, start - expected), np.float32), data], axis=1)
                elif start < expected:
                    data = data[:, expected - start:]
            self._buf = np.concatenate([self._buf, data], axis=1) if self._buf.size else data

    def take(self, start: int, end: int) -> np.ndarray:
        """Samples [start, end) as (channels, n) float32, zero-padded where the source has no audio."""
        buffered_end = (self._buf_start or 0) + self._buf.shape[1]
        if self._buf_start is not None and (start < self._buf_start or start > buffered_end + SEEK_AHEAD_S * self.rate):
            self._restart(start)
        self._fill_until(end)
        out = np.zeros((self.channels, end - start), np.float32)
        if self._buf_start is not None:
            lo, hi = max(start, self._buf_start), min(end, self._buf_start + self._buf.shape[1])
            if hi > lo:
                out[:, lo - start:hi - start] = self._buf[:, lo - self._buf_start:hi - self._buf_start]
            # Keep only what later parts may still need.
            drop = max(0, end - self._buf_start)
            self._buf = self._buf[:, drop:]
            self._buf_start += drop
        return out


def fade_gain(n: int, fade: int, fade_in: bool, fade_out: bool) -> np.ndarray | None:
    if n == 0 or not (fade_in or fade_out):
        return None
    gain = np.ones(n, np.float32)
    ramp_len = min(fade, n // 2)
    # A raised-cosine ramp: no corner at either end, so the fade itself adds no click.
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp_len, dtype=np.float32))) if ramp_len else None
    if ramp is not None and fade_in:
        gain[:ramp_len] = ramp
    if ramp is not None and fade_out:
        gain[n - ramp_len:] = ramp[::-1]
    return gain


def cut_audio(
    source: Path,
    offset_s: float,
    source_layout_channels: int,
    ranges: list[tuple[int, int]],
    rate: Fraction,
    settings: EncodeSettings,
    out_path: Path,
    progress: Callable[[float], None] | None = None,
) -> int:
    """Write the kept frame ranges' audio to `out_path` (AAC in MP4); return the samples written."""
    sr = settings.sample_rate
    layout = "mono" if source_layout_channels == 1 else "stereo"
    sample_ranges = [(round(a * sr / rate), round(b * sr / rate)) for a, b in ranges]
    fade = int(AUDIO_FADE_S * sr)
    total = sum(b - a for a, b in sample_ranges)
    written = 0
    with av.open(str(source)) as inp, av.open(str(out_path), "w", format="mp4") as out:
        reader = AudioReader(inp, sr, layout, offset_s)
        stream = out.add_stream("aac", rate=sr)
        stream.layout = layout
        stream.bit_rate = settings.audio_bitrate
        fifo = av.AudioFifo()
        for index, (a, b) in enumerate(sample_ranges):
            samples = reader.take(a, b)
            cut_before = index > 0 and sample_ranges[index - 1][1] != a or index == 0 and a > 0
            cut_after = index + 1 < len(sample_ranges) and sample_ranges[index + 1][0] != b
            gain = fade_gain(b - a, fade, cut_before, cut_after)
            if gain is not None:
                samples = samples * gain
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout=layout)
            frame.sample_rate = sr
            frame.pts = written
            frame.time_base = Fraction(1, sr)
            fifo.write(frame)
            written += b - a
            _drain(fifo, stream, out, ENCODER_FRAME)
            if progress:
                progress(written / max(1, total))
        _drain(fifo, stream, out, 1)
        for packet in stream.encode(None):
            out.mux(packet)
    return written


def _drain(fifo: av.AudioFifo, stream, out, minimum: int) -> None:
    while fifo.samples >= minimum:
        frame = fifo.read(min(ENCODER_FRAME, fifo.samples))
        for packet in stream.encode(frame):
            out.mux(packet)
