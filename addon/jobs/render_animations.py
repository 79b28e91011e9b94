"""Blender job: render the animation clips a jobs.json describes (the engine's animations stage runs it).

    blender -b --factory-startup -P render_animations.py -- JOBS.json
    python render_animations.py JOBS.json          # a Python with the bpy module
"""
import importlib
import sys
from pathlib import Path

import bpy  # noqa: F401  first: with the bpy module this puts Blender's own modules on sys.path

ADDON = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ADDON.parent))
render = importlib.import_module(f"{ADDON.name}.motion.render")
sys.exit(render.main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]))
