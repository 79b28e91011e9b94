"""Chapter titles: what the speaker says the chapter is about, or the phrase it is about and the others are not.

Speakers name a new topic as they start it ("now let us look at the slope of a tangent line", "our
fourth topic is floating point numbers"): when one of a chapter's opening sentences announces it
that way in at most six words, the announced words are the title. Otherwise the title is the
chapter's subject (keywords.section_phrases), so a lesson on derivatives does not title every chapter
"Derivative", joined by a second subject when one is nearly as strong ("Chloroplasts and Chlorophyll").
"""
from __future__ import annotations

import re

from .keywords import Words, section_phrases
from .text import Sentence, is_content, stop_words

MAX_TITLE_WORDS = 6
OPENING_SENTENCES = 2  # where a speaker announces a topic
PAIR_SHARE = 0.75  # a second phrase joins the title ("Chloroplasts and Chlorophyll") when it scores this share ...
PAIR_MENTIONS = 2  # ... and both are said at least this often in the chapter

# "<lead-in> <topic>": the topic runs to the end of its clause.
_ANNOUNCE = re.compile(
    r"\b(?:(?:let's|let us|we'll|we will|i'll|i will|we're going to|we are going to|i'm going to|i am going to|"
    r"we can|now we|we now|time to)\s+(?:now\s+)?(?:look at|talk about|turn to|move on to|move to|consider|discuss|"
    r"explore|focus on|start with|begin with|get to|come to|learn about|learn|study|see|cover)"
    r"|moving on to|turning to|(?:that|this) (?:brings|leads|takes) us to"
    r"|(?:our|the|my) (?:first|second|third|fourth|fifth|sixth|next|last|final|other) "
    r"(?:topic|part|step|stage|section|idea|question|subject) (?:is|will be)(?: called)?"
    r"|(?:lesson|lecture|video|talk|class|tutorial|session) (?:today )?(?:is )?(?:about|on))\s+(?P<topic>.+)",
    re.IGNORECASE)
# The topic's clause ends at punctuation or at a word that starts another clause ("integers and what happens").
_CLAUSE_END = re.compile(r"[,;:.!?]|\s(?:and\s+)?(?:which|that|who|what|how|why|when|because|but|so)\b", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
SMALL_WORDS = frozenset("a an and as at but by for from in into nor of on or over per the to via vs with".split())


def title_case(text: str) -> str:
    words = text.split()
    out = []
    for k, word in enumerate(words):
        acronym = word.isupper() and len(word) > 1
        small = 0 < k < len(words) - 1 and word in SMALL_WORDS
        out.append(word if acronym or small else word[:1].upper() + word[1:])
    return " ".join(out)


def titles(chapters: list[list[Sentence]]) -> list[str]:
    """One title a chapter (given as its sentences), distinct from each other where the words allow."""
    everything = Words([w for chapter in chapters for s in chapter for w in s.words])
    used: set[tuple[str, ...]] = set()
    out = []
    for number, chapter in enumerate(chapters):
        title = _title(chapter, everything, used)
        if not title:
            title = f"Part {number + 1}"
        elif title in out:  # the words allow no distinct title: number it
            title = " ".join([*title.split()[:MAX_TITLE_WORDS - 1], f"({number + 1})"])
        out.append(title)
    return out


def announced(sentence: str) -> str | None:
    """The topic a sentence announces ("now let us look at the slope" -> "slope"), if it is short enough."""
    match = _ANNOUNCE.search(sentence)
    if match is None:
        return None
    topic = _ARTICLE.sub("", _CLAUSE_END.split(match.group("topic"), maxsplit=1)[0].strip())
    words = topic.split()
    if not words or len(words) > MAX_TITLE_WORDS or not any(is_content(w.lower()) for w in words):
        return None
    return title_case(topic)


def _title(chapter: list[Sentence], everything: Words, used: set[tuple[str, ...]]) -> str:
    for sentence in chapter[:OPENING_SENTENCES]:
        topic = announced(sentence.text)
        if topic is not None:
            return topic
    scored = [(score, p) for score, p in section_phrases(chapter, everything)
              if p.stems not in used and len(p.stems) <= MAX_TITLE_WORDS]
    if not scored:
        return _from_first_sentence(chapter)
    best_score, best = scored[0]
    used.add(best.stems)
    text = best.text
    for score, other in scored[1:]:
        if score < PAIR_SHARE * best_score:
            break
        if (min(len(best.mentions), len(other.mentions)) >= PAIR_MENTIONS and not set(other.stems) & set(best.stems)
                and len(best.stems) + len(other.stems) + 1 <= MAX_TITLE_WORDS):
            used.add(other.stems)
            text = f"{best.text} and {other.text}"
            break
    return title_case(text)


def _from_first_sentence(chapter: list[Sentence]) -> str:
    """A chapter too short for keyphrases: its first words, without stop words at either end."""
    words = [w.surface for w in chapter[0].words][:MAX_TITLE_WORDS] if chapter else []
    stops = stop_words()
    while words and words[-1].lower() in stops:
        words.pop()
    while words and words[0].lower() in stops:
        words.pop(0)
    return title_case(" ".join(words))
