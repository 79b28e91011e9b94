"""Stage: audio analysis: dead air, loudness (EBU R128), emphasis peaks, tempo and beats.

The audio is decoded once. Each decoded frame passes the loudness meter at its
own rate and layout (as BS.1770 requires), then is downmixed to 16 kHz mono,
which is held whole (under 60 MB for 15 minutes) for the other analyses.
Times in the results are source times: the audio's start offset is added.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..analysis import beats, emphasis, pitch
from ..analysis.deadair import detect
from ..analysis.loudness import LoudnessMeter, LoudnessResult
from ..analysis.onsets import onset_envelopes
from ..context import AudioAnalysis, Emphasis, Interval, Loudness, MusicAnalysis
from ..media.audio import collect, hop_energy_db, iter_frames, to_mono
from ..options import QUALITY_PRESETS
from .base import StageJob, StageResult

log = logging.getLogger(__name__)

ANALYSIS_RATE = 16000
SHORT_TERM_HOP_S = 0.5
# Emphasis is a matter of words and phrases: 50 pitch values a second are plenty, whatever the quality.
PITCH_HOP_S = 0.02
# Above this music confidence the clip is treated as music: a singer's pitch is no speaking voice and a
# loud chorus is no emphasis, so pitch and emphasis are left out.
MUSIC_CONFIDENCE = 0.5
DECODE_SHARE = 0.7  # of the stage's time, for progress
LEVEL_PIECE_HOPS = 1 << 14  # hops per piece when measuring levels: a few MB at a time


def run(job: StageJob) -> StageResult:
    media = job.ctx.require_media()
    if media.audio is None:
        return StageResult(sections={"audio": None})
    analysis, found_dead_air = analyse(
        Path(media.path),
        hop_s=QUALITY_PRESETS[job.ctx.options.quality].analysis_hop_s,
        offset_s=media.audio_offset_s,
        silence_threshold_db=job.ctx.options.silence_threshold_db,
        duration_s=media.duration_s,
        progress=job.progress,
    )
    warnings = [] if found_dead_air else [
        "no dead air found: the audio has no quiet stretches clearly below its speech level, so nothing is cut"]
    return StageResult(sections={"audio": analysis}, warnings=warnings)


def analyse(path: Path, hop_s: float, offset_s: float = 0.0, silence_threshold_db: float | None = None,
            duration_s: float | None = None,
            progress: Callable[[float, str], None] | None = None) -> tuple[AudioAnalysis, bool]:
    """Everything the stage finds in a file's first audio stream, and whether it has dead air.

    `offset_s` is the source time of the first audio sample. `progress` gets the fraction done and a
    message; with `duration_s` (the file's) it also moves while the audio is decoded.
    """
    report = progress or (lambda fraction, message: None)
    timings: dict[str, float] = {}
    with _timed(timings, "decode+loudness"):
        meter = LoudnessMeter()
        chunks = _with_progress(to_mono(meter.tap(iter_frames(path)), ANALYSIS_RATE), duration_s, report)
        # A little room over the probed duration, so the array is not regrown for a few samples.
        samples = collect(chunks, expected=int(((duration_s or 0.0) + 1.0) * ANALYSIS_RATE))
        loudness = meter.result()
    with _timed(timings, "dead air"):
        found = detect(_levels(samples, hop_s), hop_s, silence_threshold_db)
    report(DECODE_SHARE, "finding the beat")
    with _timed(timings, "beats"):
        pulse = beats.analyse(onset_envelopes(samples, ANALYSIS_RATE))
    report(DECODE_SHARE + 0.15, "finding emphasis")
    with _timed(timings, "pitch+emphasis"):
        voice = None if pulse.confidence >= MUSIC_CONFIDENCE else _voice(samples, found.threshold_db)
    log.info("audio analysis of %.1f s: %s", samples.size / ANALYSIS_RATE,
             ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))

    pitch_median, peaks = voice if voice is not None else (None, [])
    analysis = AudioAnalysis(
        hop_s=hop_s,
        threshold_db=round(found.threshold_db, 2),
        noise_floor_db=round(found.noise_floor_db, 2),
        speech_level_db=round(found.speech_level_db, 2),
        sound=[Interval(start=max(0.0, s + offset_s), end=max(0.0, e + offset_s)) for s, e in found.sound],
        loudness=None if loudness is None else _loudness(loudness, offset_s),
        pitch_median_hz=None if pitch_median is None else round(pitch_median, 1),
        emphasis=[Emphasis(start=max(0.0, round(p.start + offset_s, 3)), end=max(0.0, round(p.end + offset_s, 3)),
                           loudness_db=p.loudness_db, pitch_semitones=p.pitch_semitones, score=p.score)
                  for p in peaks],
        music=MusicAnalysis(
            tempo_bpm=round(pulse.tempo_bpm, 2),
            beats=_source_times(pulse.beats, offset_s),
            downbeats=_source_times(pulse.downbeats, offset_s),
            beats_per_bar=pulse.beats_per_bar,
            confidence=round(pulse.confidence, 3),
        ),
    )
    return analysis, found.has_dead_air


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def _voice(samples: np.ndarray, threshold_db: float) -> tuple[float | None, list[emphasis.EmphasisPeak]]:
    """The speaker's median pitch and the emphasis peaks, from the hops above the dead-air threshold."""
    levels = _levels(samples, PITCH_HOP_S)
    track = pitch.track(samples, ANALYSIS_RATE, PITCH_HOP_S, analyse=levels > threshold_db)
    return track.median_hz(), emphasis.find(levels, track.f0_hz, PITCH_HOP_S)


def _loudness(result: LoudnessResult, offset_s: float) -> Loudness:
    return Loudness(
        integrated_lufs=round(result.integrated_lufs, 2),
        true_peak_dbtp=round(result.true_peak_dbtp, 2),
        loudness_range_lu=round(result.loudness_range_lu, 2),
        short_term_hop_s=SHORT_TERM_HOP_S,
        short_term_lufs=result.short_term_every(SHORT_TERM_HOP_S, offset_s),
    )


def _with_progress(chunks: Iterator[np.ndarray], duration_s: float | None,
                   report: Callable[[float, str], None]) -> Iterator[np.ndarray]:
    done = 0
    for chunk in chunks:
        done += len(chunk)
        if duration_s:
            report(min(1.0, done / ANALYSIS_RATE / duration_s) * DECODE_SHARE, "reading audio")
        yield chunk


def _levels(samples: np.ndarray, hop_s: float) -> np.ndarray:
    """Level per hop, fed in views of whole hops: hop_energy_db works in float64, so one piece the size of
    the track would need four times its memory."""
    hop = int(round(hop_s * ANALYSIS_RATE))
    piece = hop * LEVEL_PIECE_HOPS
    return hop_energy_db((samples[i:i + piece] for i in range(0, samples.size, piece)), hop)


def _source_times(times: np.ndarray, offset: float) -> list[float]:
    shifted = times + offset
    return [round(float(t), 3) for t in shifted[shifted >= 0.0]]
