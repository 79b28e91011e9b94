"""How a stretch of audio sounds: voicing, pitch steadiness, articulation, nasality.

A hesitation ("um", "uh", "hmm") is one held voiced sound: the vocal folds buzz at a
steady pitch and the mouth hardly moves, so the spectrum barely changes from one
10 ms frame to the next. A word, even a one-syllable one, moves through consonants,
and its spectrum changes several times faster. These measures are computed on the
audio itself, with numpy, frame by frame (40 ms frames every 10 ms).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_S = 0.040  # four periods of a 100 Hz voice, enough for autocorrelation pitch
HOP_S = 0.010
N_FFT = 1024  # >= frame + longest lag, so the autocorrelation does not wrap
F0_MIN, F0_MAX = 70.0, 400.0
VOICING_MIN = 0.5  # normalised autocorrelation peak above which a frame is voiced
ACTIVE_DB = 25.0  # frames this far below the loudest of a stretch are its silence, not its sound
BAND_HZ = 250.0  # articulation is measured on 250 Hz bands up to 4 kHz
TOP_HZ = 4000.0
NASAL_HZ = 500.0


@dataclass(frozen=True)
class Signal:
    """Mono samples and where they sit in source time."""

    samples: np.ndarray
    rate: int
    offset: float  # source time of samples[0]

    def between(self, start: float, end: float) -> np.ndarray:
        first = max(0, int(round((start - self.offset) * self.rate)))
        last = max(first, int(round((end - self.offset) * self.rate)))
        return self.samples[first:last]


@dataclass(frozen=True)
class Sound:
    voiced: float  # share of the active frames that are voiced
    pitch_hz: float  # median pitch of the voiced frames (0 if none)
    pitch_spread_st: float  # standard deviation of the pitch of voiced frames, in semitones
    flux_db: float  # median change of the band spectrum between frames: how much the mouth moves
    nasal: float  # share of the energy below NASAL_HZ: high for a hummed "mm"


def _frames(x: np.ndarray, rate: int) -> np.ndarray:
    size, hop = int(FRAME_S * rate), int(HOP_S * rate)
    count = 1 + (len(x) - size) // hop
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    return x[index].astype(np.float64) * np.hanning(size)


def measure(signal: Signal, start: float, end: float) -> Sound | None:
    """The measures of one stretch of source time; None if it is too short to judge."""
    x = signal.between(start, end)
    rate = signal.rate
    if len(x) < int((FRAME_S + 3 * HOP_S) * rate):
        return None
    frames = _frames(x, rate)
    energy_db = 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    frames = frames[energy_db > energy_db.max() - ACTIVE_DB]
    if len(frames) < 3:
        return None
    power = np.abs(np.fft.rfft(frames, N_FFT)) ** 2
    voiced, f0 = _pitch(power, frames.shape[1], rate)
    pitch = float(np.median(f0[voiced])) if voiced.any() else 0.0
    spread = float(np.std(12.0 * np.log2(f0[voiced] / pitch))) if voiced.sum() >= 3 else float("inf")
    bin_hz = rate / N_FFT
    per_band = int(round(BAND_HZ / bin_hz))
    top = per_band * int(TOP_HZ / BAND_HZ)
    bands_db = 10.0 * np.log10(np.add.reduceat(power[:, :top], np.arange(0, top, per_band), axis=1) + 1e-10)
    flux = np.mean(np.abs(np.diff(bands_db, axis=0)), axis=1)
    nasal = power[:, :int(NASAL_HZ / bin_hz)].sum(axis=1) / (power[:, :top].sum(axis=1) + 1e-12)
    return Sound(voiced=float(voiced.mean()), pitch_hz=pitch, pitch_spread_st=spread,
                 flux_db=float(np.median(flux)), nasal=float(np.median(nasal)))


def _pitch(power: np.ndarray, frame_len: int, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Voicing and pitch per frame: autocorrelation divided by the window's own (Boersma 1993)."""
    window = np.hanning(frame_len)
    window_ac = np.fft.irfft(np.abs(np.fft.rfft(window, N_FFT)) ** 2, N_FFT)
    lo, hi = int(rate / F0_MAX), int(rate / F0_MIN)
    ac = np.fft.irfft(power, N_FFT)[:, :hi + 1]
    ac = ac / (ac[:, :1] + 1e-12) / (window_ac[:hi + 1] / window_ac[0])
    lag = lo + np.argmax(ac[:, lo:hi + 1], axis=1)
    peak = ac[np.arange(len(ac)), lag]
    return peak > VOICING_MIN, rate / lag


@dataclass(frozen=True)
class Voice:
    """How the speaker usually sounds when speaking."""

    flux_db: float  # articulation
    pitch_hz: float


def speaker_voice(signal: Signal, spans: list[tuple[float, float]], budget_s: float = 30.0) -> Voice | None:
    """The speaker's usual articulation and pitch over their longest sounds, up to `budget_s` of them."""
    measured: list[tuple[Sound, float]] = []
    used = 0.0
    for start, end in sorted(spans, key=lambda s: s[0] - s[1]):
        if used >= budget_s or end - start < 1.0:
            break
        end = min(end, start + budget_s - used)  # audio with no pause at all is one span: take a part
        sound = measure(signal, start, end)
        if sound is not None and sound.pitch_hz > 0:
            measured.append((sound, end - start))
        used += end - start
    if not measured:
        return None
    weights = [length for _, length in measured]
    return Voice(flux_db=float(np.average([s.flux_db for s, _ in measured], weights=weights)),
                 pitch_hz=float(np.average([s.pitch_hz for s, _ in measured], weights=weights)))
