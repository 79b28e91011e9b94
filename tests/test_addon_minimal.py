"""The Blender extension with real bpy 5.0.1: build, install, enable, run the operator headless."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE

HERE = Path(__file__).resolve().parent


def run_in_blender(script: Path, *args: str, tmp: Path) -> dict:
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp / "blender-user")}
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_extension_runs_the_engine_headless(extension_zip: Path, tmp_path: Path) -> None:
    seen = run_in_blender(HERE / "blender" / "install_and_process.py", str(extension_zip), str(SAMPLE),
                          str(tmp_path / "jobs"), tmp=tmp_path)
    assert seen["enabled"] is True
    assert "process" in seen["operators"]
    assert seen["result"] == ["FINISHED"]
    out = Path(seen["output_dir"])
    assert out == tmp_path / "jobs" / "talk_edit"
    assert seen["status"] == f"Done: {out}"
    assert (out / "edited.mp4").stat().st_size > 100_000
    assert json.loads((out / "report.json").read_text())["complete"] is True


def test_extension_shows_the_engine_error(extension_zip: Path, tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video\n" * 10)
    seen = run_in_blender(HERE / "blender" / "install_and_process.py", str(extension_zip), str(bad),
                          str(tmp_path / "jobs"), tmp=tmp_path)
    assert seen["result"] == ["CANCELLED"]
    assert seen["status"].startswith("Failed: ") and str(bad) in seen["status"]
    assert "not a readable media file" in seen["status"]
    assert seen["reported"].startswith("Error: Failed: ")
