"""project.blend for an output folder: a file holding one scene, the edit in the Sequencer. Runs in Blender.

Used by the engine's blend stage (jobs/build_project.py) and the headless script.
Prints one `AVE {json}` line with what it made.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import bpy

from . import vse


def write_project_file(project: Path, quality: str | None = None) -> vse.ImportResult:
    """Import the folder into a new scene, make it the file's only scene, save project.blend."""
    project = project.resolve()
    result = vse.import_project(project, quality=quality)
    for scene in [s for s in bpy.data.scenes if s != result.scene]:
        bpy.data.scenes.remove(scene)
    vse.save_project_file(project)
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="build_project", description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--quality", choices=("fast", "balanced", "high"))
    args = parser.parse_args(argv)
    result = write_project_file(args.project, args.quality)
    sys.stdout.write("AVE " + json.dumps({"movie": result.movie, "sound": result.sound, "text": result.text,
                                          "overlay": result.overlay, "zoomed": result.zoomed,
                                          "warnings": result.warnings}) + "\n")
    sys.stdout.flush()
    return 0
