"""Emphasis peaks: stretches of speech said louder and/or higher than the speaker's local norm.

Per analysis hop we know the level (dB) and, where voiced, the pitch. Both are
compared with their median over the voiced speech around them (the local norm,
so a speaker who warms up or a second speaker does not read as emphasis),
averaged over about a second (a stressed word or phrase, not a syllable), and
divided by the clip's own spread of those deviations (an expressive speaker
needs a larger excursion than a monotone one). A peak starts where the mean
of the two scores reaches `ENTER_SCORE` and extends while it stays above
`EXIT_SCORE`, the way a listener hears a whole emphasised phrase.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOCAL_NORM_S = 20.0  # width of the window whose median is "normal" for this speaker here
NORM_STEP_S = 1.0  # the local norm is computed on this grid and interpolated
SMOOTH_S = 1.0  # deviations are averaged over this much time
MIN_VOICED_SHARE = 0.2  # a smoothed value needs this share of voiced hops under its window
# Spreads below these floors are treated as the floors, so a flat voice does not turn noise into peaks.
MIN_LEVEL_SPREAD_DB = 1.5
MIN_PITCH_SPREAD_ST = 1.0
ENTER_SCORE = 2.0  # in units of the clip's spread: about the top 1% of a talk
EXIT_SCORE = 1.0
MIN_PEAK_S = 0.3
MERGE_GAP_S = 0.3
# What "noticeably" means in absolute terms: at the peak, one of these must hold as well.
MIN_LOUDER_DB = 2.0
MIN_HIGHER_ST = 1.5


@dataclass(frozen=True)
class EmphasisPeak:
    start: float  # seconds from the first analysed sample
    end: float
    loudness_db: float  # mean level above the local speech level
    pitch_semitones: float  # mean pitch above the speaker's median pitch
    score: float  # 0-1


def find(level_db: np.ndarray, f0_hz: np.ndarray, hop_s: float) -> list[EmphasisPeak]:
    """Emphasis peaks from per-hop level and pitch (NaN where unvoiced); both arrays on the same hop."""
    n = min(len(level_db), len(f0_hz))
    level_db, f0_hz = level_db[:n].astype(np.float64), f0_hz[:n].astype(np.float64)
    voiced = np.isfinite(f0_hz)
    if voiced.sum() * hop_s < 2 * SMOOTH_S:
        return []
    semitones = np.full(n, np.nan)
    semitones[voiced] = 12.0 * np.log2(f0_hz[voiced] / np.median(f0_hz[voiced]))
    level_dev = _smooth(level_db - _local_median(level_db, voiced, hop_s), voiced, hop_s)
    pitch_dev = _smooth(semitones - _local_median(semitones, voiced, hop_s), voiced, hop_s)
    level_z = level_dev / max(_spread(level_dev), MIN_LEVEL_SPREAD_DB)
    pitch_z = pitch_dev / max(_spread(pitch_dev), MIN_PITCH_SPREAD_ST)
    score = np.nan_to_num((level_z + pitch_z) / 2.0, nan=-np.inf)
    peaks: list[EmphasisPeak] = []
    for first, last in _hysteresis_runs(score, hop_s):
        # The smoothing spreads a peak into the silence around it; it ends where the voice does.
        voiced_at = np.flatnonzero(voiced[first:last])
        if voiced_at.size == 0:
            continue
        first, last = first + int(voiced_at[0]), first + int(voiced_at[-1]) + 1
        top = first + int(np.argmax(score[first:last]))
        noticeable = level_dev[top] >= MIN_LOUDER_DB or pitch_dev[top] >= MIN_HIGHER_ST
        if (last - first) * hop_s < MIN_PEAK_S or not noticeable:
            continue
        span = slice(first, last)
        peaks.append(EmphasisPeak(
            start=round(first * hop_s, 3),
            end=round(last * hop_s, 3),
            loudness_db=round(float(np.nanmean(level_dev[span])), 2),
            pitch_semitones=round(float(np.nanmean(semitones[span])), 2),
            score=round(float(min(1.0, score[top] / (2.0 * ENTER_SCORE))), 3),
        ))
    return peaks


def _local_median(values: np.ndarray, voiced: np.ndarray, hop_s: float) -> np.ndarray:
    """Median of the voiced values within LOCAL_NORM_S around each hop (on a coarse grid, interpolated)."""
    where = np.flatnonzero(voiced)
    step = max(1, int(round(NORM_STEP_S / hop_s)))
    half = int(round(LOCAL_NORM_S / 2 / hop_s))
    grid = np.arange(0, len(values), step)
    lo = np.searchsorted(where, grid - half)
    hi = np.searchsorted(where, grid + half)
    medians = np.array([np.median(values[where[a:b]]) if b > a else np.nan for a, b in zip(lo, hi)])
    known = np.isfinite(medians)
    return np.interp(np.arange(len(values)), grid[known], medians[known])


def _smooth(values: np.ndarray, voiced: np.ndarray, hop_s: float) -> np.ndarray:
    """Moving mean over the voiced hops in a SMOOTH_S window; NaN where too few are voiced."""
    width = max(1, int(round(SMOOTH_S / hop_s)))
    kernel = np.ones(width)
    total = np.convolve(np.where(voiced, values, 0.0), kernel, mode="same")
    count = np.convolve(voiced.astype(np.float64), kernel, mode="same")
    return np.where(count >= MIN_VOICED_SHARE * width, total / np.maximum(count, 1.0), np.nan)


def _spread(values: np.ndarray) -> float:
    """Robust standard deviation (scaled median absolute deviation)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(finite - np.median(finite))))


def _hysteresis_runs(score: np.ndarray, hop_s: float) -> list[tuple[int, int]]:
    """Runs above EXIT_SCORE that reach ENTER_SCORE, merged across gaps shorter than MERGE_GAP_S."""
    above = np.concatenate([[False], score > EXIT_SCORE, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    runs = [(int(a), int(b)) for a, b in zip(edges[0::2], edges[1::2]) if score[a:b].max() >= ENTER_SCORE]
    merged: list[tuple[int, int]] = []
    for first, last in runs:
        if merged and (first - merged[-1][1]) * hop_s < MERGE_GAP_S:
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged
