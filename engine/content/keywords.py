"""Keywords and key concepts of a transcript: YAKE's candidates, re-ranked for speech.

YAKE (statistical, no model, about 0.2 s to import and milliseconds a transcript) proposes
phrases. Spoken transcripts need more than its ranking: a one-off recognition error ("steamometer")
looks as unusual to YAKE as a real term, and a greeting ("good morning") as salient as a topic. So each
candidate is re-scored by how often it is said (topics recur), how sure the recogniser was of its
words, and whether it is mostly a piece of a better phrase ("floating" inside "floating point").
Concepts are the keywords that recur, with the times they are said.
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

from ..context import Concept, Keyword
from .text import Sentence, Token, stop_words, tokens

log = logging.getLogger(__name__)

MAX_NGRAM = 2
YAKE_CANDIDATES = 40
MIN_CONTENT_WORDS = 8  # fewer and there is nothing to rank
INSIDE_SHARE = 0.7  # a phrase said mostly inside a better phrase is that phrase's part, not a keyword
SECTION_WEIGHT = 0.8  # a chapter's own subject counts a little less than what the whole video keeps saying
MIN_SECTION_CONTENT_WORDS = 2
OPENING_SENTENCES = 2
OPENING_BONUS = 1.5
NOUN_PHRASE_OPENERS = frozenset(
    "the a an this that these those our your its their his her my of in on at to for with about from by".split())
NOUN_PHRASE_BONUS = 0.5
YAKE_POWER = 0.5  # YAKE's scores spread over decades; its square root keeps recurrence and confidence in play


class Words:
    """A run of spoken words with an index from stem to positions, so finding a phrase is a lookup."""

    def __init__(self, words: list[Token]) -> None:
        self.words = words
        self._at: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            self._at.setdefault(word.stem, []).append(i)

    def __getitem__(self, i: int) -> Token:
        return self.words[i]

    def content_count(self) -> int:
        return sum(w.content for w in self.words)

    def find(self, stems: tuple[str, ...]) -> list[int]:
        """Start indices of every occurrence of the stem sequence."""
        n = len(stems)
        return [i for i in self._at.get(stems[0], ())
                if i + n <= len(self.words) and all(self.words[i + k].stem == stems[k] for k in range(1, n))]

    def text(self, start: int, n: int) -> str:
        return " ".join(w.surface for w in self.words[start:start + n])


@dataclass
class Phrase:
    text: str  # as spoken most often, lower case
    stems: tuple[str, ...]
    yake: float  # YAKE's score: lower is better
    mentions: list[int]  # indices of its first word in the flat word list
    probability: float  # mean recognition confidence of its words over all mentions
    score: float = 0.0


def extract(sents: list[Sentence], sections: list[list[Sentence]] | None = None, max_keywords: int = 12,
            max_concepts: int = 8) -> tuple[list[Keyword], list[Concept]]:
    """Keywords and concepts of the whole transcript; `sections` (its chapters) add what each is about."""
    words = Words([w for s in sents for w in s.words])
    if words.content_count() < MIN_CONTENT_WORDS:
        return [], []
    phrases = rank(words, " ".join(s.text for s in sents))
    if sections and len(sections) > 1:
        phrases = _with_section_subjects(phrases, words, sections)
    keywords = [Keyword(text=p.text, score=round(p.score, 4)) for p in phrases[:max_keywords]]
    concepts = [Concept(text=p.text, score=round(p.score, 4), mentions=[round(words[i].start, 3) for i in p.mentions])
                for p in phrases[:max_keywords] if len(p.mentions) >= 2][:max_concepts]
    return keywords, concepts


def rank(words: Words, text: str, candidates: int = YAKE_CANDIDATES) -> list[Phrase]:
    """Phrases of `text` (whose words are `words`), best first, scores in (0, 1]."""
    from yake import KeywordExtractor  # imported here: the stage imports this module even without speech

    extractor = KeywordExtractor(lan="en", n=MAX_NGRAM, dedup_lim=0.9, top=candidates, stopwords=stop_words())
    by_stems: dict[tuple[str, ...], Phrase] = {}
    for candidate, yake_score in extractor.extract_keywords(text):
        parts = tokens(candidate, 0.0)
        # Numbers and stop words may sit inside a phrase ("rise over run"), never at its ends.
        if not parts or not (parts[0].content and parts[-1].content):
            continue
        stems = tuple(t.stem for t in parts)
        known = by_stems.get(stems)
        if known is not None:  # "derivative" and "derivatives": one phrase, YAKE's better score
            known.yake = min(known.yake, yake_score)
            continue
        mentions = words.find(stems)
        if not mentions:
            continue
        by_stems[stems] = Phrase(text=_most_said(words, mentions, len(stems)), stems=stems, yake=yake_score,
                                 mentions=mentions, probability=_confidence(words, mentions, len(stems)))
    phrases = list(by_stems.values())
    if not phrases:
        return []
    best_yake = min(p.yake for p in phrases)
    for p in phrases:
        # YAKE relative to the best; recurrence saturates (said 5 times is not 5 times as topical as once).
        p.score = (best_yake / p.yake) ** YAKE_POWER * (1.0 - math.exp(-len(p.mentions) / 2.0)) * p.probability
    phrases = [p for p in phrases if not _mostly_inside(p, phrases)]
    phrases.sort(key=lambda p: (-p.score, p.text))
    top = phrases[0].score
    for p in phrases:
        p.score /= top
    log.debug("keywords: %s", [(p.text, round(p.score, 3), len(p.mentions)) for p in phrases[:15]])
    return phrases


def section_phrases(section: list[Sentence], everything: Words) -> list[tuple[float, Phrase]]:
    """What a section (a chapter) is about and the rest of the video is not, best first, with scores.

    Its own keyphrases are weighed by the share of the whole video's mentions said in it, so words used
    everywhere gain nothing; by whether its opening sentences say them, because a speaker names a new
    topic as they start it; and by how often they follow a determiner or preposition, because a topic
    is a noun phrase ("the power rule", not "rule makes").
    """
    words = Words([w for s in section for w in s.words])
    if words.content_count() < MIN_SECTION_CONTENT_WORDS:
        return []
    opening = sum(len(s.words) for s in section[:OPENING_SENTENCES])
    said = Counter(w.stem for w in words.words if w.content)
    scored = []
    for p in rank(words, " ".join(s.text for s in section)):
        share = len(p.mentions) / max(1, len(everything.find(p.stems)))
        opens = OPENING_BONUS if p.mentions[0] < opening else 1.0
        after_opener = sum(m > 0 and words[m - 1].surface in NOUN_PHRASE_OPENERS for m in p.mentions)
        noun_phrase = 1.0 + NOUN_PHRASE_BONUS * after_opener / len(p.mentions)
        # A phrase said once is still the topic when its words recur ("honey bee", then "bees" and "worker bees").
        content = [said[stem] for stem in p.stems if stem in said]
        recurrence = 1.0 - math.exp(-(sum(content) / len(content)) / 2.0) if content else 0.0
        scored.append((p.score * share * opens * noun_phrase * recurrence, p))
    scored.sort(key=lambda sp: (-sp[0], sp[1].text))
    return scored


def _with_section_subjects(phrases: list[Phrase], words: Words, sections: list[list[Sentence]]) -> list[Phrase]:
    """Add each section's subject: a chapter's subject may be said only once or twice ("the power rule" in a
    short lesson) and still be one of the things the video is about."""
    by_stems = {p.stems: p for p in phrases}
    for section in sections:
        ranked = section_phrases(section, words)
        if not ranked:
            continue
        score, local = ranked[0]
        overall = by_stems.setdefault(local.stems, Phrase(text=local.text, stems=local.stems, yake=local.yake,
                                                          mentions=words.find(local.stems),
                                                          probability=local.probability))
        overall.score = max(overall.score, SECTION_WEIGHT * min(1.0, score))
    return sorted(by_stems.values(), key=lambda p: (-p.score, p.text))


def _most_said(words: Words, mentions: list[int], n: int) -> str:
    said = Counter(words.text(i, n) for i in mentions)
    return max(sorted(said), key=said.__getitem__)


def _confidence(words: Words, mentions: list[int], n: int) -> float:
    probabilities = [w.probability for i in mentions for w in words.words[i:i + n] if w.content]
    return sum(probabilities) / len(probabilities) if probabilities else 0.0


def _mostly_inside(phrase: Phrase, phrases: list[Phrase]) -> bool:
    """Whether most mentions of `phrase` fall inside mentions of longer phrases that recur."""
    covered: set[int] = set()
    n = len(phrase.stems)
    for other in phrases:
        if len(other.stems) <= n or len(other.mentions) < 2:
            continue
        for k in range(len(other.stems) - n + 1):
            if other.stems[k:k + n] == phrase.stems:
                covered.update(m + k for m in other.mentions)
    return sum(m in covered for m in phrase.mentions) >= INSIDE_SHARE * len(phrase.mentions)
