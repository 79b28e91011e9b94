"""Engagement and emotional peaks: the moments a highlight reel, a thumbnail or a zoom should go to.

Speech is scored sentence by sentence. Engagement is what holds attention: a speaker flagging what
matters ("the most important idea"), a question to the audience, a sentence dense with the video's
key concepts, a point made slowly. Emotion is arousal: an exclamation, emphasis (louder and higher
than the speaker's norm, from the audio analysis), a loud stretch, a burst of fast speech. Without
speech (music), the peaks are the loudest stretches, on the nearest downbeat when beats are known.
"""
from __future__ import annotations

import logging
import math
import re
import statistics
from dataclasses import dataclass, field

from ..context import AudioAnalysis, Concept, Emphasis, Peak
from .text import Sentence, tokens

log = logging.getLogger(__name__)

_IMPORTANT = re.compile(
    r"^remember\b|\b(?:most important|(?:the|a) key (?:idea|point|thing|step|insight)|remember (?:this|that)"
    r"|crucial|essential|pay attention|the trick|the secret|here's the thing|the big idea|never forget|don't forget"
    r"|the main point)\b",
    re.IGNORECASE)
_EMOTIONAL = re.compile(
    r"\b(?:wow|amazing|incredible|unbelievable|awesome|love|hate|beautiful|terrible|scary|crazy|insane|oh my"
    r"|can't believe|so happy|so sad|excited|shocking)\b",
    re.IGNORECASE)

MIN_SPACING_S = 10.0  # two peaks closer than this are one moment
PEAKS_PER_MINUTE = 2.0
MIN_PEAKS, MAX_PEAKS = 3, 30
MIN_SCORE = 0.3
RATE_CHANGE = 0.25  # a sentence this much faster or slower than the speaker's median rate stands out
LOUD_LU_FULL = 6.0  # short-term loudness this far above the programme's counts fully
KEY_DENSITY_FULL = 0.5  # share of a sentence's content words that are key concepts, for the full signal
SHORT_TERM_WINDOW_S = 3.0  # EBU R128 short-term loudness is measured over 3 s


@dataclass
class Candidate:
    t: float
    engagement: float = 0.0
    emotion: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, kind: str, amount: float, reason: str) -> None:
        if amount <= 0:
            return
        if kind == "engagement":
            self.engagement += amount
        else:
            self.emotion += amount
        self.reasons.append(reason)

    def peak(self) -> Peak:
        score = min(1.0, max(self.emotion, self.engagement))
        return Peak(t=round(self.t, 3), score=round(score, 3),
                    kind="emotion" if self.emotion > self.engagement else "engagement", reason="; ".join(self.reasons))


def find_peaks(sents: list[Sentence], duration_s: float, audio: AudioAnalysis | None, concepts: list[Concept],
         music: bool = False) -> list[Peak]:
    """The strongest, well-spaced peaks, about two a minute; music (or no speech) is judged by its energy."""
    candidates = _music(audio) if music or not sents else _speech(sents, audio, concepts)
    budget = min(MAX_PEAKS, max(MIN_PEAKS, round(PEAKS_PER_MINUTE * duration_s / 60.0)))
    chosen: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (-max(c.engagement, c.emotion), c.t)):
        if max(c.engagement, c.emotion) < MIN_SCORE or len(chosen) >= budget:
            break
        if all(abs(c.t - other.t) >= MIN_SPACING_S for other in chosen):
            chosen.append(c)
    peaks = [c.peak() for c in sorted(chosen, key=lambda c: c.t)]
    log.info("%d peaks from %d candidates", len(peaks), len(candidates))
    return peaks


def _speech(sents: list[Sentence], audio: AudioAnalysis | None, concepts: list[Concept]) -> list[Candidate]:
    key_stems = {stem for c in concepts for stem in _stems(c.text)}
    rates = [60.0 * s.word_count / s.duration for s in sents if s.duration > 0.5 and s.word_count >= 4]
    median_rate = statistics.median(rates) if rates else None
    emphasis = audio.emphasis if audio is not None else []
    out = []
    for s in sents:
        c = Candidate(t=s.start)
        text = s.text.strip()
        if important := _IMPORTANT.search(text):
            c.add("engagement", 0.6, f"flags importance (\"{important.group(0)}\")")
        if text.endswith("?"):
            c.add("engagement", 0.35, "asks a question")
        tokens = s.tokens
        if tokens and key_stems:
            density = sum(t.stem in key_stems for t in tokens) / len(tokens)
            c.add("engagement", 0.3 * min(1.0, density / KEY_DENSITY_FULL), f"{100 * density:.0f}% key concepts")
        if text.endswith("!"):
            c.add("emotion", 0.45, "exclamation")
        if emotional := _EMOTIONAL.search(text):
            c.add("emotion", 0.3, f"emotional word (\"{emotional.group(0)}\")")
        _add_rate(c, s, median_rate)
        _add_emphasis(c, s, emphasis)
        _add_loudness(c, s.start, s.end, audio)
        out.append(c)
    return out


def _add_rate(c: Candidate, s: Sentence, median_rate: float | None) -> None:
    if median_rate is None or s.duration <= 0.5 or s.word_count < 4:
        return
    change = 60.0 * s.word_count / s.duration / median_rate - 1.0
    if change >= RATE_CHANGE:
        c.add("emotion", min(0.3, change), f"{100 * change:.0f}% faster than usual")
    elif change <= -RATE_CHANGE:
        c.add("engagement", min(0.15, -change), f"{-100 * change:.0f}% slower than usual")


def _add_emphasis(c: Candidate, s: Sentence, emphasis: list[Emphasis]) -> None:
    inside = [e for e in emphasis if e.end > s.start and e.start < s.end]
    if not inside:
        return
    strongest = max(inside, key=lambda e: e.score)
    c.t = strongest.start  # the stressed words, not the start of the sentence
    c.add("emotion", 0.5 * strongest.score,
          f"emphasis ({strongest.loudness_db:+.0f} dB, {strongest.pitch_semitones:+.0f} semitones)")
    c.engagement += 0.3 * strongest.score  # stress also marks what the speaker wants noticed


def _add_loudness(c: Candidate, start: float, end: float, audio: AudioAnalysis | None) -> None:
    if audio is None or audio.loudness is None or not audio.loudness.short_term_lufs:
        return
    loud = audio.loudness
    hop = loud.short_term_hop_s
    # Window i covers [i * hop, i * hop + 3 s]: the ones that overlap the sentence.
    first = max(0, math.ceil((start - SHORT_TERM_WINDOW_S) / hop))
    last = int(end / hop) + 1
    overlapping = loud.short_term_lufs[first:last]
    if not overlapping:
        return
    above = max(overlapping) - loud.integrated_lufs
    if above > 0:
        c.add("emotion", 0.35 * min(1.0, above / LOUD_LU_FULL), f"{above:.1f} LU louder than the whole")


def _music(audio: AudioAnalysis | None) -> list[Candidate]:
    """The local maxima of short-term loudness: a track's climaxes, on the nearest downbeat."""
    if audio is None or audio.loudness is None or len(audio.loudness.short_term_lufs) < 3:
        return []
    loud = audio.loudness
    levels = loud.short_term_lufs
    beats = (audio.music.downbeats or audio.music.beats) if audio.music is not None else []
    out = []
    for i in range(1, len(levels) - 1):
        if levels[i] >= levels[i - 1] and levels[i] > levels[i + 1]:
            above = levels[i] - loud.integrated_lufs
            if above <= 0:
                continue
            t = i * loud.short_term_hop_s + SHORT_TERM_WINDOW_S / 2
            if beats:
                t = min(beats, key=lambda b: abs(b - t))
            c = Candidate(t=t)
            c.add("emotion", min(1.0, above / LOUD_LU_FULL), f"energy peak, {above:.1f} LU above the track")
            out.append(c)
    return out


def _stems(text: str) -> list[str]:
    return [t.stem for t in tokens(text, 0.0) if t.content]
