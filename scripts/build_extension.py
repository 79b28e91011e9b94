"""Build the Blender extension zip from addon/ and blender_manifest.toml, and validate it.

Uses Blender's own extension tool (bl_pkg's blender_ext.py), which the bpy
module carries, so no `blender` binary is needed:

    .venv/bin/python scripts/build_extension.py [--out dist]
"""
from __future__ import annotations

import argparse
import importlib.util
import logging
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

log = logging.getLogger("build_extension")
ROOT = Path(__file__).resolve().parent.parent


def blender_ext_tool() -> Path:
    """bl_pkg's command line tool inside the installed bpy module (found without importing bpy)."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("error: bpy is not installed in this Python; run scripts/setup")
    base = Path(next(iter(spec.submodule_search_locations)))
    tools = sorted(base.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    if not tools:
        raise SystemExit(f"error: {base}: no bl_pkg/cli/blender_ext.py in this bpy")
    return tools[-1]


def stage_sources(staging: Path) -> Path:
    """Lay out the extension's files as Blender expects: the manifest beside the add-on's __init__.py."""
    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    package = staging / manifest["id"]
    shutil.copytree(ROOT / "addon", package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "blender_manifest.toml", package / "blender_manifest.toml")
    return package


def build(out_dir: Path) -> Path:
    tool = blender_ext_tool()
    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    zip_path = out_dir / f"{manifest['id']}-{manifest['version']}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        package = stage_sources(Path(tmp))
        for command in (["build", "--source-dir", str(package), "--output-filepath", str(zip_path)],
                        ["validate", str(zip_path)]):
            proc = subprocess.run([sys.executable, str(tool), *command], capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"error: blender_ext {command[0]} failed: {(proc.stdout + proc.stderr).strip()}")
            log.info("%s", proc.stdout.strip())
    return zip_path


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    print(build(args.out))


if __name__ == "__main__":
    main()
