"""The bundled sample run once per test session through the real probe, audio and transcribe stages.

The stages run in this process (as engine.worker would run them), so the transcript and the progress
events can be checked directly; the model is loaded once for all transcription and caption tests.
"""
from __future__ import annotations

import functools
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine import __version__
from engine.context import ContentContext, Transcript, apply_section
from engine.options import JobOptions
from engine.stages import audio, probe, transcribe
from engine.stages.base import EventWriter, StageJob

from conftest import SAMPLE


@dataclass(frozen=True)
class Transcribed:
    ctx: ContentContext  # media, audio and transcript sections filled
    progress: list[dict]  # the transcribe stage's progress events, in order

    @property
    def transcript(self) -> Transcript:
        assert self.ctx.transcript is not None
        return self.ctx.transcript


@functools.cache
def transcribed_sample() -> Transcribed:
    project = Path(tempfile.mkdtemp(prefix="ave-transcribe-"))
    ctx = ContentContext(engine_version=__version__, input=str(SAMPLE), options=JobOptions())
    for name, module in (("probe", probe), ("audio", audio)):
        result = module.run(StageJob(name, project, ctx, EventWriter(io.StringIO())))
        for section, value in result.sections.items():
            apply_section(ctx, section, value)
    events = io.StringIO()
    result = transcribe.run(StageJob("transcribe", project, ctx, EventWriter(events)))
    apply_section(ctx, "transcript", result.sections["transcript"])
    progress = [e for e in map(json.loads, events.getvalue().splitlines()) if e["event"] == "progress"]
    return Transcribed(ctx, progress)
