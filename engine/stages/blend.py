"""Stage: write project.blend, the edit as a Blender Sequencer scene, for finishing by hand in Blender.

Blender (see engine.blender) runs the add-on's job script build_project.py, which
imports timeline.json into a new scene with the data API (strips per kept range,
zoom keys, titles, captions, the animations stage's clips) and saves the file.
Without a Blender it warns and writes nothing.
"""
from __future__ import annotations

import logging
from typing import Any

from .. import blender
from ..timeline import load_timeline
from .base import StageJob, StageResult

log = logging.getLogger(__name__)

JOB_SCRIPT = "build_project"
PROJECT_FILE = "project.blend"
TIMEOUT_S = 300.0


def run(job: StageJob) -> StageResult:
    load_timeline(job.project)  # fail here, with the engine's message, on a missing or invalid timeline
    reason = blender.unavailable(JOB_SCRIPT)
    if reason is not None:
        return StageResult(warnings=[f"{PROJECT_FILE} not written: {reason}"])
    job.progress(0.1, "building the Sequencer scene")

    def on_report(report: dict[str, Any]) -> None:
        log.info("project.blend: %s", ", ".join(f"{k} {v}" for k, v in report.items() if k != "warnings"))
        for warning in report.get("warnings", []):
            log.warning("project.blend: %s", warning)

    blender.run_job(JOB_SCRIPT, [str(job.project), "--quality", job.ctx.options.quality], job.project, on_report,
                    timeout_s=TIMEOUT_S)
    return StageResult(outputs={"blend": PROJECT_FILE})
