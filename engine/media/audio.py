"""Decode a file's audio with PyAV: its own frames, or mono float32 at a chosen rate, chunk by chunk."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import av
import numpy as np

from ..errors import InputError


def iter_frames(path: Path) -> Iterator[av.AudioFrame]:
    """Yield the decoded frames of the first audio stream, at its own rate, layout and sample format."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise InputError("no audio stream", path)
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        try:
            yield from container.decode(stream)
        except av.error.FFmpegError as exc:
            raise InputError(f"audio stream stops decoding ({str(exc).strip()})", path) from None


def to_mono(frames: Iterable[av.AudioFrame], rate: int = 16000) -> Iterator[np.ndarray]:
    """Downmix and resample decoded frames to consecutive float32 chunks at `rate`."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
    for frame in frames:
        for out in resampler.resample(frame):
            yield _samples(out)
    for out in resampler.resample(None):
        yield _samples(out)


def _samples(frame: av.AudioFrame) -> np.ndarray:
    """A packed mono float frame's samples (a copy); a tenth of the cost of to_ndarray on small frames."""
    return np.frombuffer(frame.planes[0], dtype=np.float32, count=frame.samples).copy()


def iter_mono(path: Path, rate: int = 16000) -> Iterator[np.ndarray]:
    """Yield consecutive float32 chunks of the first audio stream, downmixed and resampled."""
    return to_mono(iter_frames(path), rate)


def read_mono(path: Path, rate: int = 16000) -> np.ndarray:
    """The whole audio track at `rate` (16 kHz mono is 3.8 MB a minute, fine to hold)."""
    return collect(iter_mono(path, rate))


def collect(chunks: Iterable[np.ndarray], expected: int = 0) -> np.ndarray:
    """Consecutive chunks as one array, filled in place: a list of chunks then a concatenation would
    need twice the memory at the end. `expected` (samples) sizes the first allocation; without it the
    buffer doubles as it fills, and the result is copied out when much of the buffer went unused."""
    out = np.empty(max(expected, 1 << 16), np.float32)
    used = 0
    for chunk in chunks:
        if used + chunk.size > out.size:
            grown = np.empty(max(2 * out.size, used + chunk.size), np.float32)
            grown[:used] = out[:used]
            out = grown
        out[used:used + chunk.size] = chunk
        used += chunk.size
    return out[:used] if out.size - used <= used // 8 else out[:used].copy()


def hop_energy_db(chunks: Iterator[np.ndarray], hop: int) -> np.ndarray:
    """RMS level in dBFS of consecutive windows of `hop` samples, computed while streaming."""
    levels: list[np.ndarray] = []
    carry = np.zeros(0, np.float32)
    for chunk in chunks:
        buf = np.concatenate([carry, chunk]) if carry.size else chunk
        n = len(buf) // hop
        if n:
            block = buf[: n * hop].reshape(n, hop).astype(np.float64)
            levels.append(np.mean(block * block, axis=1))
        carry = buf[n * hop:]
    if carry.size:
        levels.append(np.array([np.mean(carry.astype(np.float64) ** 2)]))
    power = np.concatenate(levels) if levels else np.zeros(0)
    return 10.0 * np.log10(power + 1e-12)
