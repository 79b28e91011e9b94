"""Shared fixtures: the bundled sample, its ground truth, and one processed run of it per session."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import av
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "talk.mp4"
TRUTH = ROOT / "samples" / "talk_truth.json"

# Every test session gets its own empty cache, so results never depend on an earlier run.
os.environ["AVE_CACHE_DIR"] = tempfile.mkdtemp(prefix="ave-test-cache-")


def run_cli(*args: str, check: bool = True, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would: `python -m engine ...`."""
    proc = subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def stream_facts(path: Path) -> dict[str, dict]:
    """Per stream type: frames (decoded), end time and duration in seconds."""
    facts: dict[str, dict] = {}
    with av.open(str(path)) as container:
        for stream in container.streams:
            if stream.type not in ("video", "audio"):
                continue
            end, count = 0.0, 0
            for frame in container.decode(stream):
                count += 1 if stream.type == "video" else frame.samples
                duration = (1 / stream.average_rate if stream.type == "video" else frame.samples / frame.sample_rate)
                end = max(end, float(frame.time) + float(duration))
            container.seek(0)
            facts[stream.type] = {"count": count, "end": end}
    return facts


def copy_without_overlays(processed: Path, copy: Path) -> dict:
    """A copy of a processed project whose timeline (returned as JSON data) has no overlays, B-roll
    assets or recorded output size, for tests that add their own layers."""
    shutil.copytree(processed, copy)
    shutil.rmtree(copy / "assets", ignore_errors=True)
    data = json.loads((copy / "timeline.json").read_text())
    data["output_width"] = data["output_height"] = None
    data["tracks"] = [t for t in data["tracks"] if t["kind"] != "overlay"]
    data["media"] = [m for m in data["media"] if m["role"] != "asset"]
    return data


@pytest.fixture(scope="session")
def truth() -> dict:
    return json.loads(TRUTH.read_text())


@pytest.fixture(scope="session")
def processed(tmp_path_factory) -> Path:
    """The sample processed once with default options through the real CLI."""
    out = tmp_path_factory.mktemp("sample") / "out"
    run_cli("process", str(SAMPLE), "--out", str(out), "--progress", "none")
    return out


@pytest.fixture(scope="session")
def extension_zip(tmp_path_factory) -> Path:
    """The add-on built once per session by its own build script (the zip a user installs)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_extension.py"), "--out", str(out)],
                          capture_output=True, text=True, check=True)
    return Path(proc.stdout.strip().splitlines()[-1])
