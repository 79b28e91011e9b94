"""Sentences and content words as content analysis reads a transcript."""
from __future__ import annotations

from engine.content.text import sentences, speech_rate_wpm, stem, tokens
from engine.context import Filler, Transcript, TranscriptSegment, Word

from .inputs import lecture


def _transcript(spoken: list[tuple[str, float]], fillers: list[int] = ()) -> Transcript:
    words = [Word(text=text, start=t, end=t + 0.3, probability=0.9) for text, t in spoken]
    return Transcript(model="t", language="en", words=words,
                      segments=[TranscriptSegment(start=words[0].start, end=words[-1].end, text="x", first_word=0,
                                                  last_word=len(words) - 1)],
                      fillers=[Filler(word=i, start=words[i].start, end=words[i].end, text=words[i].text,
                                      confidence=0.9, acoustic=True) for i in fillers])


def test_sentences_end_at_full_stops_and_long_pauses_and_leave_fillers_out():
    t = _transcript([("Slopes", 0.0), ("matter.", 0.4), ("Um,", 0.9), ("the", 1.3), ("tangent", 1.7), ("line", 2.1),
                     ("again", 4.0), ("here", 4.4)], fillers=[2])
    got = sentences(t)
    assert [s.text for s in got] == ["Slopes matter.", "the tangent line", "again here"]
    assert got[1].pause_before == 1.3 - 0.7  # the filler counts as part of the pause
    assert [w.stem for w in got[0].tokens] == ["slope", "matter"]
    assert [w.surface for w in got[1].words] == ["the", "tangent", "line"]


def test_a_run_without_full_stops_is_cut_into_sentences():
    spoken = [(f"word{i % 7}", i * 0.4) for i in range(100)]  # 40 s, no punctuation, no pauses
    assert max(s.duration for s in sentences(_transcript(spoken))) <= 20.0


def test_the_sample_has_its_sentences(sample_transcript):
    got = sentences(sample_transcript)
    assert 12 <= len(got) <= 18  # the script has 15 sentences
    assert got[0].text.startswith("Welcome")
    assert any(s.text.startswith("Finally") and 46.0 < s.start < 50.0 for s in got)


def test_plurals_fold_and_acronyms_keep_their_capitals():
    assert {stem("derivatives"), stem("derivative")} == {"derivative"}
    assert stem("stories") == "story" and stem("boxes") == "box" and stem("class") == "class"
    assert [t.surface for t in tokens("ATP and NADPH", 0.0)] == ["ATP", "and", "NADPH"]
    assert [t.content for t in tokens("the 10 speedometers", 0.0)] == [False, True]


def test_speech_rate_counts_speaking_time_not_pauses():
    slow_pauses = lecture("lecture_photo.txt", words_per_second=2.5, pause=2.0)
    rate = speech_rate_wpm(sentences(slow_pauses.transcript))
    assert 150.0 <= rate <= 160.0  # 2.5 words a second is 150 a minute; sentence ends add a little
    assert speech_rate_wpm([]) is None
