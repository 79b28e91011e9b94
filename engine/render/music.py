"""A music bed under the edit: looped to length, faded in and out, ducked while someone speaks."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

FADE_IN_S = 1.0
FADE_OUT_S = 2.0
BED_BELOW_SPEECH_LU = 14.0  # the bed's level under the speech where nobody speaks
DUCK_DB = -12.0  # and this much lower while someone does
WINDOW_S = 0.01  # speech is detected on windows this long
ATTACK_S = 0.04  # the bed dips this fast when speech starts...
RELEASE_S = 0.5  # ...and comes back this slowly after it ends
SPEECH_GATE_LU = 20.0  # a window is speech when it is louder than the speech level minus this


class MusicBed:
    """The bed's samples in order, (channels, n) float32, looped until `total` samples have been taken."""

    def __init__(self, path: Path, sample_rate: int, layout: str, total: int) -> None:
        self.path, self.rate, self.layout, self.total = path, sample_rate, layout, total
        self.channels = 1 if layout == "mono" else 2
        self._chunks = self._decode_looped()
        self._buffer = np.zeros((self.channels, 0), np.float32)
        self.position = 0

    def _decode_looped(self) -> Iterator[np.ndarray]:
        while True:
            produced = 0
            with av.open(str(self.path)) as container:
                resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=self.rate)
                for frame in container.decode(audio=0):
                    for out in resampler.resample(frame):
                        produced += out.samples
                        yield out.to_ndarray()
                for out in resampler.resample(None):
                    yield out.to_ndarray()
            if produced == 0:
                raise ValueError(f"{self.path}: no audio in the music bed")

    def take(self, n: int) -> np.ndarray:
        while self._buffer.shape[1] < n:
            self._buffer = np.concatenate([self._buffer, next(self._chunks)], axis=1)
        out, self._buffer = self._buffer[:, :n], self._buffer[:, n:]
        k = np.arange(self.position, self.position + n, dtype=np.float64)
        fade = np.minimum(np.clip(k / (FADE_IN_S * self.rate), 0, 1),
                          np.clip((self.total - k) / (FADE_OUT_S * self.rate), 0, 1))
        self.position += n
        return out * fade.astype(np.float32)

    def blocks(self, block: int) -> Iterator[np.ndarray]:
        for start in range(0, self.total, block):
            yield self.take(min(block, self.total - start))


class Ducker:
    """Gain for the bed from the speech itself: down by DUCK_DB while it is above the gate."""

    def __init__(self, sample_rate: int, speech_lufs: float) -> None:
        self.window = max(1, int(WINDOW_S * sample_rate))
        self.gate = 10 ** ((speech_lufs - SPEECH_GATE_LU) / 20)
        self.low = 10 ** (DUCK_DB / 20)
        self.attack = 1 - np.exp(-WINDOW_S / ATTACK_S)
        self.release = 1 - np.exp(-WINDOW_S / RELEASE_S)
        self.state = 1.0

    def gain(self, speech: np.ndarray) -> np.ndarray:
        n = speech.shape[1]
        windows = -(-n // self.window)
        padded = np.zeros(windows * self.window, np.float32)
        padded[:n] = speech.mean(axis=0)
        rms = np.sqrt((padded.reshape(windows, self.window) ** 2).mean(axis=1))
        targets = np.where(rms > self.gate, self.low, 1.0)
        levels = np.empty(windows)
        state = previous = self.state
        for i, target in enumerate(targets):  # one step a window: 100 a second, cheap in Python
            state += (target - state) * (self.attack if target < state else self.release)
            levels[i] = state
        self.state = state
        # Ramp between window values so the gain itself never steps.
        starts = np.concatenate([[previous], levels[:-1]])
        ramp = (np.arange(self.window) + 0.5) / self.window
        gain = (starts[:, None] + (levels - starts)[:, None] * ramp[None, :]).reshape(-1)[:n]
        return gain.astype(np.float32)
