"""Blender 4.2 to 5.0 differences the Sequencer import meets, in one place.

5.0 names the VSE's items strips (`sed.strips`, `strips_all`); 4.2-4.5 call them
sequences. 4.4 made actions layered (F-curves live in a slot's channelbag) and
renamed the text strip's align_x to anchor_x; 5.0 wants image_settings.media_type
before a video file format.
"""
from __future__ import annotations

from typing import Any

import bpy


def ensure_editor(scene: bpy.types.Scene) -> Any:
    return scene.sequence_editor_create()


def top_strips(sed: Any) -> Any:
    return sed.strips if hasattr(sed, "strips") else sed.sequences


def all_strips(sed: Any) -> Any:
    return sed.strips_all if hasattr(sed, "strips_all") else sed.sequences_all


def strip_data_path(sed: Any, name: str, prop: str) -> str:
    collection = "strips_all" if hasattr(sed, "strips_all") else "sequences_all"
    return f'sequence_editor.{collection}["{bpy.utils.escape_identifier(name)}"].{prop}'


def new_effect(strips: Any, name: str, kind: str, channel: int, start: int, length: int) -> Any:
    """An effect strip of `length` frames: 5.0 takes a length, older versions an end frame."""
    if "length" in strips.bl_rna.functions["new_effect"].parameters:
        return strips.new_effect(name, kind, channel, start, length=length)
    return strips.new_effect(name, kind, channel, start, frame_end=start + length)


_TEXT_ALIASES = {"anchor_x": "align_x", "anchor_y": "align_y"}


def set_text_style(strip: Any, **values: Any) -> None:
    """Set text strip properties under this version's names; ones it lacks (alignment_x before 4.4) are skipped."""
    for name, value in values.items():
        target = name if hasattr(strip, name) else _TEXT_ALIASES.get(name)
        if target and hasattr(strip, target):
            setattr(strip, target, value)


def scene_fcurve(scene: bpy.types.Scene, data_path: str, index: int) -> bpy.types.FCurve:
    """The scene's F-curve for a property, made when missing (layered actions from 4.4 on)."""
    anim = scene.animation_data or scene.animation_data_create()
    if anim.action is None:
        anim.action = bpy.data.actions.new(f"{scene.name} strips")
    action = anim.action
    if hasattr(action, "fcurve_ensure_for_datablock"):
        return action.fcurve_ensure_for_datablock(scene, data_path, index=index)
    return action.fcurves.find(data_path, index=index) or action.fcurves.new(data_path, index=index)


def set_video_output(scene: bpy.types.Scene, filepath: str) -> None:
    """Render the scene to an H.264 MP4 with AAC sound."""
    settings = scene.render.image_settings
    if hasattr(settings, "media_type"):
        settings.media_type = "VIDEO"
    settings.file_format = "FFMPEG"
    ffmpeg = scene.render.ffmpeg
    ffmpeg.format, ffmpeg.codec, ffmpeg.audio_codec = "MPEG4", "H264", "AAC"
    scene.render.filepath = filepath
