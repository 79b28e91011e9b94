"""The self-contained linux-x64 build: its wheels alone run the engine in a clean Python 3.11."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bundle is built for linux-x64")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_extension.py"), "--bundle", "--out",
                           str(out)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(proc.stdout.strip().splitlines()[-1])


def test_bundle_lists_its_wheels_without_bpy_or_test_tools(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        manifest = archive.read("blender_manifest.toml").decode()
    wheels = [n.split("/")[-1] for n in names if n.endswith(".whl")]
    assert any(w.startswith("ai_video_editor-") for w in wheels) and any(w.startswith("av-") for w in wheels)
    assert not [w for w in wheels if w.split("-")[0].lower() in ("bpy", "pytest", "imageio_ffmpeg")]
    assert 'platforms = ["linux-x64"]' in manifest
    assert all(f"./wheels/{w}" in manifest for w in wheels)


def test_blender_unpacks_the_bundle_and_the_engine_runs_from_a_clean_python(bundle: Path, tmp_path: Path) -> None:
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp_path / "blender-user")}
    proc = subprocess.run([sys.executable, str(HERE / "blender" / "install_bundle.py"), str(bundle)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["source"] == "bundled" and found["problem"] is None
    site = Path(found["site_packages"])
    assert (site / "engine" / "cli.py").is_file() and not (site / "bpy").exists()

    # A Python 3.11 with nothing installed: the bundled wheels are all the engine has (as with Blender's Python).
    venv = tmp_path / "clean"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(venv)],
                   check=True)
    python = venv / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    assert subprocess.run([str(python), "-P", "-c", "import engine"], env=clean, cwd=tmp_path,
                          capture_output=True).returncode != 0
    out = tmp_path / "out"
    run = subprocess.run([str(python), "-P", "-m", "engine", "process", str(SAMPLE), "--out", str(out), "--director",
                          "local", "--progress", "none"], capture_output=True, text=True, cwd=tmp_path, timeout=900,
                         env={**clean, "PYTHONPATH": str(site), "PYTHONNOUSERSITE": "1"})
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is True and (out / "edited.mp4").stat().st_size > 100_000
