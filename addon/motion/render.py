"""Render the clips a jobs.json describes: one scene each, its moving frames as RGBA PNGs.

Runs inside Blender (the job script jobs/render_animations.py). Reports go to
stdout as `AVE {json}` lines: one `frame` per rendered frame, one `clip` per
finished clip with its PNGs (larger than the clip when supersampled), the seconds
it took and what rendered it.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import bpy

from . import graphics
from .kit import Canvas, gpu_backend

log = logging.getLogger(__name__)


def report(event: str, **fields: Any) -> None:
    sys.stdout.write("AVE " + json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def build(canvas: Canvas, clip: dict[str, Any]) -> None:
    if clip["kind"] == "visualizer":
        graphics.visualizer(canvas, clip["content"], clip["frames"], clip["pulse_frames"], clip["variants"])
    else:
        graphics.BUILDERS[clip["kind"]](canvas, clip["content"], clip["frames"])


def render_clip(clip: dict[str, Any], gpu: str | None) -> None:
    started = time.perf_counter()
    canvas = Canvas.create(clip["id"], clip["width"], clip["height"], clip["frames"])
    engine = canvas.use_engine(gpu, clip["gpu_samples"], clip["supersample"])
    build(canvas, clip)
    out = Path(clip["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    canvas.scene.render.filepath = str(out / "f_")
    bpy.ops.render.render(animation=True, scene=canvas.scene.name)
    frames = sorted(str(p) for p in out.glob("f_*.png"))
    if len(frames) != clip["frames"]:
        raise RuntimeError(f"{clip['id']}: rendered {len(frames)} frames, wanted {clip['frames']}")
    bpy.data.scenes.remove(canvas.scene)
    bpy.data.orphans_purge(do_recursive=True)  # memory stays flat however many clips there are
    report("clip", id=clip["id"], frames=frames, seconds=round(time.perf_counter() - started, 3), engine=engine)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    jobs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    gpu = gpu_backend()
    current: dict[str, str] = {}
    bpy.app.handlers.render_write.append(lambda *_: report("frame", id=current["id"]))
    for clip in jobs["clips"]:
        current["id"] = clip["id"]
        render_clip(clip, gpu)
    return 0
