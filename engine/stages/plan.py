"""Stage: plan the edit (local director, and Gemini when a key is set), write timeline.json and edit.png."""
from __future__ import annotations

import logging

from ..ai.gemini import GeminiUnavailable
from ..ai.ledger import BudgetExceeded
from ..ai.session import ai_client
from ..context import PlanSummary
from ..plan import gemini_director, local
from ..plan.compile import Directed, compile_plan
from ..plan.merge import merge
from ..review import EDIT_PNG, draw_edit
from ..timeline import TIMELINE_FILE, save_timeline
from .base import StageJob, StageResult

log = logging.getLogger(__name__)


def run(job: StageJob) -> StageResult:
    ctx = job.ctx
    kind = local.content_type(ctx)
    local_plan = local.direct(ctx)
    directed, director = Directed.of(local_plan, "local"), "local"
    client, warnings = ai_client(job)
    if client is not None:
        job.progress(0.1, "asking Gemini")
        try:
            gemini_plan = gemini_director.direct(ctx, client, kind)
            directed, notes = merge(local_plan, gemini_plan, ctx.require_media().duration_s)
            warnings += notes
            director = "gemini+local"
        except (GeminiUnavailable, BudgetExceeded) as exc:
            warnings.append(f"Gemini director unavailable ({exc}): the local plan is used")
            job.counters.fallbacks += 1
    job.progress(0.6, "compiling the timeline")
    timeline = compile_plan(directed, ctx)
    save_timeline(job.project, timeline)
    draw_edit(ctx, timeline, job.project)
    media = ctx.require_media()
    kept = timeline.duration_s
    summary = PlanSummary(
        timeline=TIMELINE_FILE, director=director, content_type=kind, kept_s=round(kept, 3),
        removed_s=round(max(0.0, media.duration_s - kept), 3),
        cuts=sum(1 for d in timeline.decisions if d.action == "cut"))
    return StageResult(sections={"plan": summary}, outputs={"timeline": TIMELINE_FILE, "edit_png": EDIT_PNG},
                       warnings=warnings)
