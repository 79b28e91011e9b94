"""Engagement and emotional peaks."""
from __future__ import annotations

from engine.content.keywords import extract
from engine.content.peaks import MIN_SPACING_S, find_peaks
from engine.content.text import sentences
from engine.context import Emphasis, Loudness, MusicAnalysis, Transcript, TranscriptSegment, Word

from .inputs import SAMPLE_DURATION, lecture, speech_audio


def test_the_samples_strongest_peak_is_its_most_important_idea(sample_transcript, truth):
    sents = sentences(sample_transcript)
    _, concepts = extract(sents)
    peaks = find_peaks(sents, SAMPLE_DURATION, speech_audio(SAMPLE_DURATION), concepts)
    best = max(peaks, key=lambda p: p.score)
    said = truth["emphasis"][0]  # "This is the most important idea today!"
    assert said["start"] - 1.0 <= best.t <= said["end"]
    assert best.kind == "engagement" and "most important" in best.reason
    assert 2 <= len(peaks) <= 3  # about two a minute, at least this far apart:
    assert all(b.t - a.t >= MIN_SPACING_S for a, b in zip(peaks, peaks[1:]))


def test_emphasis_and_exclamations_are_emotion():
    talk = lecture("chat.txt")
    sents = sentences(talk.transcript)
    target = next(s for s in sents if "road trip" in s.text)
    emphasis = Emphasis(start=target.start + 1.0, end=target.start + 2.0, loudness_db=7.0, pitch_semitones=4.0,
                        score=0.9)
    peaks = find_peaks(sents, talk.duration, speech_audio(talk.duration, emphasis=[emphasis]), [])
    at_emphasis = next(p for p in peaks if p.t == emphasis.start)
    assert at_emphasis.kind == "emotion" and "emphasis (+7 dB, +4 semitones)" in at_emphasis.reason


def test_exclamations_are_emotion_and_questions_engagement():
    lines = ["Here is a plain sentence about rocks.", "I can't believe this actually worked!",
             "Another plain sentence about rocks.", "So why does the rock float on water?"]
    words, segments = [], []
    for k, line in enumerate(lines):
        first = len(words)
        words += [Word(text=w, start=20.0 * k + 0.4 * i, end=20.0 * k + 0.4 * i + 0.3, probability=0.9)
                  for i, w in enumerate(line.split())]
        segments.append(TranscriptSegment(start=words[first].start, end=words[-1].end, text=line, first_word=first,
                                          last_word=len(words) - 1))
    sents = sentences(Transcript(model="t", language="en", words=words, segments=segments))
    peaks = {p.t: p for p in find_peaks(sents, 80.0, None, [])}
    assert peaks[20.0].kind == "emotion" and "exclamation" in peaks[20.0].reason
    assert "can't believe" in peaks[20.0].reason
    assert peaks[60.0].kind == "engagement" and "asks a question" in peaks[60.0].reason
    assert 0.0 not in peaks and 40.0 not in peaks  # plain sentences are no peaks


def test_a_loud_stretch_of_speech_counts():
    talk = lecture("lecture_photo.txt")
    sents = sentences(talk.transcript)
    levels = [-23.0] * int(talk.duration)
    target = sents[20]
    for i in range(int(target.start), int(target.end)):
        levels[i] = -15.0
    loudness = Loudness(integrated_lufs=-23.0, true_peak_dbtp=-1.0, loudness_range_lu=6.0, short_term_hop_s=1.0,
                        short_term_lufs=levels)
    peaks = find_peaks(sents, talk.duration, speech_audio(talk.duration, loudness=loudness), [])
    assert any(p.t == target.start and "8.0 LU louder" in p.reason for p in peaks)


def test_music_peaks_are_its_loudest_moments_on_a_downbeat():
    duration = 120.0
    levels = [-20.0 + (6.0 if 60 <= i < 64 else 0.0) + (3.0 if 20 <= i < 22 else 0.0) for i in range(118)]
    loudness = Loudness(integrated_lufs=-19.0, true_peak_dbtp=-1.0, loudness_range_lu=8.0, short_term_hop_s=1.0,
                        short_term_lufs=levels)
    beats = [i * 0.5 for i in range(240)]
    music = MusicAnalysis(tempo_bpm=120.0, beats=beats, downbeats=beats[::4], confidence=0.9)
    peaks = find_peaks([], duration, speech_audio(duration, loudness=loudness, music=music), [], music=True)
    assert peaks and max(peaks, key=lambda p: p.score).t in music.downbeats
    loudest = max(peaks, key=lambda p: p.score)
    assert 60.0 <= loudest.t <= 66.0 and loudest.kind == "emotion" and "energy peak" in loudest.reason


def test_no_audio_and_no_speech_gives_no_peaks():
    assert find_peaks([], 60.0, None, [], music=True) == []
