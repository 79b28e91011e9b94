"""Stage: render every overlay layer's asset clip (B-roll, motion graphics) in Blender.

Reads timeline.json; for each layer that names an asset and whose clip is missing or
out of date, Blender builds the scene and renders the moving frames as PNGs (one
Blender process for all clips); the engine then writes each RGBA QuickTime clip
(clip.py). Without a Blender it warns and writes nothing: the renderer then leaves
the B-roll out.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from .. import blender
from ..blender.assets import INDEX_FILE, MOTION_QUALITY, ClipPlan, plan_clips
from ..blender.clip import write_clip
from ..fsutil import write_text_atomic
from ..timeline import ASSETS_DIR, load_timeline
from .base import StageJob, StageResult

log = logging.getLogger(__name__)

JOB_SCRIPT = "render_animations"
LOW_MEMORY_MB = 700
TIMEOUT_BASE_S, TIMEOUT_PER_FRAME_S = 120.0, 20.0  # generous: a slow CPU renders a 1080p frame in ~10 s


def _read_index(project: Path) -> dict[str, str]:
    try:
        return json.loads((project / ASSETS_DIR / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run(job: StageJob) -> StageResult:
    timeline = load_timeline(job.project)
    plans = plan_clips(timeline, job.ctx.options.quality)
    index = _read_index(job.project)
    todo = [p for p in plans if index.get(p.layer_id) != p.fingerprint or not (job.project / p.path).is_file()]
    outputs = {f"asset_{p.layer_id}": p.path for p in plans if p not in todo}
    if not todo:
        log.info("%d animation clips, all up to date", len(plans))
        return StageResult(outputs=outputs)
    reason = blender.unavailable(JOB_SCRIPT)
    if reason is not None:
        return StageResult(outputs=outputs, warnings=[f"{len(todo)} animation clips not rendered: {reason}"])
    made = _render(job, todo)
    for plan in made:
        index[plan.layer_id] = plan.fingerprint
        outputs[f"asset_{plan.layer_id}"] = plan.path
    live = {p.layer_id for p in plans}
    write_text_atomic(job.project / ASSETS_DIR / INDEX_FILE,
                      json.dumps({k: v for k, v in sorted(index.items()) if k in live}, indent=2) + "\n")
    return StageResult(outputs=outputs)


def _render(job: StageJob, plans: list[ClipPlan]) -> list[ClipPlan]:
    """Render the clips' frames in one Blender process, writing each clip as soon as its frames are there."""
    motion = MOTION_QUALITY[job.ctx.options.quality]
    if job.memory_budget_mb < LOW_MEMORY_MB:
        # Under a tight --max-memory, render at the clip's own size: smaller frame buffers in Blender.
        motion = dataclasses.replace(motion, supersample=1.0)
    work = job.work_dir / "animations"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    by_id = {p.layer_id: p for p in plans}
    jobs = [p.job(str(work / p.layer_id), motion) for p in plans]
    (work / "jobs.json").write_text(json.dumps({"clips": jobs}), encoding="utf-8")
    total = sum(p.rendered for p in plans)
    done: list[ClipPlan] = []
    rendered = 0
    started = time.monotonic()

    def on_report(report: dict[str, Any]) -> None:
        nonlocal rendered
        if report.get("event") == "frame":
            rendered += 1
            job.progress(rendered / total, f"rendering {report['id']}")
        elif report.get("event") == "clip":
            plan = by_id[report["id"]]
            encode_start = time.monotonic()
            frames = [Path(f) for f in report["frames"]]
            write_clip(frames, plan.frame_map, plan.rate, plan.width, plan.height, job.project / plan.path)
            log.info("clip %s (%s): %dx%d, %d frames from %d rendered; Blender %.2f s (%s), clip written in %.2f s",
                     plan.layer_id, plan.kind, plan.width, plan.height, plan.frames, plan.rendered,
                     report["seconds"], report["engine"], time.monotonic() - encode_start)
            done.append(plan)
            shutil.rmtree(work / plan.layer_id, ignore_errors=True)

    blender.run_job(JOB_SCRIPT, [str(work / "jobs.json")], job.project, on_report,
                    timeout_s=TIMEOUT_BASE_S + TIMEOUT_PER_FRAME_S * total)
    log.info("%d animation clips in %.1f s", len(done), time.monotonic() - started)
    return done
