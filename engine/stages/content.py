"""Stage: content analysis: what the footage is, its keywords and concepts, chapters, peaks and speech rate.

Reads the transcript, audio and visual sections, any of which may be missing (audio-only input has
no visual section, a silent video no transcript), and writes the content section. Offline and
deterministic; imports only YAKE beyond the engine's own dependencies, so the fresh process it runs
in starts quickly.
"""
from __future__ import annotations

import logging

from ..content.chapters import Boundary, segment
from ..content.content_type import classify, measure
from ..content.keywords import extract
from ..content.peaks import find_peaks
from ..content.text import Sentence, sentences, speech_rate_wpm
from ..content.titles import titles
from ..context import Chapter, ContentAnalysis
from .base import StageJob, StageResult

log = logging.getLogger(__name__)


def run(job: StageJob) -> StageResult:
    ctx = job.ctx
    duration = ctx.require_media().duration_s
    sents = sentences(ctx.transcript)
    shots = ctx.visual.shot_changes if ctx.visual is not None else []

    job.progress(0.1, "content type")
    verdict = classify(measure(sents, duration, ctx.audio, ctx.visual))
    chosen = ctx.options.content_type
    if chosen == "auto":
        content_type, confidence, reason = verdict.content_type, verdict.confidence, verdict.reason
    else:
        content_type, confidence = chosen, 1.0
        reason = f"{chosen}: chosen with --type {chosen} (detection said {verdict.reason})"
    log.info("content type %s (%.2f): %s", content_type, confidence, reason)

    job.progress(0.3, "chapters")
    # Songs have verses, not topics: a music video gets no chapters from its lyrics.
    sections = _sections(sents, segment(sents, duration, shots)) if sents and content_type != "music" else []
    chapters = _chapters(sections, duration)

    job.progress(0.6, "keywords")
    keywords, concepts = extract(sents, [chapter for _, chapter in sections])

    job.progress(0.8, "peaks")
    peaks = find_peaks(sents, duration, ctx.audio, concepts, music=content_type == "music")

    rate = speech_rate_wpm(sents)
    analysis = ContentAnalysis(
        content_type=content_type, type_confidence=confidence, type_reason=reason,
        speech_rate_wpm=round(rate, 1) if rate is not None else None,
        keywords=keywords, concepts=concepts, chapters=chapters, peaks=peaks)
    job.progress(1.0, "content analysed")
    return StageResult(sections={"content": analysis})


def _sections(sents: list[Sentence], boundaries: list[Boundary]) -> list[tuple[float, list[Sentence]]]:
    """(start time, sentences) of each chapter; the first starts at 0 so the lead-in belongs to it."""
    starts = [(0.0, 0)] + [(b.t, b.index) for b in boundaries]
    ends = [index for _, index in starts[1:]] + [len(sents)]
    return [(t, sents[first:end]) for (t, first), end in zip(starts, ends)]


def _chapters(sections: list[tuple[float, list[Sentence]]], duration: float) -> list[Chapter]:
    names = titles([chapter for _, chapter in sections])
    starts = [t for t, _ in sections]
    ends = starts[1:] + [duration]
    return [Chapter(start=round(start, 3), end=round(end, 3), title=name)
            for start, end, name in zip(starts, ends, names)]
