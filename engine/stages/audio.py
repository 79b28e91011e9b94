"""Stage: audio analysis (dead air)."""
from __future__ import annotations

from pathlib import Path

from ..analysis.deadair import detect
from ..context import AudioAnalysis, Interval
from ..media.audio import hop_energy_db, iter_mono
from ..options import QUALITY_PRESETS
from .base import StageJob, StageResult

ANALYSIS_RATE = 16000


def run(job: StageJob) -> StageResult:
    media = job.ctx.require_media()
    if media.audio is None:
        return StageResult(sections={"audio": None})
    hop_s = QUALITY_PRESETS[job.ctx.options.quality].analysis_hop_s
    hop = int(round(hop_s * ANALYSIS_RATE))

    def chunks():
        done = 0
        for chunk in iter_mono(Path(media.path), ANALYSIS_RATE):
            done += len(chunk)
            job.progress(done / ANALYSIS_RATE / media.duration_s, "reading audio")
            yield chunk

    levels = hop_energy_db(chunks(), hop)
    found = detect(levels, hop_s, job.ctx.options.silence_threshold_db)
    offset = media.audio_offset_s
    analysis = AudioAnalysis(
        hop_s=hop_s,
        threshold_db=round(found.threshold_db, 2),
        noise_floor_db=round(found.noise_floor_db, 2),
        speech_level_db=round(found.speech_level_db, 2),
        sound=[Interval(start=max(0.0, s + offset), end=max(0.0, e + offset)) for s, e in found.sound],
    )
    warnings = [] if found.has_dead_air else [
        "no dead air found: the audio has no quiet stretches clearly below its speech level, so nothing is cut"]
    return StageResult(sections={"audio": analysis}, warnings=warnings)
