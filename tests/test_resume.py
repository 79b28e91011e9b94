"""A job killed with SIGKILL in any stage continues from its last finished stage when run again."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, stream_facts
from engine.stages import STAGES
from media_corpus import clip_of_sample


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory) -> Path:
    return clip_of_sample(tmp_path_factory.mktemp("resume") / "short talk.mp4", 16.0)


def start_and_kill(clip: Path, out: Path, stage: str) -> None:
    """Run the job and SIGKILL its orchestrator as the stage starts (its workers die with it)."""
    proc = subprocess.Popen([sys.executable, "-m", "engine", "process", str(clip), "--out", str(out), "--quality",
                             "fast", "--progress", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT, start_new_session=True)
    for line in proc.stdout:  # type: ignore[union-attr]
        event = json.loads(line)
        if event["event"] == "stage_start" and event["stage"] == stage:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the job ended before {stage} started"


@pytest.mark.parametrize("stage", [s.name for s in STAGES])
def test_killed_job_continues_from_its_last_finished_stage(short_clip: Path, tmp_path: Path, stage: str) -> None:
    out = tmp_path / "out"
    start_and_kill(short_clip, out, stage)
    finished = set(json.loads((out / "context.json").read_text())["stages"])
    assert stage not in finished
    assert not (out / "edited.mp4").exists() or "render" in finished  # never a half-written video
    run_cli("process", str(short_clip), "--out", str(out), "--quality", "fast", "--progress", "none")
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is True
    skipped = {row["name"] for row in report["stages"] if row["skipped"]}
    assert skipped == finished, "finished stages must be skipped, the rest must run"
    timeline = json.loads((out / "timeline.json").read_text())
    frames = sum(c["source_out"] - c["source_in"] for c in timeline["tracks"][0]["clips"])
    assert stream_facts(out / "edited.mp4")["video"]["count"] == frames
    assert not [p.name for p in out.rglob("*") if ".part" in p.name]
