"""What the Results and Metrics panels show, read from an output folder and the progress feed. No bpy.

Everything is found through the engine's own records (context.json's outputs,
timeline.json's decisions, report.json's stage rows), so new outputs from new
stages show up without a change here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def outputs(out: Path) -> dict[str, str]:
    """name -> path relative to the folder, for every output the engine recorded that exists."""
    recorded = (_read_json(out / "context.json") or {}).get("outputs", {})
    return {name: rel for name, rel in sorted(recorded.items()) if (out / rel).exists()}


def thumbnails(out: Path, found: dict[str, str]) -> list[str]:
    """Images among the outputs whose name or path says thumbnail, and any in a thumbnails folder."""
    listed = [rel for name, rel in found.items()
              if "thumb" in f"{name} {rel}".lower() and Path(rel).suffix.lower() in IMAGE_SUFFIXES]
    folder = out / "thumbnails"
    extra = sorted(str(p.relative_to(out)) for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES) \
        if folder.is_dir() else []
    return listed + [rel for rel in extra if rel not in listed]


def metadata(out: Path, found: dict[str, str]) -> dict[str, Any] | None:
    """The video's metadata (title, description, tags, chapters...) when a stage wrote it as JSON."""
    for name, rel in found.items():
        if "metadata" in f"{name} {rel}".lower() and rel.endswith(".json"):
            data = _read_json(out / rel)
            if isinstance(data, dict):
                return data
    return None


def decisions(out: Path) -> list[dict[str, Any]]:
    """Every decision of the plan with its reason, in source order."""
    timeline = _read_json(out / "timeline.json") or {}
    return sorted(timeline.get("decisions", []), key=lambda d: (d.get("source_start", 0.0), d.get("action", "")))


def report_metrics(out: Path) -> dict[str, dict[str, Any]]:
    """stage -> metrics row from report.json (for a folder processed earlier)."""
    report = _read_json(out / "report.json") or {}
    return {row["name"]: row for row in report.get("stages", []) if "name" in row}


@dataclass(frozen=True)
class MetricRow:
    name: str
    wall_s: float
    peak_rss_mb: float
    api_calls: int
    cache_hits: int
    cache_misses: int
    cost_usd: float
    skipped: bool = False

    @property
    def cache_hit_rate(self) -> float | None:
        lookups = self.cache_hits + self.cache_misses
        return self.cache_hits / lookups if lookups else None


def metric_rows(metrics: dict[str, dict[str, Any]]) -> list[MetricRow]:
    return [MetricRow(name, float(m.get("wall_s", 0.0)), float(m.get("peak_rss_mb", 0.0)), int(m.get("api_calls", 0)),
                      int(m.get("cache_hits", 0)), int(m.get("cache_misses", 0)), float(m.get("cost_usd", 0.0)),
                      bool(m.get("skipped", False))) for name, m in metrics.items()]


def total(rows: list[MetricRow], elapsed_s: float | None = None) -> MetricRow:
    """The whole job: its elapsed time (stages overlap, so not their sum, when known), the highest peak."""
    return MetricRow("total", elapsed_s if elapsed_s is not None else sum(r.wall_s for r in rows),
                     max((r.peak_rss_mb for r in rows), default=0.0), sum(r.api_calls for r in rows),
                     sum(r.cache_hits for r in rows), sum(r.cache_misses for r in rows),
                     sum(r.cost_usd for r in rows))
