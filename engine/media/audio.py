"""Stream a file's audio as mono float32 at a chosen rate, chunk by chunk, with PyAV."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from ..errors import InputError


def iter_mono(path: Path, rate: int = 16000) -> Iterator[np.ndarray]:
    """Yield consecutive float32 chunks of the first audio stream, downmixed and resampled."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise InputError("no audio stream", path)
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    yield out.to_ndarray()[0]
        except av.error.FFmpegError as exc:
            raise InputError(f"audio stream stops decoding ({str(exc).strip()})", path) from None
        for out in resampler.resample(None):
            yield out.to_ndarray()[0]


def read_mono(path: Path, rate: int = 16000) -> np.ndarray:
    """The whole audio track at `rate` (16 kHz mono is 3.8 MB a minute, fine to hold)."""
    chunks = list(iter_mono(path, rate))
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


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
