"""The Sequencer import's plan, outside Blender: frame rates, runs of cuts, zoom keys, overlays, captions."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from addon import layout, vse_plan
from addon.vse_plan import FRAME_ORIGIN, Piece, Run

SOURCE = {"id": "source", "role": "source", "path": "/media/talk.mp4", "duration_frames": 10_000, "has_video": True,
          "has_audio": True}


def timeline(clips: list[tuple[int, int, int]], **extra) -> dict:
    """A timeline of (source_in, source_out, start) clips on a video and an audio track."""
    video = [{"id": f"v{i}", "media": "source", "source_in": a, "source_out": b, "start": s}
             for i, (a, b, s) in enumerate(clips)]
    audio = [{**c, "id": f"a{i}"} for i, c in enumerate(video)]
    tracks = [{"id": "V1", "kind": "video", "clips": video, "effects": extra.pop("effects", []), "transitions": [],
               "layers": []},
              {"id": "A1", "kind": "audio", "clips": audio, "effects": [], "transitions": [], "layers": []}]
    tracks += extra.pop("overlays", [])
    return {"schema": "ai-video-editor/timeline", "version": 1, "rate": extra.pop("rate", "30/1"), "width": 1920,
            "height": 1080, "media": [SOURCE, *extra.pop("media", [])], "tracks": tracks, "decisions": []}


@pytest.mark.parametrize("rate", ["30/1", "30000/1001", "24000/1001", "25/1", "60000/1001", "48/1"])
def test_scene_rate_is_exact(rate: str) -> None:
    fps, base = vse_plan.scene_rate(Fraction(rate))
    assert Fraction(fps) / Fraction(base) == Fraction(rate)


def test_dead_air_edit_is_one_run_per_track() -> None:
    plan = vse_plan.build_plan(timeline([(10, 40, 0), (55, 90, 30), (120, 121, 65)]), Path("/p"), "balanced")
    assert [(r.kind, r.channel, len(r.pieces)) for r in plan.runs] == [("movie", 2, 3), ("sound", 1, 3)]
    assert plan.frames == 66
    assert plan.runs[0].content_start == -10  # source frame 0 sits 10 frames before the edit starts


def test_out_of_order_clips_start_new_runs_so_every_piece_moves_left() -> None:
    clips = [(100, 150, 0), (0, 50, 50), (200, 260, 100), (60, 80, 160)]
    runs = vse_plan.plan_runs([{"id": f"v{i}", "media": "source", "source_in": a, "source_out": b, "start": s}
                               for i, (a, b, s) in enumerate(clips)], {"source": SOURCE}, Path("/p"), "movie", 2)
    for run in runs:
        for piece in run.pieces:
            assert run.content_start + piece.source_in >= piece.start
        ins = [p.source_in for p in run.pieces]
        assert ins == sorted(ins)
    assert sorted(p.name for r in runs for p in r.pieces) == ["v0", "v1", "v2", "v3"]
    assert len(runs) == 3  # v3 would have to move right in either earlier run


def test_a_run_refuses_a_piece_that_would_move_right() -> None:
    run = Run("movie", "source", "/media/talk.mp4", 2, [Piece("v0", 0, 0, 10)])
    assert run.accepts(Piece("v1", 10, 20, 30))  # moves 10 frames left
    assert not run.accepts(Piece("v1", 40, 20, 30))  # would have to move right


def zoom(start=10, end=70, scale=1.2, cx=0.5, cy=0.45) -> dict:
    return {"id": "zoom0", "kind": "zoom", "start": start, "end": end,
            "scale": [{"frame": start, "value": 1.0, "interpolation": "linear"},
                      {"frame": start + 6, "value": scale, "interpolation": "ease"},
                      {"frame": end - 6, "value": scale}, {"frame": end, "value": 1.0}],
            "center_x": [{"frame": start, "value": cx, "interpolation": "hold"}],
            "center_y": [{"frame": start, "value": cy, "interpolation": "hold"}]}


def test_zoom_keys_keep_the_window_inside_the_frame() -> None:
    keys = vse_plan.zoom_keys(zoom(cx=1.0, cy=0.0, scale=2.0), 1920, 1080, 1.0)
    full = [k for k in keys if k.scale == 2.0]
    assert full and all(k.offset_x == pytest.approx(-0.25 * 1920 * 2) for k in full)  # window at the right edge
    assert all(k.offset_y == pytest.approx(-0.25 * 1080 * 2) for k in full)  # top edge: the image moves down
    assert [k.interpolation for k in keys] == ["LINEAR", "BEZIER", "BEZIER", "BEZIER"]
    assert keys[0].frame == 10 + FRAME_ORIGIN and (keys[0].scale, keys[0].offset_x) == (1.0, 0.0)


def test_zoom_centre_on_the_middle_has_no_offset_and_scales_with_the_fit() -> None:
    keys = vse_plan.zoom_keys(zoom(cx=0.5, cy=0.5), 1280, 720, 2 / 3)
    assert {round(k.offset_x, 6) for k in keys} == {0.0} and {round(k.offset_y, 6) for k in keys} == {0.0}
    assert max(k.scale for k in keys) == pytest.approx(1.2 * 2 / 3)


def test_zooms_key_every_strip_they_cover_and_rest_outside() -> None:
    accent = zoom(start=20, end=40)
    accent["scale"] = [{"frame": 20, "value": 1.3, "interpolation": "ease"}, {"frame": 40, "value": 1.0}]
    plan = vse_plan.build_plan(timeline([(0, 30, 0), (40, 100, 30)], effects=[accent]), Path("/p"), "balanced")
    assert set(plan.zooms) == {"v0", "v1"}
    keys = plan.zooms["v0"]
    # It jumps in at frame 20: the frame before holds the plain frame.
    assert (keys[0].frame, keys[0].scale, keys[0].interpolation) == (19 + FRAME_ORIGIN, plan.fit_scale, "CONSTANT")
    assert keys[1].scale == pytest.approx(1.3)


def test_broll_with_a_rendered_clip_sits_in_its_box(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "broll0.mov").write_bytes(b"clip")
    layer = {"type": "broll", "id": "broll0", "start": 5, "end": 50, "placement": "picture_in_picture",
             "spec": {"kind": "bar_chart", "title": "t"}, "asset": "asset-broll0"}
    missing = {**layer, "id": "broll1", "start": 60, "end": 80, "asset": "asset-broll1"}
    media = [{"id": "asset-broll0", "role": "asset", "path": "assets/broll0.mov", "duration_frames": 45,
              "has_video": True, "has_audio": False},
             {"id": "asset-broll1", "role": "asset", "path": "assets/broll1.mov", "duration_frames": 20,
              "has_video": True, "has_audio": False}]
    overlays = [{"id": "B1", "kind": "overlay", "clips": [], "effects": [], "transitions": [],
                 "layers": [layer, missing]}]
    plan = vse_plan.build_plan(timeline([(0, 100, 0)], overlays=overlays, media=media), tmp_path, "fast")
    assert (plan.width, plan.height) == (1280, 720)
    [overlay] = plan.overlays
    box = layout.overlay_box("picture_in_picture", 1280, 720)
    assert (overlay.offset_x, overlay.offset_y) == layout.strip_offset(box, 1280, 720)
    assert (overlay.start, overlay.end, overlay.channel) == (5, 50, 3)
    assert plan.warnings and "broll1" in plan.warnings[0]


def test_text_layers_and_captions_become_text_strips() -> None:
    title = {"type": "text", "id": "title0", "kind": "title_card", "start": 0, "end": 60, "text": "Derivatives",
             "subtitle": "Lesson 1", "animation": "fade", "asset": None}
    overlays = [{"id": "T1", "kind": "overlay", "clips": [], "effects": [], "transitions": [], "layers": [title]}]
    srt = "1\n00:00:00,500 --> 00:00:01,500\nHello\nworld\n\n2\n00:00:02,000 --> 00:00:09,000\nclamped\n"
    plan = vse_plan.build_plan(timeline([(0, 100, 0)], overlays=overlays), Path("/p"), "balanced", srt)
    assert [(t.name, t.kind, t.start, t.end, t.text, t.channel) for t in plan.texts] == [
        ("title0", "title_card", 0, 60, "Derivatives\nLesson 1", 3),
        ("caption0", "caption", 15, 45, "Hello\nworld", 4),
        ("caption1", "caption", 60, 100, "clamped", 4)]


def test_srt_times_are_exact_at_ntsc_rates() -> None:
    cues = vse_plan.parse_srt("1\r\n00:01:00,060 --> 00:01:01,000\r\nx\r\n", Fraction(30000, 1001))
    assert cues == [(round(Fraction(60060, 1000) * Fraction(30000, 1001)), round(Fraction(61) * Fraction(30000, 1001)),
                     "x")]


def test_the_sample_timeline_plans(processed: Path) -> None:
    data = json.loads((processed / "timeline.json").read_text())
    plan = vse_plan.build_plan(data, processed, "balanced")
    clips = [c for t in data["tracks"] if t["kind"] == "video" for c in t["clips"]]
    assert sum(len(r.pieces) for r in plan.runs if r.kind == "movie") == len(clips)
    assert len([r for r in plan.runs if r.kind == "movie"]) == 1
