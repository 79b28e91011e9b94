"""The transcript as content analysis reads it: sentences with times, and the content words in them.

Sentences are rebuilt from the words (a full stop, question or exclamation mark, or a long pause ends
one) rather than taken from the transcript's segments, because Whisper's segments may hold several
sentences or half of one. Fillers are left out: they carry no topic and would dilute every count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

from ..context import Transcript, Word

SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")
SENTENCE_PAUSE_S = 1.0  # a pause this long ends a sentence even without a full stop
# Whisper sometimes writes half a minute without a full stop: past LONG_SENTENCE_S a shorter pause or the
# start of a transcript segment ends the sentence, and past MAX_SENTENCE_S any word boundary does, so no
# "sentence" spans a topic change.
LONG_SENTENCE_S, LONG_SENTENCE_PAUSE_S, MAX_SENTENCE_S = 10.0, 0.25, 20.0
MIN_TOKEN_CHARS = 3  # shorter words ("x", "it") are never topical on their own
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]", re.IGNORECASE)
_NUMERIC = re.compile(r"\d")

# Words of talking about the talk: frequent in lectures and chats, never their topic.
# They add to YAKE's English stop words, which hold the function words.
DISCOURSE_WORDS = frozenset("""
    called finally today talk talking lesson lecture class topic video videos chapter guys everyone
    hello welcome thanks thank morning afternoon evening good great okay yeah yes gonna wanna stuff thing
    things lot lots kind sort bit um uh hmm er ah oh let's we'll i'm you're it's that's there's here's
""".split())


@dataclass(frozen=True)
class Token:
    """One spoken word."""

    stem: str  # what counts compare: lower case, plural folded
    surface: str  # lower case, without punctuation; acronyms ("ATP") keep their capitals
    start: float
    probability: float  # the recogniser's confidence in the word
    content: bool  # not a stop word, a filler word or a number: a word a topic can be made of


@dataclass(frozen=True)
class Sentence:
    start: float
    end: float
    text: str
    word_count: int  # transcript words, fillers excluded
    words: tuple[Token, ...]  # fillers excluded; a word like "it's" or "rise-over" may give more than one
    pause_before: float  # silence (and fillers) since the previous sentence, or since time zero

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        """The content words."""
        return tuple(w for w in self.words if w.content)


@cache
def stop_words() -> frozenset[str]:
    # YAKE's list is the one the keyword extractor uses, so topics and keywords agree on what is content.
    from yake import KeywordExtractor

    return frozenset(KeywordExtractor(lan="en").stopword_set) | DISCOURSE_WORDS


def stem(word: str) -> str:
    """Fold plurals and possessives only: enough for counting repeats, and never merges unrelated words."""
    word = word.lower().removesuffix("'s").strip("'")
    if len(word) <= 4 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def is_content(surface: str) -> bool:
    return len(surface) >= MIN_TOKEN_CHARS and surface not in stop_words() and not _NUMERIC.search(surface)


def tokens(text: str, start: float, probability: float = 1.0) -> list[Token]:
    """The words of one recognised word or phrase, all at `start`."""
    out = []
    for word in _WORD.findall(text):
        lower = word.lower()
        acronym = len(word) >= 2 and word.isupper()
        out.append(Token(stem(lower), word if acronym else lower, start, probability, is_content(lower)))
    return out


def sentences(transcript: Transcript | None) -> list[Sentence]:
    """The transcript's sentences in time order; none for no transcript."""
    if transcript is None:
        return []
    if not transcript.words:
        return _from_segments(transcript)
    filler_words = {f.word for f in transcript.fillers}
    segment_starts = {segment.first_word for segment in transcript.segments}
    out: list[Sentence] = []
    spoken: list[Word] = []
    previous_end = 0.0

    def close() -> None:
        nonlocal previous_end
        if not spoken:
            return
        start, end = spoken[0].start, spoken[-1].end
        out.append(Sentence(
            start=start, end=end, text=" ".join(w.text.strip() for w in spoken), word_count=len(spoken),
            words=tuple(t for w in spoken for t in tokens(w.text, w.start, w.probability)),
            pause_before=max(0.0, start - previous_end)))
        previous_end = end
        spoken.clear()

    for index, word in enumerate(transcript.words):
        if word.filler or index in filler_words or not word.text.strip():
            continue
        if spoken and _breaks(spoken, word, index in segment_starts):
            close()
        spoken.append(word)
        if SENTENCE_END.search(word.text.strip()):
            close()
    close()
    return out


def _breaks(spoken: list[Word], word: Word, starts_segment: bool) -> bool:
    """Whether `word` starts a new sentence although the one before it ended without a full stop."""
    pause = word.start - spoken[-1].end
    length = word.start - spoken[0].start
    return (pause >= SENTENCE_PAUSE_S or length >= MAX_SENTENCE_S
            or (length >= LONG_SENTENCE_S and (pause >= LONG_SENTENCE_PAUSE_S or starts_segment)))


def _from_segments(transcript: Transcript) -> list[Sentence]:
    """Sentences from segments alone (a transcript without words): each word gets its segment's start."""
    out: list[Sentence] = []
    previous_end = 0.0
    for segment in transcript.segments:
        text = segment.text.strip()
        if not text:
            continue
        out.append(Sentence(start=segment.start, end=segment.end, text=text, word_count=len(text.split()),
                            words=tuple(tokens(text, segment.start)),
                            pause_before=max(0.0, segment.start - previous_end)))
        previous_end = segment.end
    return out


def speech_rate_wpm(sents: list[Sentence]) -> float | None:
    """Words a minute while speaking: pauses between sentences do not count, pauses inside them do."""
    spoken_s = sum(s.duration for s in sents)
    words = sum(s.word_count for s in sents)
    if spoken_s <= 0.0 or words == 0:
        return None
    return 60.0 * words / spoken_s
