"""Run inside a fresh bpy process: install the extension zip, enable it, run its operator headless.

argv: ZIP SAMPLE OUT_ROOT; prints one JSON line with what a user would see.
"""
import json
import sys

import bpy  # first: it puts Blender's own modules (addon_utils) on the path

import addon_utils  # noqa: E402

zip_path, sample, out_root = sys.argv[1:4]
bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
module = "bl_ext.user_default.ai_video_editor"
enabled = module in {m.__name__ for m in addon_utils.modules() if addon_utils.check(m.__name__)[1]}
prefs = bpy.context.preferences.addons[module].preferences
prefs.engine_python = sys.executable
prefs.output_dir = out_root
try:
    result, reported = bpy.ops.ave.process(filepath=sample), ""
except RuntimeError as exc:  # how an operator's ERROR report reaches a script
    result, reported = {"CANCELLED"}, str(exc)
wm = bpy.context.window_manager
print(json.dumps({
    "enabled": enabled,
    "operators": [op for op in dir(bpy.ops.ave)],
    "result": sorted(result),
    "status": wm.ave_status,
    "reported": reported,
    "output_dir": wm.ave_output_dir,
}))
