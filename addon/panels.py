"""The AI Editor sidebar tab, in the Sequencer and in the 3D View: the job, its metrics, its results."""
from __future__ import annotations

import bpy

from . import controller, results

CATEGORY = "AI Editor"
MAX_DECISION_ROWS = 8


def _draw_job(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    wm = context.window_manager
    col = layout.column(align=True)
    row = col.row(align=True)
    row.prop(wm, "ave_video", text="")
    row.operator("ave.use_active_strip", text="", icon="SEQUENCE")
    col.prop(wm, "ave_content_type")
    layout.operator("ave.process", text="Run All", icon="PLAY")
    if wm.ave_stages:
        grid = layout.grid_flow(columns=3, align=True)
        for stage in wm.ave_stages:
            grid.operator("ave.run_stage", text=stage.name.title()).stage = stage.name
    else:
        layout.operator("ave.refresh_stages", text="Load Stages", icon="FILE_REFRESH")
    if wm.ave_running:
        text = f"{wm.ave_stage or 'starting'} {wm.ave_progress:.0%}"
        layout.progress(factor=wm.ave_progress, type="BAR", text=text)
        layout.operator("ave.cancel", icon="CANCEL")
    if wm.ave_status:
        failed = wm.ave_status.startswith("Failed")
        layout.label(text=wm.ave_status, icon="ERROR" if failed else "INFO")


def _metric_line(layout: bpy.types.UILayout, row: results.MetricRow, bold: bool = False) -> None:
    line = layout.row(align=True)
    rate = row.cache_hit_rate
    cells = (("= " if bold else "") + row.name + (" (skipped)" if row.skipped else ""), f"{row.wall_s:.1f} s",
             f"{row.peak_rss_mb:.0f} MB", str(row.api_calls), "-" if rate is None else f"{rate:.0%}",
             f"${row.cost_usd:.3f}")
    for text in cells:
        line.label(text=text)


def _draw_metrics(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    wm = context.window_manager
    if not wm.ave_metrics:
        layout.label(text="No job yet")
        return
    header = layout.row(align=True)
    for title in ("stage", "time", "peak", "API", "cache", "cost"):
        header.label(text=title)
    rows = [results.MetricRow(m.name, m.wall_s, m.peak_rss_mb, m.api_calls, m.cache_hits, m.cache_misses,
                              m.cost_usd, m.skipped) for m in wm.ave_metrics]
    for row in rows:
        _metric_line(layout, row)
    elapsed = wm.ave_elapsed_s if wm.ave_elapsed_s > 0 else None
    _metric_line(layout, results.total(rows, elapsed), bold=True)


class AVE_UL_decisions(bpy.types.UIList):
    """The plan's decisions: what, when (source seconds), how sure; the reason is each row's tooltip and shows
    below for the chosen one."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):
        row = layout.row(align=True)
        row.label(text=f"{item.action} {item.kind}".strip())
        row.label(text=f"{item.source_start:.1f}-{item.source_end:.1f} s")
        row.label(text=f"{item.confidence:.0%}")


def _draw_results(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    wm = context.window_manager
    row = layout.row(align=True)
    row.operator("ave.load_results", text="Load Folder", icon="FILE_FOLDER")
    if not wm.ave_output_dir:
        return
    row.operator("ave.open_path", text="Open Folder", icon="FOLDER_REDIRECT").filepath = wm.ave_output_dir
    layout.operator("ave.import_edit", icon="SEQ_SEQUENCER").directory = wm.ave_output_dir
    if wm.ave_outputs:
        box = layout.box()
        box.label(text="Outputs")
        for item in wm.ave_outputs:
            box.operator("ave.open_path", text=item.name, icon="FILE").filepath = item.path
    if wm.ave_thumbnails:
        box = layout.box()
        box.label(text="Thumbnails")
        for item in wm.ave_thumbnails:
            box.operator("ave.open_path", text=item.name, icon="IMAGE_DATA").filepath = item.path
    if wm.ave_metadata:
        box = layout.box()
        box.label(text="Metadata")
        for line in wm.ave_metadata.splitlines()[:12]:
            box.label(text=line)
    if wm.ave_decisions:
        layout.label(text=f"Decisions ({len(wm.ave_decisions)})")
        layout.template_list("AVE_UL_decisions", "", wm, "ave_decisions", wm, "ave_decision_index",
                             item_dyntip_propname="reason", rows=min(MAX_DECISION_ROWS, len(wm.ave_decisions)))
        if 0 <= wm.ave_decision_index < len(wm.ave_decisions):
            chosen = wm.ave_decisions[wm.ave_decision_index]
            box = layout.box()
            box.label(text=f"{chosen.action} ({chosen.director}): {chosen.reason}")


class _Sidebar:
    bl_region_type = "UI"
    bl_category = CATEGORY


def _panels(space: str, prefix: str) -> tuple[type, ...]:
    """The three panels for one editor: Blender needs a class (and bl_idname) per space."""
    main_id = f"AVE_PT_{prefix}_main"
    main = type(main_id, (_Sidebar, bpy.types.Panel), {
        "bl_idname": main_id, "bl_label": "AI Video Editor", "bl_space_type": space,
        "draw": lambda self, context: _draw_job(self.layout, context)})
    metrics = type(f"AVE_PT_{prefix}_metrics", (_Sidebar, bpy.types.Panel), {
        "bl_idname": f"AVE_PT_{prefix}_metrics", "bl_label": "Metrics", "bl_space_type": space,
        "bl_parent_id": main_id, "draw": lambda self, context: _draw_metrics(self.layout, context)})
    found = type(f"AVE_PT_{prefix}_results", (_Sidebar, bpy.types.Panel), {
        "bl_idname": f"AVE_PT_{prefix}_results", "bl_label": "Results", "bl_space_type": space,
        "bl_parent_id": main_id, "draw": lambda self, context: _draw_results(self.layout, context)})
    return main, metrics, found


_classes = (AVE_UL_decisions, *_panels("SEQUENCE_EDITOR", "sequencer"), *_panels("VIEW_3D", "view3d"))


def register() -> None:
    for cls in _classes:
        bpy.utils.register_class(cls)
    if not bpy.app.background:
        # Ask the engine for its stages once the UI is up (a subprocess; never in a draw call).
        bpy.app.timers.register(lambda: controller.refresh_stages(bpy.context) and None, first_interval=1.0)


def unregister() -> None:
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
