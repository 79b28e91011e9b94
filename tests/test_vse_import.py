"""The Sequencer import with real bpy 5.0.1: 1,000 cuts, zooms, titles, captions and B-roll; project.blend."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from addon import layout
from conftest import SAMPLE
from engine.blender.clip import write_clip

HERE = Path(__file__).resolve().parent
CUTS = 1000


def run_bpy(script: str, *args: str, tmp: Path) -> dict:
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp / "blender-user")}
    proc = subprocess.run([sys.executable, str(HERE / "blender" / script), *args], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def broll_clip(path: Path, frames: int, width: int, height: int) -> None:
    """A small RGBA clip like the animations stage writes."""
    encoder = av.CodecContext.create("png", "w")
    encoder.width, encoder.height, encoder.pix_fmt, encoder.time_base = width, height, "rgba", Fraction(1, 1)
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[4:-4, 4:-4] = (30, 200, 120, 255)
    png = path.parent / "frame.png"
    png.write_bytes(b"".join(bytes(p) for p in encoder.encode(av.VideoFrame.from_ndarray(rgba, format="rgba"))))
    write_clip([png], [0] * frames, Fraction(30000, 1001), width, height, path)
    png.unlink()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A timeline of 1,000 one-frame cuts of the sample at 30000/1001, with a zoom, a title, captions, B-roll."""
    folder = tmp_path_factory.mktemp("cuts")
    video = [{"id": f"v{i}", "media": "source", "source_in": 2 * i, "source_out": 2 * i + 1, "start": i}
             for i in range(CUTS)]
    audio = [{**c, "id": f"a{i}"} for i, c in enumerate(video)]
    zoom = {"id": "zoom0", "kind": "zoom", "start": 100, "end": 160,
            "scale": [{"frame": 100, "value": 1.0, "interpolation": "linear"},
                      {"frame": 106, "value": 1.25, "interpolation": "ease"}, {"frame": 154, "value": 1.25},
                      {"frame": 160, "value": 1.0}],
            "center_x": [{"frame": 100, "value": 0.7, "interpolation": "hold"}],
            "center_y": [{"frame": 100, "value": 0.4, "interpolation": "hold"}]}
    title = {"type": "text", "id": "title0", "kind": "title_card", "start": 0, "end": 90, "text": "Derivatives",
             "subtitle": "in one minute", "animation": "fade", "asset": None}
    broll = {"type": "broll", "id": "broll0", "start": 200, "end": 260, "placement": "picture_in_picture",
             "spec": {"kind": "bar_chart", "title": "t", "labels": [], "values": [], "unit": "", "items": []},
             "asset": "asset-broll0"}
    out_w, out_h = layout.output_size(1280, 720, "fast")
    box = layout.overlay_box("picture_in_picture", out_w, out_h)
    (folder / "assets").mkdir()
    broll_clip(folder / "assets" / "broll0.mov", 60, box[2], box[3])
    timeline = {
        "schema": "ai-video-editor/timeline", "version": 1, "rate": "30000/1001", "width": 1280, "height": 720,
        "sample_rate": 48000,
        "media": [{"id": "source", "role": "source", "path": str(SAMPLE), "duration_frames": 2034, "has_video": True,
                   "has_audio": True},
                  {"id": "asset-broll0", "role": "asset", "path": "assets/broll0.mov", "duration_frames": 60,
                   "has_video": True, "has_audio": False}],
        "tracks": [{"id": "V1", "kind": "video", "clips": video, "effects": [zoom], "transitions": [], "layers": []},
                   {"id": "A1", "kind": "audio", "clips": audio, "effects": [], "transitions": [], "layers": []},
                   {"id": "T1", "kind": "overlay", "clips": [], "effects": [], "transitions": [], "layers": [title]},
                   {"id": "B1", "kind": "overlay", "clips": [], "effects": [], "transitions": [], "layers": [broll]}],
        "decisions": []}
    (folder / "timeline.json").write_text(json.dumps(timeline))
    (folder / "context.json").write_text(json.dumps({"options": {"quality": "fast"}}))
    (folder / "captions.srt").write_text("1\n00:00:01,000 --> 00:00:02,500\nHello there\n")
    return folder


@pytest.fixture(scope="module")
def imported(project: Path, tmp_path_factory) -> dict:
    return run_bpy("import_cuts.py", str(project), tmp=tmp_path_factory.mktemp("bpy"))


def test_a_thousand_cuts_import_in_two_seconds(imported: dict) -> None:
    assert imported["seconds"] <= 2.0, imported["seconds"]
    assert imported["counts"] == [CUTS, CUTS, 2, 1] and imported["warnings"] == []


def test_every_cut_has_its_frames(imported: dict) -> None:
    movies = sorted((s for s in imported["strips"] if s["type"] == "MOVIE" and s["name"].startswith("v")),
                    key=lambda s: s["start"])
    sounds = sorted((s for s in imported["strips"] if s["type"] == "SOUND"), key=lambda s: s["start"])
    assert len(movies) == len(sounds) == CUTS
    for i, (movie, sound) in enumerate(zip(movies, sounds)):
        # Timeline frame i (Blender frame i + 1) shows source frame 2i.
        assert (movie["name"], movie["start"], movie["end"], movie["offset"], movie["channel"]) == \
            (f"v{i}", i + 1, i + 2, 2 * i, 2)
        assert (sound["name"], sound["start"], sound["end"], sound["channel"]) == (f"a{i}", i + 1, i + 2, 1)


def test_scene_has_the_exact_rate_and_the_output_size(imported: dict) -> None:
    assert Fraction(imported["fps"]) / Fraction(imported["fps_base"]) == Fraction(30000, 1001)
    assert imported["size"] == [1280, 720]  # fast: 720p
    assert (imported["frame_start"], imported["frame_end"]) == (1, CUTS)


def test_a_second_import_replaces_the_first(imported: dict) -> None:
    assert imported["same_scene"] is True
    names = [s["name"] for s in imported["strips"]]
    assert len(names) == len(set(names)) == 2 * CUTS + 3


def test_zoom_is_transform_keys_on_the_strips_it_covers(imported: dict) -> None:
    covered = {f"v{i}" for i in range(100, 160)}
    curves = imported["zoom"]
    keyed = {path.split('"')[1] for path in curves}
    assert keyed == covered
    scale = curves['sequence_editor.strips_all["v120"].transform.scale_x[0]']
    assert [k[0] for k in scale] == [101, 107, 155, 161]
    assert [k[2] for k in scale] == ["LINEAR", "BEZIER", "BEZIER", "BEZIER"]
    assert scale[1][1] == pytest.approx(1.25, abs=1e-3)
    offset_x = curves['sequence_editor.strips_all["v120"].transform.offset_x[0]']
    # The window (1/1.25 of the frame) centred at x = 0.7 would leave the frame: it stops at 0.6.
    assert offset_x[1][1] == pytest.approx((0.5 - 0.6) * 1280 * 1.25, abs=0.01)


def test_titles_captions_and_broll(imported: dict) -> None:
    by_name = {s["name"]: s for s in imported["strips"]}
    assert by_name["title0"]["type"] == "TEXT" and by_name["title0"]["text"] == "Derivatives\nin one minute"
    caption = by_name["caption0"]
    assert (caption["start"], caption["end"]) == (1 + round(Fraction(30000, 1001)), 1 + round(Fraction(75000, 1001)))
    broll = by_name["broll0"]
    box = layout.overlay_box("picture_in_picture", 1280, 720)
    assert (broll["type"], broll["start"], broll["end"], broll["blend"]) == ("MOVIE", 201, 261, "ALPHA_OVER")
    assert broll["offset_x"] == pytest.approx(layout.strip_offset(box, 1280, 720)[0])


def test_project_blend_reopens_with_its_strips(imported: dict, project: Path, tmp_path: Path) -> None:
    assert len(imported["scenes"]) == 1  # the file holds the edit's scene alone
    reopened = run_bpy("reopen.py", str(project / "project.blend"), tmp=tmp_path)
    strips = {tuple(s) for s in reopened["strips"]}
    assert reopened["scenes"] == imported["scenes"] and len(strips) == 2 * CUTS + 3
    assert {("v999", 2, 1000, 1001), ("a0", 1, 1, 2), ("title0", 3, 1, 91), ("broll0", 4, 201, 261)} <= strips
