"""Stage: captions.srt and captions.vtt from the transcript, timed on the edited video."""
from __future__ import annotations

from ..export.captions import build_cues, edited_words, to_srt, to_vtt
from ..fsutil import write_text_atomic
from ..timeline import load_timeline
from .base import StageJob, StageResult

SRT_FILE = "captions.srt"
VTT_FILE = "captions.vtt"


def run(job: StageJob) -> StageResult:
    transcript = job.ctx.transcript
    if transcript is None:
        return StageResult(warnings=["no transcript (the input has no audio): no captions written"])
    cues = build_cues(edited_words(transcript.words, load_timeline(job.project)))
    write_text_atomic(job.project / SRT_FILE, to_srt(cues))
    write_text_atomic(job.project / VTT_FILE, to_vtt(cues))
    job.progress(1.0, f"{len(cues)} captions")
    return StageResult(outputs={"captions_srt": SRT_FILE, "captions_vtt": VTT_FILE})
