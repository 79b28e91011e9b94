"""Operators: run the engine on a video file."""
from __future__ import annotations

from pathlib import Path

import bpy

from . import preferences, runner

# The job running now (one at a time), shared by the operator, its timer and the panel.
_job: runner.EngineJob | None = None
_TIMER_INTERVAL_S = 0.2


def current_job() -> runner.EngineJob | None:
    return _job


def output_folder(prefs, footage: Path) -> Path:
    base = Path(bpy.path.abspath(prefs.output_dir)) if prefs.output_dir else footage.parent
    return base / f"{footage.stem}_edit"


def _set_status(wm: bpy.types.WindowManager, text: str, progress: float) -> None:
    wm.ave_status = text
    wm.ave_progress = progress


def _redraw() -> None:
    for window in getattr(bpy.context.window_manager, "windows", []):
        for area in window.screen.areas:
            if area.type in {"SEQUENCE_EDITOR", "VIEW_3D"}:
                area.tag_redraw()


def _finish(wm: bpy.types.WindowManager, job: runner.EngineJob, out: Path) -> str:
    if job.returncode == 0:
        _set_status(wm, f"Done: {out}", 1.0)
        wm.ave_output_dir = str(out)
        return "INFO"
    _set_status(wm, f"Failed: {job.error}", job.state.overall)
    return "ERROR"


class AVE_OT_process(bpy.types.Operator):
    """Edit a video with the AI Video Editor engine (runs in the background)"""

    bl_idname = "ave.process"
    bl_label = "Edit Video"
    bl_options = {"REGISTER"}

    filepath: bpy.props.StringProperty(name="Video", subtype="FILE_PATH")
    filter_glob: bpy.props.StringProperty(default="*.mp4;*.mov;*.mkv;*.webm;*.avi;*.m4v", options={"HIDDEN"})

    def invoke(self, context, event):
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        global _job
        if _job is not None and not _job.done:
            self.report({"ERROR"}, "A job is already running")
            return {"CANCELLED"}
        prefs = preferences.get(context)
        footage = Path(bpy.path.abspath(self.filepath))
        python = prefs.resolved_engine_python()
        if not python or not Path(python).is_file():
            self.report({"ERROR"}, "Engine Python not found: run scripts/setup, then set it in the add-on preferences")
            return {"CANCELLED"}
        out = output_folder(prefs, footage)
        _job = job = runner.EngineJob(python, ["process", str(footage), "--out", str(out)])
        wm = context.window_manager
        try:
            job.start()
        except OSError as exc:
            self.report({"ERROR"}, f"Could not start the engine: {exc}")
            return {"CANCELLED"}
        _set_status(wm, "Starting", 0.0)
        if bpy.app.background:
            # Timers never fire in background mode: drive the same job with a plain loop.
            job.wait(lambda events: _set_status(wm, job.state.stage, job.state.overall))
            level = _finish(wm, job, out)
            self.report({level}, wm.ave_status)
            return {"FINISHED"} if level == "INFO" else {"CANCELLED"}
        bpy.app.timers.register(lambda: _tick(job, out), first_interval=_TIMER_INTERVAL_S)
        return {"FINISHED"}


def _tick(job: runner.EngineJob, out: Path) -> float | None:
    wm = bpy.context.window_manager
    job.poll()
    if job.done:
        _finish(wm, job, out)
        _redraw()
        return None
    _set_status(wm, f"{job.state.stage}: {job.state.message}", job.state.overall)
    _redraw()
    return _TIMER_INTERVAL_S


_classes = (AVE_OT_process,)


def register() -> None:
    wm = bpy.types.WindowManager
    wm.ave_status = bpy.props.StringProperty(name="Status", default="")
    wm.ave_progress = bpy.props.FloatProperty(name="Progress", default=0.0, min=0.0, max=1.0, subtype="FACTOR")
    wm.ave_output_dir = bpy.props.StringProperty(name="Output", default="", subtype="DIR_PATH")
    for cls in _classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
    for name in ("ave_status", "ave_progress", "ave_output_dir"):
        delattr(bpy.types.WindowManager, name)
