"""Build a scene's Sequencer from an output folder's timeline.json, with the data API only.

Used by the Import operator, the headless script and the engine's blend stage.
Importing again into the same scene replaces what the last import made.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy

from . import compat, vse_plan
from .vse_plan import FRAME_ORIGIN, STAGING_CHANNEL, Run, TransformKey, VsePlan

log = logging.getLogger(__name__)

PROJECT_KEY = "ave_project"  # scene custom property: the output folder the scene was imported from
PROJECT_FILE = "project.blend"
_TEXT_STYLE: dict[str, dict[str, Any]] = {
    "title_card": {"font_size": 96, "location": (0.5, 0.5), "anchor_x": "CENTER", "anchor_y": "CENTER",
                   "alignment_x": "CENTER", "use_box": True, "box_color": (0.05, 0.05, 0.08, 0.8)},
    "keyword_card": {"font_size": 84, "location": (0.5, 0.55), "anchor_x": "CENTER", "anchor_y": "CENTER",
                     "alignment_x": "CENTER", "use_box": True, "box_color": (0.95, 0.55, 0.1, 0.9)},
    "lower_third": {"font_size": 54, "location": (0.05, 0.12), "anchor_x": "LEFT", "anchor_y": "BOTTOM",
                    "alignment_x": "LEFT", "use_box": True, "box_color": (0.05, 0.05, 0.08, 0.8)},
    "caption": {"font_size": 42, "location": (0.5, 0.06), "anchor_x": "CENTER", "anchor_y": "BOTTOM",
                "alignment_x": "CENTER", "use_box": True, "box_color": (0.0, 0.0, 0.0, 0.6), "wrap_width": 0.85},
}


@dataclass
class ImportResult:
    scene: bpy.types.Scene
    movie: int = 0
    sound: int = 0
    text: int = 0
    overlay: int = 0
    zoomed: int = 0
    warnings: list[str] = field(default_factory=list)


def project_quality(project: Path) -> str:
    """The quality mode the project was edited in (from context.json), which sets the output size."""
    try:
        return json.loads((project / "context.json").read_text(encoding="utf-8"))["options"]["quality"]
    except (OSError, ValueError, KeyError):
        return "balanced"


def load_plan(project: Path, quality: str | None = None) -> VsePlan:
    timeline = json.loads((project / "timeline.json").read_text(encoding="utf-8"))
    captions = project / vse_plan.CAPTIONS_FILE
    srt = captions.read_text(encoding="utf-8") if captions.is_file() else None
    return vse_plan.build_plan(timeline, project, quality or project_quality(project), srt)


def project_scene(project: Path, name: str) -> bpy.types.Scene:
    """The scene an earlier import of this folder made, or a new one."""
    key = str(project.resolve())
    for scene in bpy.data.scenes:
        if scene.get(PROJECT_KEY) == key:
            return scene
    scene = bpy.data.scenes.new(name)
    scene[PROJECT_KEY] = key
    return scene


def import_project(project: Path, scene: bpy.types.Scene | None = None, quality: str | None = None) -> ImportResult:
    project = project.resolve()
    plan = load_plan(project, quality)
    scene = scene or project_scene(project, f"Edit {project.name}")
    result = build(scene, plan)
    log.info("imported %s: %d movie, %d sound, %d text, %d overlay strips", project, result.movie, result.sound,
             result.text, result.overlay)
    return result


def build(scene: bpy.types.Scene, plan: VsePlan) -> ImportResult:
    # Dropping the whole editor is how a second import replaces the first: one call, whatever the count.
    # It comes first: changing the rate or size of a scene that still has its strips updates each of them.
    if scene.sequence_editor is not None:
        scene.sequence_editor_clear()
    scene.animation_data_clear()
    _setup_scene(scene, plan)
    sed = compat.ensure_editor(scene)
    strips = compat.top_strips(sed)
    result = ImportResult(scene, warnings=list(plan.warnings))
    for run in plan.runs:  # each run leaves the staging channel empty for the next
        made = _cut_run(strips, run, plan, STAGING_CHANNEL, result.warnings)
        setattr(result, run.kind, getattr(result, run.kind) + made)
    result.zoomed = _key_zooms(scene, sed, plan.zooms)
    result.text = sum(_text_strip(strips, item) for item in plan.texts)
    result.overlay = sum(_overlay_strip(strips, item, result.warnings) for item in plan.overlays)
    return result


def _setup_scene(scene: bpy.types.Scene, plan: VsePlan) -> None:
    render = scene.render
    render.fps, render.fps_base = plan.fps, plan.fps_base
    render.resolution_x, render.resolution_y, render.resolution_percentage = plan.width, plan.height, 100
    scene.view_settings.view_transform = "Standard"  # as Blender's Video Editing template: colours pass unchanged
    scene.frame_start = FRAME_ORIGIN
    scene.frame_end = FRAME_ORIGIN + max(plan.frames, 1) - 1
    compat.set_video_output(scene, "//edited_vse.mp4")


def _new_base(strips: Any, run: Run, channel: int, fit: float) -> Any:
    start = FRAME_ORIGIN + run.content_start
    if run.kind == "movie":
        strip = strips.new_movie(run.media, run.path, channel, start, fit_method="FIT")
        strip.transform.scale_x = strip.transform.scale_y = fit
        return strip
    return strips.new_sound(run.media, run.path, channel, start)


def _cut_run(strips: Any, run: Run, plan: VsePlan, staging: int, warnings: list[str]) -> int:
    """Split one source strip at each piece's first frame, trim each part to its piece, slide it into place.

    One split per cut and no strip made or removed per cut: 1,000 cuts take well under a second.
    """
    current = _new_base(strips, run, staging, plan.fit_scale)
    origin = FRAME_ORIGIN + run.content_start  # Blender frame of the source's frame 0
    current.frame_final_start = origin + run.pieces[0].source_in
    parts = []
    for index, piece in enumerate(run.pieces):
        if index:
            edge = origin + piece.source_in
            if not current.frame_final_start < edge < current.frame_final_end:
                warnings.append(f"{piece.name} and {len(run.pieces) - index - 1} more: past the end of the "
                                f"source's {run.kind}")
                break
            current = current.split(frame=edge, split_method="SOFT")
        parts.append((current, piece))
    for strip, piece in parts:
        if origin + piece.source_out < strip.frame_final_end:
            strip.frame_final_end = origin + piece.source_out
        elif strip.frame_final_duration < piece.length:
            warnings.append(f"{piece.name}: the source's {run.kind} ends early: {strip.frame_final_duration} of "
                            f"{piece.length} frames")
    for strip, piece in parts:
        # Every piece moves left (or stays): the frames it moves into are already empty.
        strip.frame_start -= strip.frame_final_start - (FRAME_ORIGIN + piece.start)
        strip.name = piece.name
        strip.channel = run.channel
    return len(parts)


def _key_zooms(scene: bpy.types.Scene, sed: Any, zooms: dict[str, list[TransformKey]]) -> int:
    fields = (("scale_x", lambda k: k.scale), ("scale_y", lambda k: k.scale),
              ("offset_x", lambda k: k.offset_x), ("offset_y", lambda k: k.offset_y))
    for name, keys in zooms.items():
        for prop, value in fields:
            fcurve = compat.scene_fcurve(scene, compat.strip_data_path(sed, name, f"transform.{prop}"), 0)
            points = fcurve.keyframe_points
            points.add(len(keys))
            points.foreach_set("co", [c for k in keys for c in (float(k.frame), value(k))])
            for point, key in zip(points, keys):
                point.interpolation = key.interpolation
                point.handle_left_type = point.handle_right_type = "AUTO_CLAMPED"
            fcurve.update()
    return len(zooms)


def _text_strip(strips: Any, item: vse_plan.TextStrip) -> int:
    strip = compat.new_effect(strips, item.name, "TEXT", item.channel, FRAME_ORIGIN + item.start,
                              item.end - item.start)
    strip.text = item.text
    compat.set_text_style(strip, **_TEXT_STYLE[item.kind])
    strip.blend_type = "ALPHA_OVER"
    return 1


def _overlay_strip(strips: Any, item: vse_plan.OverlayStrip, warnings: list[str]) -> int:
    strip = strips.new_movie(item.name, item.path, item.channel, FRAME_ORIGIN + item.start, fit_method="ORIGINAL")
    length = item.end - item.start
    if strip.frame_duration < length:
        warnings.append(f"{item.name}: {Path(item.path).name} has {strip.frame_duration} frames, the layer {length}")
    strip.frame_final_duration = min(length, strip.frame_duration)
    strip.blend_type = "ALPHA_OVER"
    strip.transform.offset_x, strip.transform.offset_y = item.offset_x, item.offset_y
    return 1


def save_project_file(project: Path) -> Path:
    """Write project.blend into the output folder, whole or not at all (a copy: the open file stays as it is)."""
    final = project / PROJECT_FILE
    partial = project / f".{PROJECT_FILE}.partial.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(partial), copy=True, check_existing=False)
    os.replace(partial, final)
    return final
