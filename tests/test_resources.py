"""A low --max-memory bound is respected by degrading (fewer stages at once, smaller batches), not failing."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import SAMPLE, run_cli
from engine.stages import BY_NAME

BOUND_MB = 700


def test_low_memory_bound_runs_the_job_within_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_cli("process", str(SAMPLE), "--out", str(out), "--max-memory", str(BOUND_MB), "--progress", "none",
            env={"AVE_CACHE_DIR": str(tmp_path / "cache")})
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is True and report["memory_limit_mb"] == BOUND_MB
    # The whole process tree, sampled every 50 ms, stayed under the bound.
    assert report["totals"]["peak_rss_mb"] <= BOUND_MB
    # Stages whose usual needs do not fit side by side under the bound never ran side by side.
    rows = [r for r in report["stages"] if not r["skipped"]]
    for a in rows:
        for b in rows:
            overlap = a["name"] < b["name"] and a["started_s"] < b["ended_s"] and b["started_s"] < a["ended_s"]
            if overlap:
                assert BY_NAME[a["name"]].memory_mb + BY_NAME[b["name"]].memory_mb <= BOUND_MB, (a["name"], b["name"])
    assert (out / "edited.mp4").is_file() and (out / "project.blend").is_file()
