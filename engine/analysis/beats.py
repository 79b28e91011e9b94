"""Tempo, beats and downbeats from onset envelopes, in numpy.

- Tempo: autocorrelation of the onset envelope, weighted by a log-normal
  prior around 120 BPM (so a groove's half-beat hi-hats do not double it).
- Beats: dynamic programming in the manner of Ellis (2007), "Beat tracking by
  dynamic programming": the best chain of strong onsets about one period
  apart. The envelope it follows is the broadband flux plus the bass flux, so
  the bass drum, not the off-beat hi-hat, sets the phase.
- Downbeats: the bar length (3 or 4; 4 without clear evidence) at which
  beats resemble each other most (accents and timbre repeat bar by bar),
  then the phase whose beats stand out most. Cues, strongest first: harmonic
  change (the coarse spectrum of the bar before a downbeat differs from the
  bar after it, as chords change on the bar line), a bass onset (kick, bass
  note), and a loud onset of any kind, which counts least because in most
  popular music the loudest hit is the snare's backbeat on 2 and 4. A click
  track's accented downbeat is found by the last two; chord changes need no
  accent at all.
- Confidence that this is music with a pulse (low for speech): how strongly
  the envelope repeats at the beat period, throughout the clip. Beats are
  kept only where it repeats clearly nearby: the chain runs on through speech
  and silence, where its "beats" would be guesses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .onsets import LATENCY_S, Onsets

MIN_BPM, MAX_BPM = 50.0, 220.0
PRIOR_BPM = 120.0  # centre of the tempo prior; its width is PRIOR_OCTAVES (one standard deviation)
PRIOR_OCTAVES = 1.0
TIGHTNESS = 100.0  # how strongly the beat chain keeps to the period (Ellis's alpha)
MIN_BEATS = 4  # fewer than this after trimming is no pulse
SNAP_FRAMES = 2  # a beat may sit this many hops off the DP frame, at the envelope's local peak
# Triple time needs beats three apart to be alike (cosine similarity) and more alike than beats four apart.
TRIPLE_MIN_SIMILARITY = 0.3
TRIPLE_MARGIN = 0.1
# Weights of the downbeat cues (see the module docstring). Accents are fractions above the mean beat's
# strength, harmonic change is in bels (10 dB) of the coarse spectrum: a chord change moves several bands
# by a few dB, and a click or a drum loop without chords by almost nothing.
CHANGE_WEIGHT, BASS_WEIGHT, ONSET_WEIGHT = 1.0, 1.0, 0.3
PERIODICITY_WINDOW_S = 8.0  # periodicity is measured in windows this long, overlapping by half
# The clip's median periodicity maps from this range to a confidence of 0-1. Measured: talks 0.01-0.09
# (espeak speech, 90th percentile of windows), synthetic songs and click tracks 0.24-0.93.
CONFIDENCE_SPAN = (0.08, 0.35)
LOCAL_PULSE_MIN = 0.15  # a beat is kept where a window around it is at least this periodic


@dataclass(frozen=True)
class Pulse:
    tempo_bpm: float
    beats: np.ndarray  # seconds
    downbeats: np.ndarray
    beats_per_bar: int
    confidence: float


def analyse(onsets: Onsets) -> Pulse:
    hop_s = onsets.hop_s
    envelope = _beat_envelope(onsets)
    if envelope.size < MIN_BEATS * int(60.0 / MIN_BPM / hop_s) or not envelope.any():
        return Pulse(0.0, np.zeros(0), np.zeros(0), 4, 0.0)
    period = _tempo_period(envelope, hop_s)
    starts, periodicity = _periodicity(envelope, period, hop_s)
    low, high = CONFIDENCE_SPAN
    confidence = float(np.clip((np.median(periodicity) - low) / (high - low), 0.0, 1.0)) if periodicity.size else 0.0
    frames = _trim(_track(envelope, period), envelope)
    if frames.size < MIN_BEATS:  # a few isolated hits (a steady tone's start and end): no pulse to speak of
        return Pulse(60.0 / (period * hop_s), np.zeros(0), np.zeros(0), 4, confidence)
    meter, phase = _meter_and_phase(frames, onsets)
    beats = _refine(frames, envelope) * hop_s + LATENCY_S
    downbeat = np.arange(frames.size) % meter == phase
    pulsed = _local_periodicity(frames, starts, periodicity, int(PERIODICITY_WINDOW_S / hop_s)) >= LOCAL_PULSE_MIN
    kept = beats[pulsed]
    return Pulse(
        tempo_bpm=60.0 / float(np.median(np.diff(kept))) if kept.size > 1 else 60.0 / (period * hop_s),
        beats=kept,
        downbeats=beats[pulsed & downbeat],
        beats_per_bar=meter,
        confidence=confidence,
    )


def _beat_envelope(onsets: Onsets) -> np.ndarray:
    """Broadband plus bass flux, scaled to unit standard deviation."""
    envelope = onsets.full.astype(np.float64) + onsets.bass
    scale = envelope.std()
    return envelope / scale if scale > 0 else envelope


def _autocorrelation(values: np.ndarray, max_lag: int) -> np.ndarray:
    centred = values - values.mean()
    n_fft = 1 << int(np.ceil(np.log2(2 * len(centred))))
    spectrum = np.fft.rfft(centred, n_fft)
    return np.fft.irfft(spectrum * np.conj(spectrum), n_fft)[: max_lag + 1]


def _tempo_period(envelope: np.ndarray, hop_s: float) -> float:
    """The beat period in hops (fractional): the prior-weighted autocorrelation peak."""
    lag_min = int(np.floor(60.0 / MAX_BPM / hop_s))
    lag_max = int(np.ceil(60.0 / MIN_BPM / hop_s))
    acf = _autocorrelation(envelope, lag_max + 1)
    lags = np.arange(lag_min, lag_max + 1)
    bpm = 60.0 / (lags * hop_s)
    prior = np.exp(-0.5 * (np.log2(bpm / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    best = lags[np.argmax(np.maximum(acf[lags], 0.0) * prior)]
    left, centre, right = acf[best - 1], acf[best], acf[best + 1]
    curvature = left - 2.0 * centre + right
    shift = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
    return float(best + np.clip(shift, -0.5, 0.5))


def _track(envelope: np.ndarray, period: float) -> np.ndarray:
    """Ellis's dynamic programme; returns beat frames in order."""
    n = envelope.size
    offsets = np.arange(-int(round(2 * period)), -int(round(period / 2)) + 1)  # where the previous beat may be
    penalty = -TIGHTNESS * np.log(-offsets / period) ** 2
    # A block of frames shorter than the nearest allowed predecessor depends only on frames before it.
    block = max(1, -int(offsets[-1]))
    cumulative = envelope.copy()
    backlink = np.full(n, -1)
    start = int(-offsets[-1])
    for first in range(start, n, block):
        frames = np.arange(first, min(n, first + block))
        previous = frames[:, None] + offsets[None, :]
        valid = previous >= 0
        candidates = np.where(valid, cumulative[np.maximum(previous, 0)] + penalty, -np.inf)
        best = np.argmax(candidates, axis=1)
        gain = candidates[np.arange(frames.size), best]
        chained = gain > 0  # a chain that only loses is not worth continuing: start afresh here
        cumulative[frames] = envelope[frames] + np.where(chained, gain, 0.0)
        backlink[frames] = np.where(chained, previous[np.arange(frames.size), best], -1)
    # The chain ends at the best frame of the last two periods; weak beats it ran on with are trimmed later.
    tail = max(0, n - int(round(2 * period)))
    last = tail + int(np.argmax(cumulative[tail:]))
    beats = [last]
    while backlink[beats[-1]] >= 0:
        beats.append(int(backlink[beats[-1]]))
    return np.array(beats[::-1], dtype=np.int64)


def _near(frames: np.ndarray, size: int, margin: int = 0) -> np.ndarray:
    """(beats, 2 * SNAP_FRAMES + 1) frame indices around each beat, kept within [margin, size - 1 - margin]."""
    return np.clip(frames[:, None] + np.arange(-SNAP_FRAMES, SNAP_FRAMES + 1)[None, :], margin, size - 1 - margin)


def _strength(frames: np.ndarray, envelope: np.ndarray) -> np.ndarray:
    """The envelope summed around each beat: unlike its maximum, the sum does not depend on where between
    two hops the onset fell, which would alternate from beat to beat at most tempos."""
    return envelope[_near(frames, envelope.size)].sum(axis=1)


def _trim(frames: np.ndarray, envelope: np.ndarray) -> np.ndarray:
    """Drop the chain's weak beats at either end: the DP runs on into silence before and after the music."""
    if frames.size < 3:
        return frames
    strength = envelope[_near(frames, envelope.size)].max(axis=1)
    strong = np.flatnonzero(strength >= 0.5 * np.sqrt(np.mean(strength ** 2)))
    return frames[strong[0]:strong[-1] + 1] if strong.size else frames


def _refine(frames: np.ndarray, envelope: np.ndarray) -> np.ndarray:
    """Each beat at the envelope's peak nearby, to a fraction of a hop (parabolic interpolation)."""
    near = _near(frames, envelope.size, margin=1)
    peak = near[np.arange(frames.size), np.argmax(envelope[near], axis=1)]
    left, centre, right = envelope[peak - 1], envelope[peak], envelope[peak + 1]
    curvature = left - 2.0 * centre + right
    shift = np.where(curvature < 0, 0.5 * (left - right) / np.where(curvature < 0, curvature, -1.0), 0.0)
    return peak + np.clip(shift, -0.5, 0.5)


def _meter_and_phase(frames: np.ndarray, onsets: Onsets) -> tuple[int, int]:
    """Bar length, then the index of the first downbeat."""
    full = _relative(_strength(frames, onsets.full))
    bass = _relative(_strength(frames, onsets.bass))
    spectra = _beat_spectra(frames, onsets.bands)
    meter = _meter(np.column_stack([full, bass, spectra]))
    if frames.size < 3 * meter:
        return meter, 0
    change = _bar_change(spectra, meter)
    cues = ONSET_WEIGHT * full + BASS_WEIGHT * bass + CHANGE_WEIGHT * (change - np.nanmean(change))
    return meter, int(np.argmax([_contrast(cues, meter, phase) for phase in range(meter)]))


def _meter(features: np.ndarray) -> int:
    """The bar length at which beats resemble each other most: accents and timbre repeat bar by bar."""
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    unit = features / np.where(norms > 0, norms, 1.0)
    similarity = {m: float(np.mean(np.sum(unit[:-m] * unit[m:], axis=1))) if len(unit) > m else 0.0
                  for m in (3, 4)}
    triple = similarity[3] >= TRIPLE_MIN_SIMILARITY and similarity[3] > similarity[4] + TRIPLE_MARGIN
    return 3 if triple else 4


def _beat_spectra(frames: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """Mean coarse log spectrum from each beat to the next, less its mean over all beats (bels)."""
    bounds = np.append(frames, min(bands.shape[0], frames[-1] + int(np.median(np.diff(frames)))))
    sums = np.vstack([np.zeros((1, bands.shape[1])), np.cumsum(bands, axis=0, dtype=np.float64)])
    spectra = (sums[bounds[1:]] - sums[bounds[:-1]]) / np.maximum(bounds[1:] - bounds[:-1], 1)[:, None]
    return spectra - spectra.mean(axis=0)


def _bar_change(spectra: np.ndarray, meter: int) -> np.ndarray:
    """Per beat k: distance between the mean spectrum of beats k-meter..k-1 and of beats k..k+meter-1."""
    sums = np.vstack([np.zeros((1, spectra.shape[1])), np.cumsum(spectra, axis=0)])
    change = np.zeros(spectra.shape[0])
    k = np.arange(meter, spectra.shape[0] - meter + 1)
    before = (sums[k] - sums[k - meter]) / meter
    after = (sums[k + meter] - sums[k]) / meter
    change[k] = np.linalg.norm(after - before, axis=1)
    change[:meter] = change[spectra.shape[0] - meter + 1:] = np.nan  # no whole bar on one side
    return change


def _contrast(values: np.ndarray, meter: int, phase: int) -> float:
    """How far beats at `phase` of each bar stand above the others (difference of means)."""
    beat_class = np.arange(values.size) % meter == phase
    known = np.isfinite(values)
    on, off = values[beat_class & known], values[~beat_class & known]
    if on.size == 0 or off.size == 0:
        return 0.0
    return float(on.mean() - off.mean())


def _relative(values: np.ndarray) -> np.ndarray:
    """Each value as a fraction above (or below) the mean."""
    mean = values.mean()
    return values / mean - 1.0 if mean > 0 else np.zeros_like(values)


def _periodicity(envelope: np.ndarray, period: float, hop_s: float) -> tuple[np.ndarray, np.ndarray]:
    """First frames of overlapping windows, and each window's normalised autocorrelation at the period."""
    width = int(PERIODICITY_WINDOW_S / hop_s)
    lag = int(round(period))
    starts = list(range(0, max(1, envelope.size - width + 1), width // 2))
    if envelope.size > width and starts[-1] + width < envelope.size:
        starts.append(envelope.size - width)  # the tail gets a window of its own
    kept, values = [], []
    for first in starts:
        window = envelope[first:first + width]
        if window.size < 2 * lag + 2:
            continue
        acf = _autocorrelation(window, lag + 1)
        kept.append(first)
        values.append(float(acf[lag - 1:lag + 2].max() / acf[0]) if acf[0] > 0 else 0.0)
    return np.array(kept, dtype=np.int64), np.array(values)


def _local_periodicity(frames: np.ndarray, starts: np.ndarray, values: np.ndarray, width: int) -> np.ndarray:
    """Per beat, the highest periodicity of the windows that contain it."""
    local = np.zeros(frames.size)
    for first, value in zip(starts, values):
        inside = (frames >= first) & (frames < first + width)
        local[inside] = np.maximum(local[inside], value)
    return local
