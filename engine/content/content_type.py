"""What the footage is: educational, music or general, from measured signals only (deterministic, offline).

Each class gets a score in [0, 1] from the signals that speak for it; the highest wins, and its
confidence is its share of the three scores. General is the fallback: it has a constant prior, so
footage that looks like neither a lesson nor music ends up there rather than in a low-evidence guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..context import AudioAnalysis, VisualAnalysis
from .text import Sentence, speech_rate_wpm

ContentType = Literal["educational", "music", "general"]

# The language of explaining: signposts, definitions, examples, worked steps, addressing learners.
_TEACHING = re.compile(
    r"\b(?:let(?:'s| us) (?:look at|see|consider|start|begin|take|try|say|define|write|compute|call|assume)"
    r"|(?:is|are) (?:defined as|called|known as)|(?:this|that|which|it) means|in other words|for (?:example|instance)"
    r"|such as|the (?:definition|formula|rule|answer|result|reason|idea|key) (?:of|is|for)"
    r"|the \w+ of (?:a|an|the|x|y|f)\b|(?:first|finally|lastly|in summary|to summarize)\b,?"
    r"|step (?:one|two|three|\d)|remember (?:that)?|notice (?:that|how)|(?:you|we) (?:can|will|need to|have to|should) "
    r"(?:see|use|learn|find|calculate|solve|compute|notice|write|think)"
    r"|lesson|lecture|tutorial|chapter|example|exercise|practi[cs]e|equation|formula|theorem|problem|question"
    r"|understand|explain|learn|study|students?|class)\b",
    re.IGNORECASE)
# Chat and vlog talk: first person singular, hedges, reactions.
_CHAT = re.compile(
    r"\b(?:i|i'm|i've|i'd|me|my|mine|yeah|yep|nope|like|you know|i mean|kind of|sort of|actually|literally|honestly"
    r"|guys|awesome|cool|crazy|lol|oh my|gonna|wanna|super|stuff|vlog|subscribe|weekend|coffee|dinner|friends?)\b",
    re.IGNORECASE)

TEACHING_PER_100_WORDS_FULL = 4.0  # at this density the teaching signal is saturated
CHAT_PER_100_WORDS_FULL = 6.0
LECTURE_WPM = (110.0, 200.0)  # lecturers speak at a steady, moderate rate
CALM_SHOTS_PER_MINUTE = 2.0  # a slide change now and then; vlogs and music videos cut far more often
GENERAL_PRIOR = 0.3
MIN_WORDS_FOR_SPEECH = 20


@dataclass(frozen=True)
class Signals:
    duration_s: float
    words: int
    speech_share: float  # of the duration, inside sentences
    wpm: float | None
    teaching_per_100: float
    chat_per_100: float
    repeated_lines: float  # share of sentences said more than once: choruses
    music_confidence: float | None  # None: no music analysis
    beat_strength: float | None  # beats a second found, as a share of what the tempo predicts
    shots_per_minute: float | None  # None: no video


@dataclass(frozen=True)
class Verdict:
    content_type: ContentType
    confidence: float
    reason: str
    signals: Signals


def measure(sents: list[Sentence], duration_s: float, audio: AudioAnalysis | None,
            visual: VisualAnalysis | None) -> Signals:
    text = " ".join(s.text for s in sents)
    words = sum(s.word_count for s in sents)
    per_100 = 100.0 / max(words, 1)
    lines = [" ".join(t.surface for t in s.words) for s in sents if len(s.words) >= 3]
    repeated = sum(lines.count(line) > 1 for line in lines) / len(lines) if lines else 0.0
    music = audio.music if audio is not None else None
    beat_strength = None
    if music is not None and music.tempo_bpm > 0 and duration_s > 0:
        beat_strength = min(1.0, len(music.beats) / (music.tempo_bpm / 60.0 * duration_s))
    return Signals(
        duration_s=duration_s,
        words=words,
        speech_share=min(1.0, sum(s.duration for s in sents) / duration_s) if duration_s > 0 else 0.0,
        wpm=speech_rate_wpm(sents),
        teaching_per_100=len(_TEACHING.findall(text)) * per_100,
        chat_per_100=len(_CHAT.findall(text)) * per_100,
        repeated_lines=repeated,
        music_confidence=music.confidence if music is not None else None,
        beat_strength=beat_strength,
        shots_per_minute=(len(visual.shot_changes) / (duration_s / 60.0)
                          if visual is not None and duration_s > 0 else None),
    )


def classify(signals: Signals) -> Verdict:
    scores = {"educational": _educational(signals), "music": _music(signals), "general": _general(signals)}
    best = max(scores, key=lambda k: (scores[k], k == "general"))
    total = sum(scores.values())
    confidence = scores[best] / total if total > 0 else 1.0 / 3.0
    return Verdict(best, round(confidence, 3), _reason(best, signals), signals)  # type: ignore[arg-type]


def _speaking(s: Signals) -> float:
    """How much this is a talk at all: enough words covering enough of the time."""
    if s.words < MIN_WORDS_FOR_SPEECH:
        return 0.0
    return min(1.0, s.speech_share / 0.5)


def _educational(s: Signals) -> float:
    teaching = min(1.0, s.teaching_per_100 / TEACHING_PER_100_WORDS_FULL)
    pace = 1.0 if s.wpm is not None and LECTURE_WPM[0] <= s.wpm <= LECTURE_WPM[1] else 0.4
    calm = 1.0 if s.shots_per_minute is None else min(1.0, CALM_SHOTS_PER_MINUTE / max(s.shots_per_minute, 1e-9))
    chat = min(1.0, s.chat_per_100 / CHAT_PER_100_WORDS_FULL)
    return _speaking(s) * (0.6 * teaching + 0.2 * pace + 0.2 * calm) * (1.0 - 0.5 * chat)


def _music(s: Signals) -> float:
    # Without a music analysis there is no evidence for music: sound without speech is as often room
    # noise under a screen recording as it is a song.
    if s.music_confidence is None:
        return 0.0
    tonal = 0.7 * s.music_confidence + 0.3 * (s.beat_strength or 0.0)
    wordless = 1.0 - _speaking(s) * (1.0 - s.repeated_lines)  # sung choruses repeat; lectures do not
    return tonal * (0.4 + 0.6 * wordless)


def _general(s: Signals) -> float:
    chat = min(1.0, s.chat_per_100 / CHAT_PER_100_WORDS_FULL)
    # Lyrics are full of "I", "me" and "my" too, but a chat does not say the same lines again and again.
    return GENERAL_PRIOR + 0.5 * _speaking(s) * chat * (1.0 - s.repeated_lines)


def _reason(kind: str, s: Signals) -> str:
    parts = []
    if s.words:
        rate = f" at {s.wpm:.0f} wpm" if s.wpm is not None else ""
        parts.append(f"speech {100 * s.speech_share:.0f}% of the time{rate}")
    else:
        parts.append("no speech")
    if kind == "educational" or s.teaching_per_100 >= 1.0:
        parts.append(f"{s.teaching_per_100:.1f} teaching phrases per 100 words")
    if kind == "general" or s.chat_per_100 >= 2.0:
        parts.append(f"{s.chat_per_100:.1f} chat words per 100")
    if s.music_confidence is not None:
        parts.append(f"music confidence {s.music_confidence:.2f}")
    if s.repeated_lines >= 0.2:
        parts.append(f"{100 * s.repeated_lines:.0f}% of lines repeated")
    if s.shots_per_minute is not None:
        parts.append(f"{s.shots_per_minute:.1f} shot changes a minute")
    return f"{kind}: " + ", ".join(parts)
