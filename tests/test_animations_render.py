"""The animations stage with real bpy 5.0.1: clips render with the layer's frame count, rate and alpha."""
from __future__ import annotations

import json
import logging
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from conftest import copy_without_overlays

from engine.blender import find_blender
from engine.blender.assets import INDEX_FILE
from engine.context import load_context
from engine.render.layout import overlay_box
from engine.stages import animations
from engine.stages.base import EventWriter, StageJob
from engine.timeline import ASSETS_DIR, load_timeline, save_timeline

SPECS = {
    "broll0": ("picture_in_picture", {"kind": "bar_chart", "title": "Growth", "labels": ["2023", "2024"],
                                      "values": [3, 7], "unit": "%"}),
    "broll1": ("fullscreen", {"kind": "visualizer", "title": "", "values": [0.0, 0.4, 0.8]}),
}


class Events:
    def __init__(self) -> None:
        self.lines: list[dict] = []

    def write(self, text: str) -> None:
        self.lines.extend(json.loads(line) for line in text.splitlines() if line.strip())

    def flush(self) -> None:
        pass


@pytest.fixture()
def project(processed: Path, tmp_path: Path) -> Path:
    """The processed sample with two B-roll layers, its source size made tiny so that renders are quick."""
    copy = tmp_path / "project"
    data = copy_without_overlays(processed, copy)
    data["width"], data["height"] = 320, 180
    layers = []
    for index, (layer_id, (placement, spec)) in enumerate(SPECS.items()):
        start = 10 + 60 * index
        layers.append({"type": "broll", "id": layer_id, "start": start, "end": start + 45, "placement": placement,
                       "spec": spec, "asset": f"asset-{layer_id}"})
        data["media"].append({"id": f"asset-{layer_id}", "role": "asset", "path": f"{ASSETS_DIR}/{layer_id}.mov",
                              "duration_frames": 45, "has_video": True, "has_audio": False})
    data["tracks"].append({"id": "B1", "kind": "overlay", "clips": [], "effects": [], "transitions": [],
                           "layers": layers})
    (copy / "timeline.json").write_text(json.dumps(data))
    save_timeline(copy, load_timeline(copy))
    return copy


def run_stage(project: Path) -> tuple[object, Events]:
    ctx = load_context(project)
    ctx.options = ctx.options.model_copy(update={"quality": "fast"})
    events = Events()
    return animations.run(StageJob("animations", project, ctx, EventWriter(events))), events


def test_clips_render_with_frame_count_rate_and_alpha(project: Path, caplog) -> None:
    assert find_blender() is not None and find_blender().kind == "module"
    caplog.set_level(logging.INFO)
    result, events = run_stage(project)
    assert result.warnings == []
    assert result.outputs == {"asset_broll0": "assets/broll0.mov", "asset_broll1": "assets/broll1.mov"}
    rate = Fraction(json.loads((project / "timeline.json").read_text())["rate"])
    for layer_id, (placement, _) in SPECS.items():
        with av.open(str(project / ASSETS_DIR / f"{layer_id}.mov")) as container:
            stream = container.streams.video[0]
            frames = [f.to_ndarray(format="rgba") for f in container.decode(stream)]
            assert stream.codec_context.name == "png" and stream.codec_context.format.name in ("rgba", "argb")
            assert stream.average_rate == rate
        assert len(frames) == 45
        assert frames[0].shape[:2][::-1] == overlay_box(placement, 320, 180)[2:]
        alpha = np.stack([f[..., 3] for f in frames])
        assert alpha.min() < 255 and alpha.max() == 255  # see-through around the card, solid on it
    assert any(e.get("event") == "progress" for e in events.lines)
    timings = [r.getMessage() for r in caplog.records if r.getMessage().startswith("clip ")]
    assert len(timings) == 2 and all("Blender" in t for t in timings)
    index = json.loads((project / ASSETS_DIR / INDEX_FILE).read_text())
    assert set(index) == set(SPECS)


def test_up_to_date_clips_are_not_rendered_again(project: Path) -> None:
    run_stage(project)
    clip = project / ASSETS_DIR / "broll0.mov"
    before = clip.stat().st_mtime_ns
    result, events = run_stage(project)
    assert clip.stat().st_mtime_ns == before and set(result.outputs) == {"asset_broll0", "asset_broll1"}
    assert not any(e.get("event") == "progress" for e in events.lines)
