"""Add-on preferences: where the engine runs, how jobs run, and the Gemini key.

The key is kept out of userpref.blend (and so out of every .blend): the property
reads and writes a private file in the add-on's own user folder
(bpy.utils.extension_path_user), which is the only place the add-on writes by itself.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import bpy

from . import engine_env

QUALITY_ITEMS = [
    ("fast", "Fast", "At most 720p, quickest"),
    ("balanced", "Balanced", "Source size up to 1080p"),
    ("high", "High", "Source size, slower encoder"),
]
DIRECTOR_ITEMS = [
    ("auto", "Auto", "Gemini when a key is set and online access is allowed; else local"),
    ("local", "Local", "Plan offline, on this computer"),
    ("gemini", "Gemini", "Plan with Gemini (network; needs a key); falls back to local"),
]
KEY_FILE = "gemini_api_key"


def user_dir(create: bool = False) -> Path:
    return Path(bpy.utils.extension_path_user(__package__, create=create))


def _key_file() -> Path:
    return user_dir() / KEY_FILE


def _get_key(_self: bpy.types.AddonPreferences) -> str:
    try:
        return _key_file().read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _set_key(_self: bpy.types.AddonPreferences, value: str) -> None:
    path = user_dir(create=True) / KEY_FILE
    if not value.strip():
        path.unlink(missing_ok=True)
        return
    # Readable by this user only, from the moment it exists.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value.strip())


class AVE_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    engine_python: bpy.props.StringProperty(
        name="Engine Python",
        description="Python 3.11 with the engine installed (the repository's .venv/bin/python after scripts/setup); "
                    "empty: the bundled engine or the checkout's .venv, when found",
        subtype="FILE_PATH", default="",
    )
    output_dir: bpy.props.StringProperty(
        name="Output Folder",
        description="Where each job's folder is made; empty: the add-on's own user folder",
        subtype="DIR_PATH", default="",
    )
    quality: bpy.props.EnumProperty(name="Quality", items=QUALITY_ITEMS, default="balanced")
    director: bpy.props.EnumProperty(name="Director", items=DIRECTOR_ITEMS, default="auto")
    gemini_api_key: bpy.props.StringProperty(
        name="Gemini API Key", description="Stored in a private file in the add-on's user folder, never in a .blend; "
                                           "handed to the engine in its environment",
        subtype="PASSWORD", get=_get_key, set=_set_key,
    )
    max_jobs: bpy.props.IntProperty(name="Parallel Stages", description="Engine stages run at once at most (--jobs)",
                                    default=2, min=1, max=16)
    memory_limit_mb: bpy.props.IntProperty(
        name="Memory Limit (MB)", description="Most memory the engine should use; 0: no limit "
                                              "(passed as AVE_MEMORY_LIMIT_MB)", default=0, min=0, max=1 << 20)
    import_when_done: bpy.props.BoolProperty(
        name="Import When Done", description="Open the edit in a new Sequencer scene when a job finishes", default=True)

    def engine(self) -> engine_env.Engine | None:
        preferred = bpy.path.abspath(self.engine_python) if self.engine_python else ""
        return engine_env.find_engine(preferred, bpy.utils.user_resource("EXTENSIONS"), sys.executable)

    def jobs_root(self) -> Path:
        if self.output_dir:
            return Path(bpy.path.abspath(self.output_dir))
        return user_dir(create=True) / "jobs"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.prop(self, "engine_python")
        engine = self.engine()
        trouble = engine_env.problem(engine)
        if trouble:
            layout.label(text=trouble, icon="ERROR")
        else:
            layout.label(text=f"Engine: {engine.python} ({engine.source})", icon="CHECKMARK")
        layout.prop(self, "output_dir")
        row = layout.row()
        row.prop(self, "quality", expand=True)
        layout.prop(self, "director")
        layout.prop(self, "gemini_api_key")
        if not bpy.app.online_access and self.director != "local":
            layout.label(text="Online access is off (Preferences > System): the local director plans", icon="INFO")
        layout.prop(self, "max_jobs")
        layout.prop(self, "memory_limit_mb")
        layout.prop(self, "import_when_done")


def get(context: bpy.types.Context) -> AVE_AddonPreferences:
    return context.preferences.addons[__package__].preferences


def register() -> None:
    bpy.utils.register_class(AVE_AddonPreferences)


def unregister() -> None:
    bpy.utils.unregister_class(AVE_AddonPreferences)
