"""Stage: visual analysis (shot changes, faces, sharpness, motion, exposure, thumbnail candidates)."""
from __future__ import annotations

from pathlib import Path

import cv2

from ..analysis.visual import analyse
from ..options import QUALITY_PRESETS
from .base import StageJob, StageResult


def run(job: StageJob) -> StageResult:
    media = job.ctx.require_media()
    if media.video is None:
        return StageResult(sections={"visual": None})
    fps = QUALITY_PRESETS[job.ctx.options.quality].visual_fps
    # One OpenCV thread: the stage shares the machine with transcription, and the frames come one at a time.
    cv2.setNumThreads(1)
    return StageResult(sections={"visual": analyse(Path(media.path), media.video, media.duration_s, fps, job.progress)})
