"""Fundamental frequency (pitch) of speech by YIN (de Cheveigné & Kawahara, 2002), in numpy.

The difference function of every frame comes from one batched FFT
cross-correlation, so a 3-minute talk takes a fraction of a second. A frame is
voiced when its cumulative-mean-normalised difference dips below
`VOICING_THRESHOLD`; the dip is refined by parabolic interpolation.
Only frames the caller marks (speech, not dead air) are analysed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .framing import frames as cut

FMIN_HZ = 60.0  # below a low male voice
FMAX_HZ = 600.0  # above an excited high voice
WINDOW_S = 0.030  # YIN integration window: at least 1.8 periods of FMIN_HZ
VOICING_THRESHOLD = 0.15  # the YIN paper's range is 0.1-0.2; higher admits breathier speech
BATCH_FRAMES = 1024  # frames per FFT batch: about 40 MB of temporaries


@dataclass(frozen=True)
class PitchTrack:
    hop_s: float
    f0_hz: np.ndarray  # one per hop, NaN where unvoiced or not analysed; frame i is centred at i * hop_s

    def median_hz(self) -> float | None:
        voiced = self.f0_hz[np.isfinite(self.f0_hz)]
        return float(np.median(voiced)) if voiced.size else None


def track(samples: np.ndarray, rate: int, hop_s: float, analyse: np.ndarray | None = None) -> PitchTrack:
    """Pitch of every hop of `samples`; `analyse` (bool per hop) limits the work to those frames."""
    hop = int(round(hop_s * rate))
    width = int(round(WINDOW_S * rate))
    lag_min = int(np.floor(rate / FMAX_HZ))
    lag_max = int(np.ceil(rate / FMIN_HZ))
    n_frames = int(np.ceil(len(samples) / hop)) if len(samples) else 0
    f0 = np.full(n_frames, np.nan, np.float32)
    wanted = np.arange(n_frames) if analyse is None else np.flatnonzero(analyse[:n_frames])
    span = width + lag_max
    for first in range(0, wanted.size, BATCH_FRAMES):
        index = wanted[first:first + BATCH_FRAMES]
        frames = cut(samples, index * hop - span // 2, span)  # frame i centred on sample i * hop
        cmnd = _cumulative_mean_normalised_difference(frames, width, lag_max)
        lag, value = _first_dip(cmnd, lag_min)
        voiced = value < VOICING_THRESHOLD
        f0[index[voiced]] = rate / lag[voiced]
    return PitchTrack(hop_s, f0)


def _cumulative_mean_normalised_difference(frames: np.ndarray, width: int, lag_max: int) -> np.ndarray:
    """YIN steps 2-3 for a batch of frames: d'(tau) for tau in 0..lag_max."""
    n_fft = 1 << int(np.ceil(np.log2(frames.shape[1])))
    head = np.zeros_like(frames)
    head[:, :width] = frames[:, :width]
    # r(tau) = sum_j x[j] x[j + tau] over the window; no wrap-around since n_fft >= width + lag_max.
    corr = np.fft.irfft(np.conj(np.fft.rfft(head, n_fft)) * np.fft.rfft(frames, n_fft), n_fft)[:, :lag_max + 1]
    energy = np.cumsum(np.pad(frames.astype(np.float64) ** 2, ((0, 0), (1, 0))), axis=1)
    e_lag = energy[:, width:width + lag_max + 1] - energy[:, :lag_max + 1]  # sum of x[tau:tau+width]^2
    diff = np.maximum(e_lag[:, :1] + e_lag - 2.0 * corr, 0.0)
    diff[:, 0] = 0.0
    running = np.cumsum(diff[:, 1:], axis=1) / np.arange(1, lag_max + 1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] / np.maximum(running, 1e-12)
    return cmnd


def _first_dip(cmnd: np.ndarray, lag_min: int) -> tuple[np.ndarray, np.ndarray]:
    """YIN steps 4-5: the first local minimum under the threshold (else the global one), interpolated."""
    inner = cmnd[:, lag_min:-1]
    is_min = (inner <= cmnd[:, lag_min - 1:-2]) & (inner <= cmnd[:, lag_min + 1:])
    candidate = is_min & (inner < VOICING_THRESHOLD)
    first = np.where(candidate.any(axis=1), candidate.argmax(axis=1), inner.argmin(axis=1)) + lag_min
    rows = np.arange(cmnd.shape[0])
    left, centre, right = cmnd[rows, first - 1], cmnd[rows, first], cmnd[rows, first + 1]
    curvature = left - 2.0 * centre + right
    shift = np.where(curvature > 1e-9, 0.5 * (left - right) / np.maximum(curvature, 1e-9), 0.0)
    return first + np.clip(shift, -0.5, 0.5), centre
