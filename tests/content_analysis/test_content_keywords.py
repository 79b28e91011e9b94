"""Keywords and concepts: YAKE's candidates re-ranked for speech."""
from __future__ import annotations

from engine.content.chapters import segment
from engine.content.keywords import extract
from engine.content.text import sentences, stem

from .inputs import SAMPLE_DURATION, lecture


def _chapters(sents, duration, shots=()):
    cuts = [0] + [b.index for b in segment(sents, duration, list(shots))] + [len(sents)]
    return [sents[a:b] for a, b in zip(cuts, cuts[1:])]


def test_the_sample_keywords_name_the_lesson_topics(sample_transcript):
    sents = sentences(sample_transcript)
    keywords, concepts = extract(sents, _chapters(sents, SAMPLE_DURATION, [26.5]))
    top = [k.text for k in keywords[:8]]
    for topic in ("derivative", "slope", "tangent line", "power rule"):
        assert topic in top, (topic, top)
    # Whisper's one-off mishearings are not keywords.
    assert not any("steam" in k.text for k in keywords)
    scores = [k.score for k in keywords]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0 and all(0 < s <= 1 for s in scores)


def test_concepts_recur_and_carry_the_times_they_are_said(sample_transcript):
    sents = sentences(sample_transcript)
    _, concepts = extract(sents)
    said = {(w.stem, w.start) for s in sents for w in s.words}
    derivative = next(c for c in concepts if c.text == "derivative")
    assert len(derivative.mentions) >= 5  # said six times in the script
    for concept in concepts:
        assert len(concept.mentions) >= 2 and concept.mentions == sorted(concept.mentions)
        first_stem = stem(concept.text.split()[0])
        assert all((first_stem, t) in said for t in concept.mentions)


def test_a_longer_lecture_keeps_its_terms_and_not_the_parts_of_them():
    talk = lecture("lecture_numbers.txt")
    sents = sentences(talk.transcript)
    keywords, concepts = extract(sents, _chapters(sents, talk.duration))
    top = [k.text for k in keywords[:10]]
    for term in ("floating point", "hexadecimal", "binary", "overflow"):
        assert term in top, (term, top)
    assert "floating" not in [k.text for k in keywords]  # said only inside "floating point"
    assert len(concepts) == 8


def test_too_few_words_give_nothing():
    short = lecture("chat.txt").transcript
    assert extract(sentences(short)[:1]) == ([], [])
    assert extract([]) == ([], [])
