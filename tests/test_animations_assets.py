"""The animations stage without Blender: what it plans, how it writes clips, and what it does with no Blender."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from conftest import copy_without_overlays

from engine.blender import assets, clip, find_blender
from engine.options import QUALITY_PRESETS
from engine.render.layout import overlay_box
from engine.render.settings import output_size
from engine.timeline import ASSETS_DIR, load_timeline, save_timeline

RATE = Fraction(30000, 1001)


def test_intro_plays_holds_and_leaves() -> None:
    rendered, frame_map = assets.intro_map(300, RATE, 15, 1.0)
    assert rendered == 16 and len(frame_map) == 300
    assert frame_map[0] == 0 and frame_map[-1] == 0  # enters and leaves from the first pose
    assert max(frame_map) == rendered - 1 and frame_map[150] == rendered - 1  # holds the last in the middle
    assert frame_map[:31] == sorted(frame_map[:31])


def test_short_layer_plays_its_intro_without_leaving() -> None:
    rendered, frame_map = assets.intro_map(20, Fraction(30), 15, 1.0)
    assert len(frame_map) == 20 and frame_map == sorted(frame_map) and frame_map[-1] < rendered


def test_visualiser_pulses_on_every_beat() -> None:
    beats = [0.0, 0.5, 1.0, 2.5]
    rendered, pulse, frame_map = assets.pulse_map(120, Fraction(30), 15, beats)
    assert rendered == 1 + assets.PULSE_VARIANTS * pulse
    for beat in beats:
        frame = round(beat * 30)
        assert frame_map[frame] in (1, 1 + pulse)  # the peak of one of the pulses, on the beat's frame
    assert [frame_map[i] for i in (0, 15, 30, 75)] == [1, 1 + pulse, 1, 1 + pulse]  # the variants alternate
    assert frame_map[16:18] == [1 + pulse, 1 + pulse + 1]  # the pulse steps at the animation rate (15 of 30)
    assert frame_map[60] == 0  # a second after a beat: at rest


def broll_timeline(data: dict, project: Path, quality_sources: tuple[int, int] = (1920, 1080)) -> None:
    data["width"], data["height"] = quality_sources
    layers = [
        {"type": "broll", "id": "broll0", "start": 10, "end": 70, "placement": "picture_in_picture",
         "spec": {"kind": "bar_chart", "title": "Sales", "labels": ["a", "b"], "values": [1, 2], "unit": "%"},
         "asset": "asset-broll0"},
        {"type": "broll", "id": "broll1", "start": 80, "end": 140, "placement": "fullscreen",
         "spec": {"kind": "visualizer", "title": "", "values": [0.0, 0.5, 1.0]}, "asset": "asset-broll1"},
        {"type": "broll", "id": "broll2", "start": 150, "end": 170, "placement": "fullscreen",
         "spec": {"kind": "diagram", "title": "Steps", "items": ["a", "b", "c"]}},  # no asset: not rendered
    ]
    data["tracks"].append({"id": "B1", "kind": "overlay", "clips": [], "effects": [], "transitions": [],
                           "layers": layers})
    for layer in layers[:2]:
        data["media"].append({"id": layer["asset"], "role": "asset", "path": f"{ASSETS_DIR}/{layer['id']}.mov",
                              "duration_frames": layer["end"] - layer["start"], "has_video": True,
                              "has_audio": False})
    (project / "timeline.json").write_text(json.dumps(data))
    save_timeline(project, load_timeline(project))


@pytest.fixture()
def project(processed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    broll_timeline(copy_without_overlays(processed, copy), copy)
    return copy


@pytest.mark.parametrize("quality", sorted(QUALITY_PRESETS))
def test_clips_are_their_box_in_the_output_of_the_quality(project: Path, quality: str) -> None:
    plans = assets.plan_clips(load_timeline(project), quality)
    assert [p.layer_id for p in plans] == ["broll0", "broll1"]
    out_w, out_h = output_size(1920, 1080, QUALITY_PRESETS[quality].max_height)
    for plan, placement in zip(plans, ("picture_in_picture", "fullscreen")):
        assert (plan.width, plan.height) == overlay_box(placement, out_w, out_h)[2:]
        assert plan.frames == len(plan.frame_map) == 60 and plan.path == f"assets/{plan.layer_id}.mov"
        assert max(plan.frame_map) < plan.rendered < plan.frames
    other = assets.plan_clips(load_timeline(project), "fast" if quality != "fast" else "high")
    assert [p.fingerprint for p in plans] != [p.fingerprint for p in other]


def png_frames(folder: Path, count: int, width: int, height: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    encoder = av.CodecContext.create("png", "w")
    encoder.width, encoder.height, encoder.pix_fmt, encoder.time_base = width, height, "rgba", Fraction(1, 1)
    for i in range(count):
        rgba = np.zeros((height, width, 4), np.uint8)
        rgba[: height // 2, :, :] = (200, 40 * i % 255, 20, 255)  # top half opaque, bottom half clear
        packets = encoder.encode(av.VideoFrame.from_ndarray(rgba, format="rgba"))
        paths.append(folder / f"f_{i:04d}.png")
        paths[-1].write_bytes(b"".join(bytes(p) for p in packets))
    return paths


def decode(path: Path) -> tuple[list[np.ndarray], av.video.stream.VideoStream]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgba") for f in container.decode(stream)]
        return frames, (stream.codec_context.name, stream.average_rate, stream.codec_context.format.name)


def test_clip_has_every_frame_of_the_map_with_alpha(tmp_path: Path) -> None:
    pngs = png_frames(tmp_path / "frames", 3, 64, 36)
    out = tmp_path / "assets" / "c.mov"
    clip.write_clip(pngs, [0, 1, 2, 2, 2, 1, 0], RATE, 64, 36, out)
    frames, (codec, rate, pix) = decode(out)
    assert (codec, rate, pix) == ("png", RATE, "rgba") and len(frames) == 7
    assert frames[3][..., 3].min() == 0 and frames[3][..., 3].max() == 255
    assert np.array_equal(frames[1], frames[5]) and not np.array_equal(frames[0], frames[1])
    assert not list(out.parent.glob(".*"))  # no partial file left


def test_supersampled_frames_are_scaled_down_to_the_clip(tmp_path: Path) -> None:
    pngs = png_frames(tmp_path / "frames", 2, 96, 54)
    out = tmp_path / "c.mov"
    clip.write_clip(pngs, [0, 1, 1], Fraction(25), 64, 36, out)
    frames, _ = decode(out)
    assert [f.shape for f in frames] == [(36, 64, 4)] * 3


def test_no_blender_warns_and_writes_nothing(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("AVE_BLENDER", "off")
    assert find_blender() is None
    from engine.context import load_context
    from engine.stages import animations
    from engine.stages.base import EventWriter, StageJob

    class Sink:
        def write(self, _text: str) -> None:
            pass

        def flush(self) -> None:
            pass

    result = animations.run(StageJob("animations", project, load_context(project), EventWriter(Sink())))
    assert result.outputs == {} and "2 animation clips not rendered: no Blender" in result.warnings[0]
    assert not (project / ASSETS_DIR).exists()
