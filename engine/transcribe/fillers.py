"""Fillers: hesitation sounds ("um", "uh", "er", "hmm", ...) found by the words and checked by the sound.

Two ways in, one acoustic test (see engine.transcribe.acoustic):
- a word the recogniser wrote as a filler is marked, and is confirmed if its sound is one held,
  steady, voiced sound; its times become those of that sound, which are exact;
- a short voiced burst between pauses that the recogniser left without a word of its own (or
  swallowed into the next word, which then starts too early) and that passes the test strictly
  is added as a filler word.
The second way guards against false fillers: the burst must be isolated, short, voiced almost
throughout, steady in pitch and much less articulated than the speaker's own speech.
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from ..context import Filler, Word
from .acoustic import Signal, Sound, Voice, measure, speaker_voice
from .text import normalise

log = logging.getLogger(__name__)

Span = tuple[float, float]

# um, umm, uh, uhm, er, erm, hm, hmm, mm, mhm, ah, eh, in any length
FILLER_WORD = re.compile(r"^(?:u+[hm]+|e+r+m*|h+m+|m{2,}|m+h+m+|a+h+|e+h+)$")

BURST_MIN_S, BURST_MAX_S = 0.15, 1.2  # a hesitation is held for a moment, not a whole phrase
CONFIRM = 0.5  # acoustic score that confirms a filler the recogniser wrote
NEAR_S = 0.3  # how far a filler word's times may miss its sound
DISCOVER = 0.75  # stricter score for one it did not write
NASAL_SHARE = 0.45  # above this a discovered filler is a hummed "hmm", below it an open "uh"


def is_filler_word(text: str) -> bool:
    return bool(FILLER_WORD.match(normalise(text)))


def _ramp(value: float, zero: float, one: float) -> float:
    """0 at `zero`, 1 at `one`, linear between (either direction)."""
    return min(1.0, max(0.0, (value - zero) / (one - zero)))


def filler_score(sound: Sound, voice: Voice) -> float:
    """How much a sound is the speaker's held hesitation, 0-1: every one of its traits must be there."""
    if sound.pitch_hz <= 0:
        return 0.0
    return min(
        _ramp(sound.voiced, 0.5, 0.8),  # voiced almost throughout
        _ramp(sound.pitch_spread_st, 4.0, 2.0),  # pitch held within a couple of semitones
        _ramp(sound.flux_db / voice.flux_db, 0.85, 0.6),  # the mouth moves far less than in words
        _ramp(abs(12.0 * math.log2(sound.pitch_hz / voice.pitch_hz)), 12.0, 6.0),  # in this speaker's voice
    )


@dataclass(frozen=True)
class _Evidence:
    score: float  # acoustic filler score
    acoustic: bool  # the sound passed the test
    lexical: bool  # the recogniser wrote a filler word

    @property
    def confidence(self) -> float:
        # The recogniser's word is strong evidence by itself; the sound alone is good, not certain.
        return 0.6 + 0.4 * self.score if self.lexical else 0.4 + 0.4 * self.score


@dataclass(frozen=True)
class _Burst:
    start: float
    end: float
    next_start: float | None  # where the following sound begins


def isolated_bursts(runs: list[Span]) -> list[_Burst]:
    """Short runs of sound. Runs are joined across silences shorter than a pause (words.JOIN_S), so
    each of these has a real pause on both sides."""
    return [_Burst(start, end, runs[index + 1][0] if index + 1 < len(runs) else None)
            for index, (start, end) in enumerate(runs) if BURST_MIN_S <= end - start <= BURST_MAX_S]


def find_fillers(words: list[Word], runs: list[Span], signal: Signal) -> tuple[list[Word], list[Filler]]:
    """Mark filler words (adding those only the sound reveals); return the words and the fillers.
    `runs` are the sound joined across short silences (words.join_runs), in source time."""
    voice = speaker_voice(signal, runs)

    def score(start: float, end: float) -> tuple[float, Sound | None]:
        sound = measure(signal, start, end)
        # Without a stretch of speech long enough to know the speaker's voice by, nothing is judged.
        return (filler_score(sound, voice) if sound and voice else 0.0), sound

    bursts = isolated_bursts(runs)
    words = [w.model_copy() for w in words]
    claimed: set[int] = set()  # bursts already a filler
    evidence: dict[int, _Evidence] = {}  # id() of a filler word -> what shows it is one

    for word in words:
        if not is_filler_word(word.text):
            continue
        word.filler = True
        burst_index = _burst_of(word, bursts)
        burst = bursts[burst_index] if burst_index is not None else None
        span = (burst.start, burst.end) if burst else (word.start, word.end)
        value, _ = score(*span)
        if value >= CONFIRM and burst_index is not None:
            claimed.add(burst_index)
            word.start, word.end = span
        evidence[id(word)] = _Evidence(value, acoustic=value >= CONFIRM, lexical=True)

    for burst_index, burst in enumerate(bursts):
        if burst_index in claimed or _explained(burst, words):
            continue
        value, sound = score(burst.start, burst.end)
        if value < DISCOVER or sound is None:
            continue
        new = Word(text="hmm" if sound.nasal > NASAL_SHARE else "uh", start=burst.start, end=burst.end,
                   probability=round(value, 3), filler=True)
        _unswallow(burst, words)
        words.append(new)
        evidence[id(new)] = _Evidence(value, acoustic=True, lexical=False)
        log.info("acoustic filler at %.2f-%.2f s (score %.2f)", burst.start, burst.end, value)

    words.sort(key=lambda w: (w.start, w.end))
    fillers = []
    for index, word in enumerate(words):
        found = evidence.get(id(word))
        if found is not None:
            fillers.append(Filler(word=index, start=word.start, end=word.end, text=word.text,
                                  confidence=round(found.confidence, 3), acoustic=found.acoustic))
    return words, fillers


def _burst_of(word: Word, bursts: list[_Burst]) -> int | None:
    """The isolated burst nearest this word, if one is near: Whisper often times a filler late,
    running it into the next word."""
    best, best_distance = None, NEAR_S
    for index, burst in enumerate(bursts):
        distance = max(burst.start - word.end, word.start - burst.end)  # negative: they overlap
        if distance <= best_distance:
            best, best_distance = index, distance
    return best


def _explained(burst: _Burst, words: list[Word]) -> bool:
    """Whether a word of the transcript is this burst: mostly inside it, or a filler touching it."""
    for word in words:
        overlap = min(word.end, burst.end) - max(word.start, burst.start)
        if word.end - word.start <= 0.0:
            if burst.start <= word.start <= burst.end:
                return True
            continue
        if overlap > 0 and (word.filler or overlap >= 0.5 * (word.end - word.start)):
            return True
    return False


def _unswallow(burst: _Burst, words: list[Word]) -> None:
    """A word that starts inside the burst really starts where the next sound does."""
    for word in words:
        if burst.start <= word.start < burst.end and word.end > burst.end and burst.next_start is not None:
            word.start = min(word.end, burst.next_start)
