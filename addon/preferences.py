"""Add-on preferences: where the engine's Python is, where outputs go."""
from __future__ import annotations

import os
from pathlib import Path

import bpy

from . import runner


def default_engine_python() -> str:
    """The set-up venv's Python when the add-on runs from the repository; else the environment's choice."""
    return os.environ.get("AVE_ENGINE_PYTHON") or (str(runner.repo_venv_python() or ""))


class AVE_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    engine_python: bpy.props.StringProperty(
        name="Engine Python",
        description="Python 3.11 with the engine installed (the repository's .venv/bin/python after scripts/setup)",
        subtype="FILE_PATH",
        default="",
    )
    output_dir: bpy.props.StringProperty(
        name="Output Folder",
        description="Where each job's folder is made; empty: next to the footage",
        subtype="DIR_PATH",
        default="",
    )

    def resolved_engine_python(self) -> str:
        return bpy.path.abspath(self.engine_python) if self.engine_python else default_engine_python()

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.prop(self, "engine_python")
        if not Path(self.resolved_engine_python() or "/nonexistent").is_file():
            layout.label(text="Engine Python not found: run scripts/setup in the repository, then point here "
                              "to .venv/bin/python", icon="ERROR")
        layout.prop(self, "output_dir")


def get(context: bpy.types.Context) -> AVE_AddonPreferences:
    return context.preferences.addons[__package__].preferences


def register() -> None:
    bpy.utils.register_class(AVE_AddonPreferences)


def unregister() -> None:
    bpy.utils.unregister_class(AVE_AddonPreferences)
