"""Retakes: a sentence started, abandoned, and started again. The abandoned take is the one to cut.

A take starts where a sentence starts or after a pause. Take A is abandoned for take B
when B begins with A's words in A's order, A breaks off within a couple of words of the
last word they share, B goes on longer than A did, and B follows A closely. Between the
shared words only short words may differ: the recogniser hears a short "of" as "in"
from one take to the next, but a parallel sentence differs in its content words ("the
derivative of x squared is... the derivative of x cubed is..."), so it does not pass.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..context import Interval, Retake, TranscriptSegment, Word
from .text import normalise

RESTART_PAUSE_S = 0.3  # a pause this long may be where the speaker starts over
MAX_TAKE_WORDS = 20  # an abandoned take is a false start, not a paragraph
MAX_TAKE_S = 12.0
MAX_GAP_S = 4.0  # from the end of the abandoned take to the start of the repeat
MIN_SHARED = 3  # words both takes share, in order, from the first...
MIN_SHARED_SHARE = 0.5  # ...and at least this share of the abandoned take
MAX_TAIL = 2  # after the last shared word the abandoned take has at most this many words left
SHORT_WORD = 3  # words this short may differ between the takes (misheard function words)
WORD_MATCH = 0.75  # letters in common for two spellings of one word ("rhizomer", "rhizomber")


@dataclass(frozen=True)
class _Candidate:
    first: int  # index into the content words of the abandoned take's first word
    repeat: int  # ... and of the repeat's first word
    similarity: float  # share of the abandoned take's words said again


def _same_word(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) > SHORT_WORD and SequenceMatcher(None, a, b).ratio() >= WORD_MATCH)


def _align(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """The longest common subsequence of two word lists (fuzzy word equality), as index pairs."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if _same_word(a[i], b[j])
                           else max(table[i + 1][j], table[i][j + 1]))
    pairs, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if _same_word(a[i], b[j]) and table[i][j] == table[i + 1][j + 1] + 1:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _shared(abandoned: list[str], again: list[str]) -> int:
    """How many of the abandoned take's words the repeat says again, or 0 if it is no repeat."""
    pairs = _align(abandoned, again)
    if not pairs or pairs[0] != (0, 0):
        return 0  # a repeat starts the way the take did
    for (i0, j0), (i1, j1) in zip(pairs, pairs[1:]):
        skipped = abandoned[i0 + 1:i1] + again[j0 + 1:j1]
        if any(len(word) > SHORT_WORD for word in skipped):
            return 0  # they differ in a content word before the take broke off: a parallel sentence
    if len(abandoned) - 1 - pairs[-1][0] > MAX_TAIL:
        return 0
    return len(pairs)


def find_retakes(words: list[Word], segments: list[TranscriptSegment]) -> list[Retake]:
    content = [i for i, w in enumerate(words) if not w.filler and normalise(w.text)]
    texts = [normalise(words[i].text) for i in content]
    sentence_starts = {s.first_word for s in segments}
    sentence_of = {i: s for s in segments for i in range(s.first_word, s.last_word + 1)}
    starts = [k for k, i in enumerate(content)
              if i in sentence_starts or k == 0 or words[i].start - words[content[k - 1]].end >= RESTART_PAUSE_S
              or any(w.filler for w in words[content[k - 1] + 1:i])]

    candidates: list[_Candidate] = []
    for position, repeat in enumerate(starts):
        for first in starts[bisect.bisect_left(starts, repeat - MAX_TAKE_WORDS):position]:
            length = repeat - first
            take_start, take_end = words[content[first]].start, words[content[repeat - 1]].end
            if take_end - take_start > MAX_TAKE_S or words[content[repeat]].start - take_end > MAX_GAP_S:
                continue
            if not _same_word(texts[first], texts[repeat]):
                continue
            shared = _shared(texts[first:repeat], texts[repeat:repeat + length + MAX_TAIL])
            if (shared < min(MIN_SHARED, length) or shared < MIN_SHARED_SHARE * length
                    or _repeat_length(repeat, content, sentence_of) <= length):
                continue
            candidates.append(_Candidate(first, repeat, shared / length))

    chosen: list[Retake] = []
    taken: list[tuple[int, int]] = []
    for cand in sorted(candidates, key=lambda c: (-c.similarity, c.first - c.repeat)):
        if any(cand.first < b and a < cand.repeat for a, b in taken):
            continue  # overlaps a better match
        taken.append((cand.first, cand.repeat))
        chosen.append(_retake(cand, words, content, sentence_of))
    return sorted(chosen, key=lambda r: r.abandoned.start)


def _repeat_length(repeat: int, content: list[int], sentence_of: dict[int, TranscriptSegment]) -> int:
    """Content words from the repeat's first word to the end of its sentence."""
    end = sentence_of[content[repeat]].last_word
    return sum(1 for _ in itertools.takewhile(lambda i: i <= end, itertools.islice(content, repeat, None)))


def _retake(cand: _Candidate, words: list[Word], content: list[int],
            sentence_of: dict[int, TranscriptSegment]) -> Retake:
    first, last = content[cand.first], content[cand.repeat - 1]
    repeat_first = content[cand.repeat]
    repeat_last = sentence_of[repeat_first].last_word
    gap = words[repeat_first].start - words[last].end
    # Surer the more of the take is said again and the sooner the speaker started over.
    confidence = 0.45 + 0.4 * cand.similarity + 0.15 * max(0.0, 1.0 - gap / MAX_GAP_S)
    return Retake(
        abandoned=Interval(start=words[first].start, end=words[last].end),
        abandoned_text=" ".join(w.text for w in words[first:last + 1]),
        repeat=Interval(start=words[repeat_first].start, end=words[repeat_last].end),
        repeat_text=" ".join(w.text for w in words[repeat_first:repeat_last + 1]),
        similarity=round(min(1.0, cand.similarity), 3),
        confidence=round(min(1.0, confidence), 3),
    )
