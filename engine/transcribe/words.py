"""From recognised words to the transcript's words and sentences, in source time.

Whisper's word times come from attention weights and drift: a word often starts in
the pause before it or runs on into the pause after it. The audio's own sound spans
are exact to a hop, so each word is pulled back into the sound it overlaps most.
"""
from __future__ import annotations

import bisect
import itertools
import re

from ..context import TranscriptSegment, Word
from .recognizer import RawWord

Span = tuple[float, float]

JOIN_S = 0.2  # silences shorter than this are inside a word (stop closures), not between words
SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")
SENTENCE_PAUSE_S = 1.0  # a pause this long ends a sentence even when Whisper wrote no full stop


def join_runs(sound: list[Span], join_s: float = JOIN_S) -> list[Span]:
    runs: list[list[float]] = []
    for start, end in sound:
        if runs and start - runs[-1][1] < join_s:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return [(s, e) for s, e in runs]


def to_words(raw: list[RawWord], offset: float, runs: list[Span]) -> list[Word]:
    """Words in source time (audio time + offset), each pulled into the sound run it overlaps most."""
    run_ends = [end for _, end in runs]
    words = []
    for item in raw:
        start, end = max(0.0, item.start + offset), max(0.0, item.end + offset)
        start, end = _fit(start, end, runs, bisect.bisect_left(run_ends, start))
        words.append(Word(text=item.text, start=round(start, 3), end=round(end, 3),
                          probability=round(min(1.0, max(0.0, item.probability)), 3)))
    return words


def _fit(start: float, end: float, runs: list[Span], first: int) -> Span:
    best, best_overlap = None, 0.0
    for run in itertools.islice(runs, first, None):
        if run[0] > end:
            break
        overlap = min(end, run[1]) - max(start, run[0])
        if overlap > best_overlap:
            best, best_overlap = run, overlap
    if best is None:  # a word Whisper put in silence (or gave no length): nothing better to go by
        return start, end
    return max(start, best[0]), min(end, best[1])


def sentences(words: list[Word]) -> list[TranscriptSegment]:
    """Split at sentence-ending punctuation, or at a long pause when Whisper wrote none."""
    segments: list[TranscriptSegment] = []
    first = 0
    for index, word in enumerate(words):
        last_word = index + 1 == len(words)
        if last_word or SENTENCE_END.search(word.text) or words[index + 1].start - word.end >= SENTENCE_PAUSE_S:
            part = words[first:index + 1]
            segments.append(TranscriptSegment(start=part[0].start, end=part[-1].end,
                                              text=" ".join(w.text for w in part),
                                              first_word=first, last_word=index))
            first = index + 1
    return segments
