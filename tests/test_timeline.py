"""timeline.json validation and the dead-air rules, on small hand-made cases."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from engine.errors import ProjectError
from engine.plan.deadair import DeadAirRules, keep_spans
from engine.timeline import Clip, MediaRef, Timeline, Track, load_timeline, save_timeline, validate


def timeline_with(clips: list[Clip], media: list[MediaRef] | None = None) -> Timeline:
    media = media or [MediaRef(id="source", role="source", path="/footage/talk.mp4", duration_frames=300,
                               has_video=True, has_audio=True)]
    return Timeline(rate=Fraction(30000, 1001), media=media, tracks=[Track(id="V1", kind="video", clips=clips)])


def clip(cid: str, a: int, b: int, start: int, media: str = "source") -> Clip:
    return Clip(id=cid, media=media, source_in=a, source_out=b, start=start)


def test_round_trip_keeps_the_exact_rate(tmp_path: Path) -> None:
    save_timeline(tmp_path, timeline_with([clip("v0", 0, 30, 0), clip("v1", 60, 90, 30)]))
    loaded = load_timeline(tmp_path)
    assert loaded.rate == Fraction(30000, 1001)
    assert '"rate": "30000/1001"' in (tmp_path / "timeline.json").read_text()
    assert loaded.duration_frames == 60


@pytest.mark.parametrize("clips, problem", [
    ([clip("v0", 0, 30, 0), clip("v1", 60, 90, 20)], "overlaps"),
    ([clip("v0", 0, 400, 0)], "past the end"),
    ([clip("v0", 0, 30, 0, media="nope")], "unknown media"),
    ([clip("v0", 30, 30, 0)], "no frames"),
])
def test_invalid_tracks_are_refused(tmp_path: Path, clips, problem: str) -> None:
    with pytest.raises(ProjectError, match=problem):
        validate(timeline_with(clips), tmp_path)


@pytest.mark.parametrize("path", ["../outside.mp4", "/etc/passwd", "sub/../../x.mp4"])
def test_asset_paths_stay_inside_the_project(tmp_path: Path, path: str) -> None:
    media = [MediaRef(id="source", role="source", path="/footage/talk.mp4", duration_frames=300, has_video=True,
                      has_audio=True),
             MediaRef(id="broll", role="asset", path=path, duration_frames=30, has_video=True, has_audio=False)]
    with pytest.raises(ProjectError, match="leaves the project folder"):
        validate(timeline_with([clip("v0", 0, 30, 0)], media), tmp_path)


def test_a_bad_file_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "timeline.json").write_text('{"schema": "ai-video-editor/timeline", "rate": "x/y"}')
    with pytest.raises(ProjectError, match=r"timeline.json: invalid timeline \(rate"):
        load_timeline(tmp_path)


RULES = DeadAirRules(margin_before=0.1, margin_after=0.1, min_cut=0.4, min_clip=0.15)


def test_short_pauses_stay_and_long_ones_go() -> None:
    sound = [(1.0, 2.0), (2.3, 3.0), (5.0, 6.0)]  # a 0.3 s pause, then a 2 s pause
    assert keep_spans(sound, 10.0, RULES) == [(0.9, 3.1), (4.9, 6.1)]


def test_blips_are_not_speech() -> None:
    assert keep_spans([(1.0, 1.05), (4.0, 5.0)], 10.0, RULES) == [(3.9, 5.1)]


def test_margins_stop_at_the_clip_edges() -> None:
    assert keep_spans([(0.02, 1.0), (9.0, 9.98)], 10.0, RULES) == [(0.0, 1.1), (8.9, 10.0)]
