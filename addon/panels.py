"""The sidebar panel in the Sequencer: one button to edit a video, and the job's status."""
from __future__ import annotations

import bpy


class AVE_PT_main(bpy.types.Panel):
    bl_label = "AI Video Editor"
    bl_space_type = "SEQUENCE_EDITOR"
    bl_region_type = "UI"
    bl_category = "AI Editor"

    def draw(self, context):
        layout = self.layout
        wm = context.window_manager
        layout.operator("ave.process", icon="SEQUENCE")
        if wm.ave_status:
            failed = wm.ave_status.startswith("Failed")
            layout.label(text=wm.ave_status, icon="ERROR" if failed else "INFO")
            if 0.0 < wm.ave_progress < 1.0:
                layout.progress(factor=wm.ave_progress, text=f"{wm.ave_progress:.0%}")


_classes = (AVE_PT_main,)


def register() -> None:
    for cls in _classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
