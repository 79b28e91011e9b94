"""report.json: time, CPU, peak memory, API calls, cache use and cost of every stage, and totals."""
from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

import psutil

from . import __version__
from .context import ContentContext
from .fsutil import write_json_atomic
from .metrics import Counters, StageMetrics
from .stages import STAGES

REPORT_FILE = "report.json"
REPORT_SCHEMA = "ai-video-editor/report"
COUNTER_KEYS = tuple(Counters.__dataclass_fields__)


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "logical_cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def write_report(
    project: Path,
    ctx: ContentContext,
    rows: dict[str, StageMetrics],
    wall_s: float,
    peak_rss_mb: float,
    memory_limit_mb: float,
    orchestrator_cpu_s: float,
    context_bytes: int,
    error: str | None,
    rerun: bool,
    full: bool,
) -> dict:
    """Write report.json. A re-run of stages (a stage subcommand) updates their rows in the last report;
    otherwise the report describes this run alone, complete when it ran every stage without error."""
    path = project / REPORT_FILE
    previous = _previous_rows(path) if rerun else {}
    merged = {**previous, **{name: m.to_report() for name, m in rows.items()}}
    stage_rows = [merged[s.name] for s in STAGES if s.name in merged]
    if rerun:
        wall_s = sum(r["wall_s"] for r in stage_rows)
    totals = {
        "wall_s": round(wall_s, 3),
        "cpu_s": round(sum(r["cpu_s"] for r in stage_rows) + orchestrator_cpu_s, 3),
        # The whole job's tree, stages running side by side included (not just the largest stage).
        "peak_rss_mb": round(max([peak_rss_mb] + [r["peak_rss_mb"] for r in stage_rows]), 1),
    }
    for key in COUNTER_KEYS:
        totals[key] = round(sum(r[key] for r in stage_rows), 6) if key == "cost_usd" else sum(r[key] for r in stage_rows)
    duration = ctx.media.duration_s if ctx.media else 0.0
    totals["realtime_factor"] = round(duration / wall_s, 3) if wall_s > 0 else None
    lookups = totals["cache_hits"] + totals["cache_misses"]
    totals["cache_hit_rate"] = round(totals["cache_hits"] / lookups, 3) if lookups else None
    report = {
        "schema": REPORT_SCHEMA,
        "version": 1,
        "engine_version": __version__,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "input": ctx.input,
        "input_duration_s": round(duration, 3),
        "options": ctx.options.model_dump(mode="json"),
        # Complete: every stage of a full job has run without error (a re-run stage keeps that status).
        "complete": error is None and (_was_complete(path) if rerun else full),
        "error": error,
        "stages": stage_rows,
        "totals": totals,
        "context_bytes": context_bytes,
        "memory_limit_mb": memory_limit_mb,
        "outputs": ctx.outputs,
        # Which thumbnail belongs with which title (its hook matches that title).
        "thumbnail_pairs": [{"thumbnail": v.file, "hook": v.hook, "title": v.title}
                            for v in (ctx.thumbnails.variants if ctx.thumbnails else [])],
        "warnings": ctx.warnings,
        "machine": machine(),
    }
    write_json_atomic(path, report)
    return report


def _previous_rows(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {row["name"]: row for row in data.get("stages", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _was_complete(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("complete"))
    except (OSError, ValueError):
        return False
