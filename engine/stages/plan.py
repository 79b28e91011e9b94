"""Stage: plan the edit and write timeline.json."""
from __future__ import annotations

from ..context import PlanSummary
from ..plan import local
from ..timeline import TIMELINE_FILE, save_timeline
from .base import StageJob, StageResult


def run(job: StageJob) -> StageResult:
    timeline = local.plan(job.ctx)
    save_timeline(job.project, timeline)
    media = job.ctx.require_media()
    kept = timeline.duration_s
    summary = PlanSummary(
        timeline=TIMELINE_FILE,
        director="local",
        content_type=job.ctx.options.content_type,
        kept_s=round(kept, 3),
        removed_s=round(max(0.0, media.duration_s - kept), 3),
        cuts=sum(1 for d in timeline.decisions if d.action == "cut"),
    )
    return StageResult(sections={"plan": summary}, outputs={"timeline": TIMELINE_FILE})
