"""Run inside a fresh bpy process: install the self-contained extension zip; report where its wheels went.

argv: ZIP; prints one JSON line: the engine the add-on finds and the site-packages Blender unpacked.
"""
import importlib
import json
import sys

import bpy

zip_path = sys.argv[1]
bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
module = "bl_ext.user_default.ai_video_editor"
prefs = bpy.context.preferences.addons[module].preferences
engine = prefs.engine()
engine_env = importlib.import_module(f"{module}.engine_env")
print(json.dumps({"source": engine.source, "python": engine.python, "site_packages": engine.site_packages,
                  "problem": engine_env.problem(engine)}))
