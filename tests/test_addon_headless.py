"""The headless script (bpy module: `python scripts/ave_headless.py INPUT --out DIR`) against the CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLE, stream_facts

HERE = Path(__file__).resolve().parent
NOT_COMPARED = {"project.blend", "run.log", "context.json", "report.json"}  # Blender's file; times and logs differ


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and ".work" not in p.parts}


def test_headless_script_gives_the_cli_outputs_and_project_blend(processed: Path, tmp_path: Path) -> None:
    out = tmp_path / "headless"
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp_path / "blender-user")}
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "ave_headless.py"), str(SAMPLE), "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == str(out)
    assert files(out) - {"project.blend"} == files(processed) - {"project.blend"}
    for name in files(processed) - NOT_COMPARED:
        if name.endswith(".json") or name.endswith(".srt") or name.endswith(".otio"):
            assert (out / name).read_text() == (processed / name).read_text(), name
    assert stream_facts(out / "edited.mp4") == stream_facts(processed / "edited.mp4")
    assert json.loads((out / "report.json").read_text())["complete"] is True

    reopened = subprocess.run([sys.executable, str(HERE / "blender" / "reopen.py"), str(out / "project.blend")],
                              capture_output=True, text=True, env=env, timeout=300)
    assert reopened.returncode == 0, reopened.stderr[-2000:]
    strips = json.loads(reopened.stdout.strip().splitlines()[-1])["strips"]
    timeline = json.loads((out / "timeline.json").read_text())
    clips = {c["id"] for t in timeline["tracks"] if t["kind"] in ("video", "audio") for c in t["clips"]}
    assert clips <= {s[0] for s in strips}


def test_headless_script_fails_with_the_engines_message(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video\n")
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp_path / "blender-user")}
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "ave_headless.py"), str(bad), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode != 0 and "not a readable media file" in proc.stderr
    assert not (tmp_path / "out" / "project.blend").exists()
