"""Chapters: topic boundaries, their number for the duration, and their titles."""
from __future__ import annotations

import pytest

from engine.content.chapters import max_chapters, min_chapter_s, segment
from engine.content.text import sentences
from engine.content.titles import announced, title_case, titles

from .inputs import SAMPLE_DURATION, lecture


def _near(t: float, changes: list[float], within: float = 10.0) -> bool:
    return any(abs(t - c) <= within for c in changes)


def _titles(sents, boundaries):
    cuts = [0] + [b.index for b in boundaries] + [len(sents)]
    return titles([sents[a:b] for a, b in zip(cuts, cuts[1:])])


@pytest.mark.parametrize("shots", [[26.5], []], ids=["with slides", "audio only"])
def test_the_sample_has_its_three_topics(sample_transcript, truth, shots):
    sents = sentences(sample_transcript)
    boundaries = segment(sents, SAMPLE_DURATION, shots)
    starts = [0.0] + [b.t for b in boundaries]
    changes = [topic["start"] for topic in truth["topics"][1:]]  # 26.5 s and 48.0 s
    assert len(starts) == len(truth["topics"]) == 3
    assert all(_near(t, [c]) for t, c in zip(starts[1:], changes))
    assert min(b - a for a, b in zip(starts, starts[1:] + [SAMPLE_DURATION])) >= 10.0
    names = _titles(sents, boundaries)
    assert all(1 <= len(name.split()) <= 6 and name == title_case(name.lower()) for name in names)
    assert "Power Rule" in names[2] and "Slope" in names[1]


def test_a_lecture_of_topic_distinct_paragraphs_is_cut_where_they_change():
    # No cue phrases and no pauses at the changes: only the words tell where topics change.
    talk = lecture("topics.txt", words_per_second=2.0)
    boundaries = segment(sentences(talk.transcript), talk.duration)
    assert len(boundaries) + 1 == len(talk.topic_starts) == 6
    assert all(_near(b.t, talk.topic_starts[1:]) for b in boundaries)


def test_cue_phrases_place_the_boundaries_of_a_real_lecture():
    talk = lecture("lecture_photo.txt", "lecture_numbers.txt")  # 11 topics in 8.6 minutes
    sents = sentences(talk.transcript)
    boundaries = segment(sents, talk.duration)
    assert len(boundaries) + 1 == max_chapters(talk.duration) == 7  # capped: not every subtopic is a chapter
    assert all(_near(b.t, talk.topic_starts[1:]) for b in boundaries)
    names = _titles(sents, boundaries)
    assert "Calvin Cycle" in names and "Floating Point Numbers" in names


def test_a_fifteen_minute_lecture_gets_a_handful_of_long_chapters():
    talk = lecture("lecture_numbers.txt", "lecture_photo.txt", "topics.txt", "sourdough.txt")
    assert 14 * 60 < talk.duration < 17 * 60
    boundaries = segment(sentences(talk.transcript), talk.duration)
    starts = [0.0] + [b.t for b in boundaries] + [talk.duration]
    assert 4 <= len(starts) - 1 <= 8
    assert min(b - a for a, b in zip(starts, starts[1:])) >= min_chapter_s(talk.duration) >= 40.0
    hits = sum(_near(b.t, talk.topic_starts[1:]) for b in boundaries)
    assert hits >= len(boundaries) - 1


def test_the_cap_grows_slower_than_the_duration():
    assert [max_chapters(minutes * 60) for minutes in (1, 5, 15, 60)] == [4, 6, 8, 12]
    assert min_chapter_s(30.0) == 10.0


def test_too_little_speech_gives_no_boundaries():
    talk = lecture("chat.txt")
    assert segment(sentences(talk.transcript)[:2], talk.duration) == []
    assert segment([], 600.0) == []


def test_titles_come_from_announcements_or_keyphrases():
    assert announced("Now let us look at the slope of a tangent line.") == "Slope of a Tangent Line"
    assert announced("Our fourth topic is floating point numbers.") == "Floating Point Numbers"
    assert announced("Next, we will talk about integers and what happens when they overflow.") == "Integers"
    assert announced("The second stage is the Calvin cycle, which happens in the stroma.") == "Calvin Cycle"
    assert announced("Let us look at this.") is None  # no content word
    assert announced("Today we will study the long and winding history of the Roman empire in Europe") is None
    assert title_case("rate of photosynthesis and the ATP cycle") == "Rate of Photosynthesis and the ATP Cycle"
    talk = lecture("topics.txt")
    sents = sentences(talk.transcript)
    cuts = [next(i for i, s in enumerate(sents) if s.start >= t) for t in talk.topic_starts] + [len(sents)]
    names = titles([sents[a:b] for a, b in zip(cuts, cuts[1:])])
    assert len(set(names)) == len(names) == 6
    assert names[0] == "Volcanoes" and names[2] == "Bread"
