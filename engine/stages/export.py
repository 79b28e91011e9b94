"""Stage: export the timeline to other editors' formats."""
from __future__ import annotations

from pathlib import Path

from ..export.otio_export import OTIO_FILE, write_otio
from ..timeline import load_timeline
from .base import StageJob, StageResult


def run(job: StageJob) -> StageResult:
    timeline = load_timeline(job.project)
    write_otio(timeline, job.project, Path(job.ctx.input).stem)
    return StageResult(outputs={"otio": OTIO_FILE})
