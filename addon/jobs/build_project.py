"""Blender job: import an output folder's timeline.json into a new Sequencer scene and save project.blend.

    blender -b --factory-startup -P build_project.py -- PROJECT [--quality fast|balanced|high]
    python build_project.py PROJECT [--quality ...]          # a Python with the bpy module
"""
import importlib
import sys
from pathlib import Path

import bpy  # noqa: F401  first: with the bpy module this puts Blender's own modules on sys.path

ADDON = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ADDON.parent))
project_file = importlib.import_module(f"{ADDON.name}.project_file")
sys.exit(project_file.main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]))
