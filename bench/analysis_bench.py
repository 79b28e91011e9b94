"""Benchmark: all analysis of a clip (probe, audio, transcription, visual, content), per quality mode.

    .venv/bin/python bench/analysis_bench.py CLIP [--quality fast balanced]

Each mode runs `process --only content` with an empty cache, so nothing is replayed; the peak RSS is
that of the whole process tree (orchestrator and every stage worker running at once).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--quality", nargs="+", default=["fast", "balanced"])
    args = parser.parse_args()
    print("| quality | wall s | realtime x | CPU s | peak RSS MB | slowest stages (wall s) |\n|---|---|---|---|---|---|")
    for quality in args.quality:
        with tempfile.TemporaryDirectory(prefix="ave-analysis-") as tmp:
            out = Path(tmp) / "out"
            env = {**os.environ, "AVE_CACHE_DIR": str(Path(tmp) / "cache")}
            run = measure([sys.executable, "-m", "engine", "process", str(args.clip.resolve()), "--out", str(out),
                           "--only", "content", "--quality", quality, "--progress", "none"], cwd=ROOT, env=env)
            report = json.loads((out / "report.json").read_text())
        duration = report["input_duration_s"]
        stages = sorted(report["stages"], key=lambda r: -r["wall_s"])[:3]
        slowest = ", ".join(f"{r['name']} {r['wall_s']:.1f}" for r in stages)
        print(f"| {quality} | {run.wall_s:.1f} | {duration / run.wall_s:.1f} | {run.cpu_s:.1f} | "
              f"{run.peak_rss_mb:.0f} | {slowest} |")


if __name__ == "__main__":
    main()
