"""Operators: run the engine (the whole job or one stage), cancel it, import its edit, open its outputs."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import bpy

from . import controller, engine_env, preferences, vse

VIDEO_GLOB = "*.mp4;*.mov;*.mkv;*.webm;*.avi;*.m4v;*.mts;*.wav;*.mp3;*.m4a"


def _active_movie(context: bpy.types.Context) -> str:
    scene = context.scene
    sed = scene.sequence_editor if scene else None
    strip = getattr(sed, "active_strip", None) if sed else None
    if strip is not None and strip.type == "MOVIE":
        return bpy.path.abspath(strip.filepath)
    return ""


def _video(context: bpy.types.Context, filepath: str) -> Path | None:
    chosen = filepath or context.window_manager.ave_video or _active_movie(context)
    return Path(bpy.path.abspath(chosen)) if chosen else None


def _import_when_done(context: bpy.types.Context, out: Path) -> Callable[[bool], None] | None:
    """After a successful job with a UI: open the edit in the Sequencer, when the preferences say so."""
    if bpy.app.background or not preferences.get(context).import_when_done:
        return None

    def done(ok: bool) -> None:
        if ok and (out / "timeline.json").is_file():
            bpy.ops.ave.import_edit("EXEC_DEFAULT", directory=str(out))

    return done


class AVE_OT_process(bpy.types.Operator):
    """Edit a video with the AI Video Editor engine: every stage (runs in the background)"""

    bl_idname = "ave.process"
    bl_label = "Run All"
    bl_options = {"REGISTER"}

    filepath: bpy.props.StringProperty(name="Video", subtype="FILE_PATH")
    filter_glob: bpy.props.StringProperty(default=VIDEO_GLOB, options={"HIDDEN"})

    def invoke(self, context, event):
        if _video(context, self.filepath) is not None:
            return self.execute(context)
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        video = _video(context, self.filepath)
        if video is None:
            self.report({"ERROR"}, "Choose a video, or make a movie strip active")
            return {"CANCELLED"}
        wm = context.window_manager
        wm.ave_video = str(video)
        out = controller.output_folder(context, video)
        args = engine_env.process_args(video, out, controller.settings(context))
        return _run(self, context, args, out)


class AVE_OT_run_stage(bpy.types.Operator):
    """Run one engine stage again on the current output folder (and what it needs, when stale)"""

    bl_idname = "ave.run_stage"
    bl_label = "Run Stage"
    bl_options = {"REGISTER"}

    stage: bpy.props.StringProperty(name="Stage")

    @classmethod
    def description(cls, context, properties):
        item = context.window_manager.ave_stages.get(properties.stage)
        return item.help if item else cls.__doc__

    def execute(self, context):
        wm = context.window_manager
        if not wm.ave_stages:
            error = controller.refresh_stages(context)
            if error:
                self.report({"ERROR"}, error)
                return {"CANCELLED"}
        if self.stage not in wm.ave_stages:
            self.report({"ERROR"}, f"The engine has no stage {self.stage!r}")
            return {"CANCELLED"}
        video = _video(context, "")
        out = Path(wm.ave_output_dir) if wm.ave_output_dir else (
            controller.output_folder(context, video) if video else None)
        if out is None or not (out / "context.json").is_file():
            self.report({"ERROR"}, "No output folder yet: press Run All first")
            return {"CANCELLED"}
        return _run(self, context, engine_env.stage_args(self.stage, out, controller.settings(context)), out)


def _run(op: bpy.types.Operator, context: bpy.types.Context, args: list[str], out: Path) -> set[str]:
    error = controller.start(context, args, out, on_done=_import_when_done(context, out))
    if error:
        op.report({"ERROR"}, error)
        return {"CANCELLED"}
    if bpy.app.background:  # the job has already run to its end
        wm = context.window_manager
        ok = wm.ave_status.startswith("Done")
        op.report({"INFO" if ok else "ERROR"}, wm.ave_status)
        return {"FINISHED"} if ok else {"CANCELLED"}
    return {"FINISHED"}


class AVE_OT_cancel(bpy.types.Operator):
    """Stop the running job and every process it started"""

    bl_idname = "ave.cancel"
    bl_label = "Cancel"

    @classmethod
    def poll(cls, context):
        return controller.running()

    def execute(self, context):
        controller.cancel()
        return {"FINISHED"}


class AVE_OT_use_active_strip(bpy.types.Operator):
    """Edit the active movie strip's file"""

    bl_idname = "ave.use_active_strip"
    bl_label = "Use Active Strip"

    @classmethod
    def poll(cls, context):
        return bool(_active_movie(context))

    def execute(self, context):
        context.window_manager.ave_video = _active_movie(context)
        return {"FINISHED"}


class AVE_OT_refresh_stages(bpy.types.Operator):
    """Ask the engine which stages it has"""

    bl_idname = "ave.refresh_stages"
    bl_label = "Load Stages"

    def execute(self, context):
        error = controller.refresh_stages(context)
        if error:
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        return {"FINISHED"}


class AVE_OT_import_edit(bpy.types.Operator):
    """Import the edit (timeline.json) into a new Sequencer scene; importing again replaces it"""

    bl_idname = "ave.import_edit"
    bl_label = "Import to Sequencer"
    bl_options = {"REGISTER", "UNDO"}

    directory: bpy.props.StringProperty(name="Output Folder", subtype="DIR_PATH")
    save_project: bpy.props.BoolProperty(name="Save project.blend", default=True,
                                         description="Also save a copy of this file as project.blend in the folder")

    def execute(self, context):
        folder = self.directory or context.window_manager.ave_output_dir
        out = Path(bpy.path.abspath(folder)) if folder else None
        if out is None or not (out / "timeline.json").is_file():
            self.report({"ERROR"}, "No timeline.json in the output folder: run the engine first")
            return {"CANCELLED"}
        result = vse.import_project(out)
        # From a timer (import when done) there is no context window: show it in the first one.
        window = context.window or next(iter(context.window_manager.windows), None)
        if window is not None:
            window.scene = result.scene
        controller.load_results(context.window_manager, out, keep_metrics=True)
        for warning in result.warnings:
            self.report({"WARNING"}, warning)
        if self.save_project:
            vse.save_project_file(out)
        self.report({"INFO"}, f"Imported {result.movie} video, {result.sound} sound, {result.text} text and "
                              f"{result.overlay} overlay strips into {result.scene.name}")
        return {"FINISHED"}


class AVE_OT_load_results(bpy.types.Operator):
    """Show the results, decisions and metrics of an output folder"""

    bl_idname = "ave.load_results"
    bl_label = "Load Results"

    directory: bpy.props.StringProperty(name="Output Folder", subtype="DIR_PATH")

    def invoke(self, context, event):
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        out = Path(bpy.path.abspath(self.directory or context.window_manager.ave_output_dir))
        if not (out / "context.json").is_file():
            self.report({"ERROR"}, f"{out} is not an output folder (no context.json)")
            return {"CANCELLED"}
        controller.load_results(context.window_manager, out)
        return {"FINISHED"}


class AVE_OT_open_path(bpy.types.Operator):
    """Open a file or folder with the system's application for it"""

    bl_idname = "ave.open_path"
    bl_label = "Open"

    filepath: bpy.props.StringProperty(subtype="FILE_PATH")

    def execute(self, context):
        if not Path(self.filepath).exists():
            self.report({"ERROR"}, f"{self.filepath} does not exist")
            return {"CANCELLED"}
        return bpy.ops.wm.path_open(filepath=self.filepath)


_classes = (AVE_OT_process, AVE_OT_run_stage, AVE_OT_cancel, AVE_OT_use_active_strip, AVE_OT_refresh_stages,
            AVE_OT_import_edit, AVE_OT_load_results, AVE_OT_open_path)


def register() -> None:
    for cls in _classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
