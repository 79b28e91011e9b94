"""Captions of the edited sample: they parse, say the kept words, keep the limits, and follow the cuts."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import srt
import webvtt

from engine.context import Transcript, Word
from engine.export.captions import (MAX_CUE_S, MAX_LINE, TimedWord, build_cues, edited_words, to_srt, to_vtt,
                                    wrap)
from engine.stages import captions
from engine.stages.base import EventWriter, StageJob
from engine.timeline import TIMELINE_FILE, Clip, Timeline, load_timeline

from speech_sample import transcribed_sample

Ranges = list[tuple[float, float, float]]  # source start, source end, edited start (seconds)


@pytest.fixture(scope="module")
def project(processed: Path, tmp_path_factory) -> Path:
    """The processed sample's timeline with captions written by the captions stage."""
    folder = tmp_path_factory.mktemp("captions")
    shutil.copy(processed / TIMELINE_FILE, folder / TIMELINE_FILE)
    result = captions.run(StageJob("captions", folder, transcribed_sample().ctx, EventWriter(io.StringIO())))
    assert result.outputs == {"captions_srt": "captions.srt", "captions_vtt": "captions.vtt"}
    return folder


@pytest.fixture(scope="module")
def transcript() -> Transcript:
    return transcribed_sample().transcript


def kept_ranges(timeline: Timeline) -> Ranges:
    """The source ranges the edit keeps (clips of the footage itself, on the audio track), in source order."""
    track = timeline.track("audio") or timeline.track("video")
    rate = timeline.rate
    return sorted((float(c.source_in / rate), float(c.source_out / rate), float(c.start / rate))
                  for c in track.clips if timeline.media_by_id(c.media).role == "source")


def kept_words(words: list[Word], ranges: Ranges) -> list[Word]:
    """Words at least half of whose span the edit keeps."""
    def kept(w: Word) -> bool:
        inside = sum(max(0.0, min(w.end, b) - max(w.start, a)) for a, b, _ in ranges)
        return inside >= 0.5 * (w.end - w.start) if w.end > w.start else any(a <= w.start < b for a, b, _ in ranges)
    return [w for w in words if kept(w)]


def edited_time(t: float, ranges: Ranges) -> float:
    """Where source time t lands in the edit; a time in a cut lands where the next kept part starts."""
    a, _, edited = next(r for r in ranges if r[1] > t)
    return edited + max(0.0, t - a)


def cue_words(subtitles) -> list[list[str]]:
    return [s.content.split() for s in subtitles]


def test_files_parse_and_agree(project: Path) -> None:
    subs = list(srt.parse((project / "captions.srt").read_text(encoding="utf-8")))
    vtt = list(webvtt.read(str(project / "captions.vtt")))
    assert len(subs) == len(vtt) >= 10
    for s, v in zip(subs, vtt):
        assert s.content == v.text
        assert v.start == srt.timedelta_to_srt_timestamp(s.start).replace(",", ".")
        assert v.end == srt.timedelta_to_srt_timestamp(s.end).replace(",", ".")
    assert not [p.name for p in project.iterdir() if ".part" in p.name]


def test_text_is_the_kept_words(project: Path, transcript: Transcript) -> None:
    subs = list(srt.parse((project / "captions.srt").read_text(encoding="utf-8")))
    ranges = kept_ranges(load_timeline(project))
    expected = [w.text for w in kept_words(transcript.words, ranges)]
    assert [t for cue in cue_words(subs) for t in cue] == expected


def test_limits(project: Path) -> None:
    subs = list(srt.parse((project / "captions.srt").read_text(encoding="utf-8")))
    for s in subs:
        lines = s.content.split("\n")
        assert 1 <= len(lines) <= 2 and all(0 < len(line) <= MAX_LINE for line in lines), s
        assert 0 < (s.end - s.start).total_seconds() <= MAX_CUE_S, s
    for a, b in zip(subs, subs[1:]):
        assert a.end <= b.start
    # Sentence ends close cues: no cue runs on from one sentence into the next.
    for s in subs:
        assert not any(t[-1] in ".?!" for t in s.content.split()[:-1]), s.content


def test_times_are_on_the_edited_timeline(project: Path, transcript: Transcript) -> None:
    subs = list(srt.parse((project / "captions.srt").read_text(encoding="utf-8")))
    ranges = kept_ranges(load_timeline(project))
    words = kept_words(transcript.words, ranges)
    position, shifted = 0, 0
    for s in subs:
        first = words[position]
        expected = edited_time(first.start, ranges)
        assert abs(s.start.total_seconds() - expected) <= 0.0015, (s, first)
        shifted += first.start - expected > 1.0  # later words come earlier by everything cut before them
        position += len(s.content.split())
    assert shifted >= len(subs) // 2


def cut_out(timeline: Timeline, start_s: float, end_s: float) -> Timeline:
    """The timeline with source time start_s..end_s removed from every track (whole frames)."""
    rate = timeline.rate
    first, last = int(start_s * rate), -int(-end_s * rate // 1)
    tracks = []
    for track in timeline.tracks:
        clips, position = [], 0
        for clip in track.clips:
            for a, b in ((clip.source_in, min(clip.source_out, first)), (max(clip.source_in, last), clip.source_out)):
                if b > a:
                    clips.append(Clip(id=f"{clip.id}.{a}", media=clip.media, source_in=a, source_out=b, start=position))
                    position += b - a
        tracks.append(track.model_copy(update={"clips": clips}))
    return timeline.model_copy(update={"tracks": tracks})


def uncut(timeline: Timeline) -> Timeline:
    """The same timeline keeping the whole source: one clip a track (the sample's plan already cuts the
    retake and fillers, and this test makes those cuts itself)."""
    total = timeline.media_by_id("source").duration_frames
    tracks = [t.model_copy(update={"clips": [Clip(id=f"{t.id}-all", media="source", source_in=0, source_out=total,
                                                  start=0)]}) for t in timeline.tracks if t.kind != "overlay"]
    return timeline.model_copy(update={"tracks": tracks})


def test_cut_retake_and_fillers_vanish_from_captions(project: Path, transcript: Transcript) -> None:
    timeline = uncut(load_timeline(project))
    retake = transcript.retakes[0]
    edited = cut_out(timeline, retake.abandoned.start, retake.abandoned.end)
    for filler in transcript.fillers:
        edited = cut_out(edited, filler.start, filler.end)
    before = build_cues(edited_words(transcript.words, timeline))
    after = build_cues(edited_words(transcript.words, edited))
    text = " ".join(" ".join(c.lines) for c in after)
    assert retake.abandoned_text not in text and retake.repeat_text in text
    assert not any(w.filler for w in kept_words(transcript.words, kept_ranges(edited)))
    # The repeat's cue comes earlier by at least the cut take's length (to a frame).
    word = next(w for w in transcript.words if w.start >= retake.repeat.start)
    was, now = edited_time(word.start, kept_ranges(timeline)), edited_time(word.start, kept_ranges(edited))
    assert any(abs(c.start - was) < 1e-3 for c in before) and any(abs(c.start - now) < 1e-3 for c in after)
    assert was - now >= retake.abandoned.end - retake.abandoned.start - 1 / float(timeline.rate)


def timed(text: str, start: float = 0.0, step: float = 0.3) -> list[TimedWord]:
    return [TimedWord(t, start + i * step, start + i * step + step * 0.8) for i, t in enumerate(text.split())]


def test_long_speech_is_split_into_legal_cues() -> None:
    words = timed(" ".join(["derivative"] * 60))  # 18 s, 660 characters, no punctuation, no pause
    cues = build_cues(words)
    assert [t for c in cues for line in c.lines for t in line.split()] == [w.text for w in words]
    for cue in cues:
        assert len(cue.lines) <= 2 and all(len(line) <= MAX_LINE for line in cue.lines)
        assert cue.end - cue.start <= MAX_CUE_S


def test_cues_break_at_sentences_pauses_and_commas() -> None:
    words = timed("Hello there. This is it") + timed("after a pause", start=3.0)
    assert [" ".join(c.lines) for c in build_cues(words)] == ["Hello there.", "This is it", "after a pause"]
    long = timed("At one second the car has moved ten meters, at two seconds forty meters, and at three "
                 "seconds ninety meters in all of the time we had")
    first = build_cues(long)[0]
    assert " ".join(first.lines).endswith(",")


def test_wrap_balances_two_lines() -> None:
    assert wrap(["short", "line"]) == ["short line"]
    lines = wrap("The derivative of x squared is two x and that is all".split())
    assert lines is not None and len(lines) == 2 and abs(len(lines[0]) - len(lines[1])) <= 8
    assert wrap(["x" * 40, "y" * 40, "z" * 10]) is None


def test_formats_escape_and_number() -> None:
    cues = build_cues(timed("a < b & c"))
    vtt = to_vtt(cues)
    assert vtt.startswith("WEBVTT\n\n") and "a &lt; b &amp; c" in vtt
    assert to_srt(cues).startswith("1\n00:00:00,000 --> 00:00:01,")
