"""Stage: render the timeline to edited.mp4."""
from __future__ import annotations

from ..render import OUTPUT_FILE, render_timeline
from ..timeline import load_timeline
from .base import StageJob, StageResult


def run(job: StageJob) -> StageResult:
    media = job.ctx.require_media()
    if media.video is None:
        return StageResult(warnings=["no video stream: edited.mp4 is not rendered"])
    timeline = load_timeline(job.project)
    result = render_timeline(timeline, media, job.project, job.ctx.options, lambda f: job.progress(f, "encoding"))
    return StageResult(outputs={"video": OUTPUT_FILE}, warnings=result.warnings)
