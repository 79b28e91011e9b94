"""Captions from the transcript's words, timed on the edited video: cues, line breaks, SRT and WebVTT.

Each word's source time is carried through the timeline's clips; a word whose span is
mostly cut (dead air, a filler, an abandoned take) is not in the edit, so it is not in
the captions either. Cues follow common subtitle practice: at most two lines of at most
42 characters, at most 7 s on screen, a new cue at each sentence end and at each pause,
and when a cue is full it breaks after a comma if there is one late enough.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..context import Word
from ..timeline import Timeline

MAX_LINE = 42
MAX_CUE_S = 7.0
MIN_CUE_S = 1.0  # a cue shorter than this is stretched, if the next one leaves room
PAUSE_BREAK_S = 0.5  # a pause this long between words starts a new cue
KEEP_SHARE = 0.5  # a word is in the edit if at least this share of it is kept
SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")
CLAUSE_END = re.compile(r"[,;:][\"')\]]*$")
PUNCTUATION_BONUS = 8  # characters of line balance a break after a comma is worth
CLAUSE_BREAK_FROM = 0.4  # a comma break must leave at least this share of the text in the first cue


@dataclass(frozen=True)
class TimedWord:
    text: str
    start: float  # seconds on the edited video
    end: float


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class _Kept:
    source_start: float
    source_end: float
    edited_start: float


def _kept_ranges(timeline: Timeline) -> list[_Kept]:
    """The source ranges the edit keeps, in order: the audio track's (captions follow the sound)."""
    track = timeline.track("audio") or timeline.track("video")
    if track is None:
        return []
    rate = timeline.rate
    ranges = [
        _Kept(float(clip.source_in / rate), float(clip.source_out / rate), float(clip.start / rate))
        for clip in track.clips if timeline.media_by_id(clip.media).role == "source"
    ]
    return sorted(ranges, key=lambda r: r.source_start)


def edited_words(words: Iterable[Word], timeline: Timeline) -> list[TimedWord]:
    """The words the edit keeps, with times on the edited video."""
    ranges = _kept_ranges(timeline)
    starts = [r.source_start for r in ranges]
    out = []
    for word in words:
        covering = []
        for index in range(max(0, bisect.bisect_right(starts, word.start) - 1), len(ranges)):
            if ranges[index].source_start > word.end:
                break
            if ranges[index].source_end > word.start or ranges[index].source_start == word.start:
                covering.append(ranges[index])
        if not covering or not _mostly_kept(word, covering):
            continue
        head, tail = covering[0], covering[-1]
        start = head.edited_start + max(0.0, word.start - head.source_start)
        end = tail.edited_start + min(tail.source_end, word.end) - tail.source_start
        out.append(TimedWord(word.text, start, max(start, end)))
    return out


def _mostly_kept(word: Word, covering: list[_Kept]) -> bool:
    length = word.end - word.start
    if length <= 0:
        return any(r.source_start <= word.start < r.source_end for r in covering)
    kept = sum(max(0.0, min(word.end, r.source_end) - max(word.start, r.source_start)) for r in covering)
    return kept >= KEEP_SHARE * length


def wrap(texts: list[str], max_line: int = MAX_LINE) -> list[str] | None:
    """The words as one line, or two balanced lines, each at most `max_line` long; None if they do not fit."""
    joined = " ".join(texts)
    if len(joined) <= max_line:
        return [joined]
    best: tuple[tuple[int, int], list[str]] | None = None
    for k in range(1, len(texts)):
        top, bottom = " ".join(texts[:k]), " ".join(texts[k:])
        if len(top) > max_line or len(bottom) > max_line:
            continue
        # Balanced lines, but a break after punctuation is worth a few characters of balance.
        score = (max(len(top), len(bottom)) - (PUNCTUATION_BONUS if CLAUSE_END.search(texts[k - 1]) else 0),
                 len(top))
        if best is None or score < best[0]:
            best = (score, [top, bottom])
    return best[1] if best else None


def _split_long_words(words: list[TimedWord], max_line: int) -> list[TimedWord]:
    """A word longer than a line (a URL, say) is cut into line-sized pieces, time shared by length."""
    out = []
    for word in words:
        if len(word.text) <= max_line:
            out.append(word)
            continue
        pieces = [word.text[i:i + max_line] for i in range(0, len(word.text), max_line)]
        step = (word.end - word.start) / len(pieces)
        out += [TimedWord(p, word.start + i * step, word.start + (i + 1) * step) for i, p in enumerate(pieces)]
    return out


def build_cues(words: list[TimedWord], max_line: int = MAX_LINE, max_cue_s: float = MAX_CUE_S) -> list[Cue]:
    groups: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for word in _split_long_words(words, max_line):
        if current and (word.start - current[-1].end >= PAUSE_BREAK_S or SENTENCE_END.search(current[-1].text)):
            groups.append(current)
            current = []
        while current and (wrap([w.text for w in current + [word]], max_line) is None
                           or word.end - current[0].start > max_cue_s):
            head, current = _break_full(current)
            groups.append(head)
        current.append(word)
    if current:
        groups.append(current)
    return _timed(groups, max_line, max_cue_s)


def _break_full(words: list[TimedWord]) -> tuple[list[TimedWord], list[TimedWord]]:
    """A full cue ends after its last comma if that leaves enough before it, else after all of it."""
    total = len(" ".join(w.text for w in words))
    for k in range(len(words) - 1, 0, -1):
        head = " ".join(w.text for w in words[:k])
        if CLAUSE_END.search(words[k - 1].text) and len(head) >= CLAUSE_BREAK_FROM * total:
            return words[:k], words[k:]
    return words, []


def _timed(groups: list[list[TimedWord]], max_line: int, max_cue_s: float) -> list[Cue]:
    cues = []
    for index, group in enumerate(groups):
        start = group[0].start
        next_start = groups[index + 1][0].start if index + 1 < len(groups) else float("inf")
        # Stay up a little after the last word when there is room, never into the next cue.
        end = min(max(group[-1].end, start + MIN_CUE_S), next_start, start + max_cue_s)
        lines = wrap([w.text for w in group], max_line)
        cues.append(Cue(start, max(end, start), tuple(lines or [])))
    return cues


def _clock(seconds: float, separator: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def to_srt(cues: list[Cue]) -> str:
    blocks = [f"{i}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n" + "\n".join(c.lines)
              for i, c in enumerate(cues, 1)]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: list[Cue]) -> str:
    blocks = [f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n" + "\n".join(_vtt_escape(line) for line in c.lines)
              for c in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + ("\n" if blocks else "")
