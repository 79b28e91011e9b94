"""The session's state on the window manager: the chosen video, the running job, its metrics and results.

Window-manager properties are not written to .blend files, so nothing here ends up in a saved project.
"""
from __future__ import annotations

import bpy

CONTENT_ITEMS = [
    ("auto", "Auto", "Detect what the footage is"),
    ("educational", "Educational", "A lecture, tutorial or talk"),
    ("music", "Music", "A performance or music video"),
    ("general", "General", "Anything else"),
]


class AVE_StageItem(bpy.types.PropertyGroup):
    help: bpy.props.StringProperty()


class AVE_MetricItem(bpy.types.PropertyGroup):
    wall_s: bpy.props.FloatProperty()
    peak_rss_mb: bpy.props.FloatProperty()
    api_calls: bpy.props.IntProperty()
    cache_hits: bpy.props.IntProperty()
    cache_misses: bpy.props.IntProperty()
    cost_usd: bpy.props.FloatProperty()
    skipped: bpy.props.BoolProperty()


class AVE_DecisionItem(bpy.types.PropertyGroup):
    action: bpy.props.StringProperty()
    kind: bpy.props.StringProperty()
    source_start: bpy.props.FloatProperty()
    source_end: bpy.props.FloatProperty()
    reason: bpy.props.StringProperty()
    confidence: bpy.props.FloatProperty()
    director: bpy.props.StringProperty()


class AVE_OutputItem(bpy.types.PropertyGroup):
    path: bpy.props.StringProperty(subtype="FILE_PATH")


_classes = (AVE_StageItem, AVE_MetricItem, AVE_DecisionItem, AVE_OutputItem)
_props = {
    "ave_video": bpy.props.StringProperty(name="Video", description="The footage to edit", subtype="FILE_PATH"),
    "ave_content_type": bpy.props.EnumProperty(name="Content", items=CONTENT_ITEMS, default="auto"),
    "ave_status": bpy.props.StringProperty(name="Status"),
    "ave_stage": bpy.props.StringProperty(name="Stage"),
    "ave_progress": bpy.props.FloatProperty(name="Progress", min=0.0, max=1.0, subtype="FACTOR"),
    "ave_running": bpy.props.BoolProperty(name="Running"),
    "ave_elapsed_s": bpy.props.FloatProperty(name="Elapsed"),
    "ave_output_dir": bpy.props.StringProperty(name="Output", subtype="DIR_PATH"),
    "ave_stages": bpy.props.CollectionProperty(type=AVE_StageItem),
    "ave_metrics": bpy.props.CollectionProperty(type=AVE_MetricItem),
    "ave_decisions": bpy.props.CollectionProperty(type=AVE_DecisionItem),
    "ave_decision_index": bpy.props.IntProperty(),
    "ave_outputs": bpy.props.CollectionProperty(type=AVE_OutputItem),
    "ave_thumbnails": bpy.props.CollectionProperty(type=AVE_OutputItem),
    "ave_metadata": bpy.props.StringProperty(name="Metadata"),
}


def register() -> None:
    for cls in _classes:
        bpy.utils.register_class(cls)
    for name, prop in _props.items():
        setattr(bpy.types.WindowManager, name, prop)


def unregister() -> None:
    for name in _props:
        delattr(bpy.types.WindowManager, name)
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
