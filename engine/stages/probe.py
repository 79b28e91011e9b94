"""Stage: probe the input with PyAV."""
from __future__ import annotations

from pathlib import Path

from ..media.probe import probe
from .base import StageJob, StageResult


def run(job: StageJob) -> StageResult:
    media = probe(Path(job.ctx.input))
    warnings = []
    if media.video is None:
        warnings.append("the input has no video stream: only audio outputs are made")
    if media.audio is None:
        warnings.append("the input has no audio stream: nothing can be judged as dead air")
    return StageResult(sections={"media": media}, warnings=warnings)
