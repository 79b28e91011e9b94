"""Content type detection: educational, music or general, from measured signals."""
from __future__ import annotations

from engine.content.content_type import classify, measure
from engine.content.text import sentences
from engine.context import MusicAnalysis, Transcript, TranscriptSegment, Word

from .inputs import SAMPLE_DURATION, lecture, slides, speech_audio


def _sung(lines: list[str], repeats: int, gap: float = 6.0) -> tuple[Transcript, float]:
    """Lyrics: the lines sung `repeats` times with long instrumental gaps between them."""
    words, segments, t = [], [], 2.0
    for _ in range(repeats):
        for line in lines:
            first = len(words)
            for text in line.split():
                words.append(Word(text=text, start=t, end=t + 0.4, probability=0.7))
                t += 0.5
            segments.append(TranscriptSegment(start=words[first].start, end=words[-1].end, text=line,
                                              first_word=first, last_word=len(words) - 1))
            t += gap
    return Transcript(model="t", language="en", words=words, segments=segments), t


def _music(duration: float, confidence: float = 0.9) -> MusicAnalysis:
    beats = [i * 0.5 for i in range(int(duration / 0.5))]
    return MusicAnalysis(tempo_bpm=120.0, beats=beats, downbeats=beats[::4], confidence=confidence)


def test_the_sample_is_educational(sample_transcript):
    verdict = classify(measure(sentences(sample_transcript), SAMPLE_DURATION, speech_audio(SAMPLE_DURATION),
                               slides([26.5])))
    assert verdict.content_type == "educational"
    assert verdict.confidence > 0.55
    assert "teaching phrases" in verdict.reason and verdict.reason.startswith("educational:")


def test_an_audio_only_lecture_is_educational():
    talk = lecture("lecture_numbers.txt")
    verdict = classify(measure(sentences(talk.transcript), talk.duration, speech_audio(talk.duration), None))
    assert verdict.content_type == "educational"


def test_confident_music_with_almost_no_words_is_music():
    transcript, _ = _sung(["oh yeah"], repeats=2)
    duration = 180.0
    verdict = classify(measure(sentences(transcript), duration, speech_audio(duration, music=_music(duration)),
                               slides([float(t) for t in range(0, 180, 4)])))
    assert verdict.content_type == "music"
    assert verdict.confidence > 0.6
    assert "music confidence 0.90" in verdict.reason


def test_a_song_with_a_chorus_is_music():
    transcript, duration = _sung(["you are my sunshine my only sunshine", "you make me happy when skies are grey",
                                  "please don't take my sunshine away"], repeats=4, gap=2.0)
    verdict = classify(measure(sentences(transcript), duration, speech_audio(duration, music=_music(duration)), None))
    assert verdict.content_type == "music"
    assert "lines repeated" in verdict.reason


def test_a_chat_is_general():
    chat = lecture("chat.txt")
    verdict = classify(measure(sentences(chat.transcript), chat.duration, speech_audio(chat.duration),
                               slides([5.0, 12.0, 20.0, 31.0, 40.0])))
    assert verdict.content_type == "general"
    assert "chat words" in verdict.reason


def test_a_lecture_over_a_weak_beat_stays_educational():
    talk = lecture("lecture_photo.txt")
    audio = speech_audio(talk.duration, music=_music(talk.duration, confidence=0.3))
    assert classify(measure(sentences(talk.transcript), talk.duration, audio, None)).content_type == "educational"


def test_a_silent_video_is_general_without_evidence():
    verdict = classify(measure([], 30.0, None, slides([])))
    assert verdict.content_type == "general"
    assert "no speech" in verdict.reason


def test_without_a_music_analysis_nothing_is_called_music():
    verdict = classify(measure([], 120.0, speech_audio(120.0), None))
    assert verdict.content_type == "general"
