"""Run inside a fresh bpy process: install the extension, set its preferences, run each operator headless.

argv: ZIP PROJECT KEY; PROJECT is an output folder made by `process`. Gemini goes to the fake server
named by AVE_GEMINI_BASE_URL. Prints one JSON line with what a user would see.
"""
import importlib
import json
import os
import stat
import sys
from pathlib import Path

import bpy  # first: it puts Blender's own modules (addon_utils) on the path

import addon_utils  # noqa: E402

zip_path, project, key = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
seen: dict = {}
bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
module = "bl_ext.user_default.ai_video_editor"
seen["enabled"] = module in {m.__name__ for m in addon_utils.modules() if addon_utils.check(m.__name__)[1]}
seen["operators"] = sorted(dir(bpy.ops.ave))
controller = importlib.import_module(f"{module}.controller")

prefs = bpy.context.preferences.addons[module].preferences
seen["preferences"] = sorted(p.identifier for p in prefs.bl_rna.properties if p.identifier not in ("rna_type",
                                                                                                   "bl_idname"))
seen["key_subtype"] = prefs.bl_rna.properties["gemini_api_key"].subtype
prefs.engine_python = sys.executable
prefs.output_dir = str(project.parent)
prefs.quality = "fast"
prefs.director = "gemini"
prefs.max_jobs = 1
prefs.memory_limit_mb = 3000
prefs.gemini_api_key = key
key_file = Path(bpy.utils.extension_path_user(module)) / "gemini_api_key"
seen["key_file_mode"] = oct(stat.S_IMODE(key_file.stat().st_mode))
seen["key_reads_back"] = prefs.gemini_api_key == key
bpy.context.preferences.system.use_online_access = True
seen["online"] = bpy.app.online_access


def call(name: str, **kwargs) -> list[str]:
    try:
        return sorted(getattr(bpy.ops.ave, name)(**kwargs))
    except RuntimeError as exc:  # an operator's ERROR report, or a failed poll
        return [f"error: {exc}"]


wm = bpy.context.window_manager
seen["refresh_stages"] = call("refresh_stages")
seen["stages"] = [s.name for s in wm.ave_stages]
wm.ave_output_dir = str(project)
seen["run_stage_plan"] = call("run_stage", stage="plan")
job = controller.current()
seen["job_args"] = job.args
seen["job_env_key"] = job.env.get("GEMINI_API_KEY") == key
seen["job_env_memory"] = job.env.get("AVE_MEMORY_LIMIT_MB")
seen["status"] = wm.ave_status
seen["metrics"] = [m.name for m in wm.ave_metrics]
seen["run_stage_unknown"] = call("run_stage", stage="no-such-stage")
seen["import_edit"] = call("import_edit", directory=str(project))
edit = next(s for s in bpy.data.scenes if s.get("ave_project"))
seen["imported_strips"] = len(edit.sequence_editor.strips_all)
seen["load_results"] = call("load_results", directory=str(project))
seen["decisions"] = len(wm.ave_decisions)
seen["outputs"] = sorted(o.name for o in wm.ave_outputs)
edit.sequence_editor.active_strip = next(s for s in edit.sequence_editor.strips_all if s.type == "MOVIE")
with bpy.context.temp_override(scene=edit):
    seen["use_active_strip"] = call("use_active_strip")
seen["video"] = wm.ave_video
seen["cancel_when_idle"] = call("cancel")


class CheckedLayout:
    """Stands in for a panel's UILayout headless: each call is checked against Blender's own UILayout API,
    each property against its owner, each operator (and the properties set on it) against bpy.ops."""

    def __init__(self, calls: list) -> None:
        self.calls = calls

    def __getattr__(self, name: str):
        function = bpy.types.UILayout.bl_rna.functions.get(name)
        if function is None:
            raise AttributeError(f"UILayout has no {name}()")
        params = [p.identifier for p in function.parameters]

        def call(*args, **kwargs):
            unknown = set(kwargs) - set(params)
            if unknown or len(args) > len(params):
                raise TypeError(f"UILayout.{name}: bad arguments {sorted(unknown)} / {len(args)}")
            bound = dict(zip(params, args)) | kwargs
            if name == "prop" and bound["property"] not in bound["data"].bl_rna.properties:
                raise AttributeError(f"no property {bound['property']}")
            if name == "template_list":
                for data, prop in (("dataptr", "propname"), ("active_dataptr", "active_propname")):
                    if bound[prop] not in bound[data].bl_rna.properties:
                        raise AttributeError(f"no property {bound[prop]}")
            self.calls.append(name)
            if name == "operator":
                group, op = bound["operator"].split(".")
                if op not in dir(getattr(bpy.ops, group)):
                    raise AttributeError(f"no operator {bound['operator']}")
                return OperatorProps(getattr(getattr(bpy.ops, group), op).get_rna_type())
            return self

        return call


class OperatorProps:
    def __init__(self, rna) -> None:
        object.__setattr__(self, "rna", rna)

    def __setattr__(self, name: str, value) -> None:
        if name not in self.rna.properties:
            raise AttributeError(f"{self.rna.identifier} has no property {name}")


panels = importlib.import_module(f"{module}.panels")
draws = {}
for state in ("results", "running"):
    wm.ave_running = state == "running"
    wm.ave_progress, wm.ave_stage = 0.4, "render"
    for space in ("sequencer", "view3d"):
        for kind in ("main", "metrics", "results"):
            cls = getattr(bpy.types, f"AVE_PT_{space}_{kind}")
            calls: list = []
            cls.draw(type("Panel", (), {"layout": CheckedLayout(calls)})(), bpy.context)
            draws[f"{state}/{space}/{kind}"] = calls
wm.ave_running = False
seen["draws"] = draws
seen["panel_spaces"] = sorted({getattr(bpy.types, f"AVE_PT_{s}_main").bl_space_type for s in ("sequencer", "view3d")})
bpy.ops.wm.save_userpref()
seen["userpref"] = str(Path(bpy.utils.resource_path("USER")) / "config" / "userpref.blend")
seen["env_key_in_blender"] = os.environ.get("GEMINI_API_KEY")
print(json.dumps(seen))
