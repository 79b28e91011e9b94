"""The Gemini director: the whole transcript with word times and the analysis, in chunks when long,
answered as an EditPlan through structured output."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from ..ai.gemini import GeminiClient
from ..context import ContentContext
from .model import EditPlan

log = logging.getLogger(__name__)

CHUNK_S = 480.0  # transcript per request; a 15-min lecture takes two requests, sent together
PARALLEL_REQUESTS = 2

SYSTEM = """You are the director of a video editor that turns raw footage into a finished YouTube video.
You receive a transcript with word times (seconds of the source), what the analysis found, and the content
type. Answer with an edit plan in source seconds:
- cuts: remove dead air, filler words (um, uh, er), abandoned false starts, and tangents that add nothing;
  never start or end a cut inside a word: cut between words, at pauses.
- zooms: a gentle punch-in (scale 1.1 to 1.25) on moments of emphasis, at most one every 20 seconds.
- titles: a title card at each topic change, with a short title (at most 6 words).
- broll: charts for numbers the speaker lists, keyword cards for key concepts, diagrams for steps.
Give every item a short reason and a confidence from 0 to 1. Only plan for the time range you are given."""


def _fmt(t: float) -> str:
    return f"{t:.2f}"


def transcript_block(ctx: ContentContext, start: float, end: float) -> str:
    transcript = ctx.transcript
    if transcript is None:
        return "(no speech)"
    lines = []
    for segment in transcript.segments:
        if not start <= segment.start < end:
            continue
        words = transcript.words[segment.first_word:segment.last_word + 1]
        timed = " ".join(f"{_fmt(w.start)}:{w.text}" for w in words)
        lines.append(f"[{_fmt(segment.start)}-{_fmt(segment.end)}] {timed}")
    return "\n".join(lines) or "(no speech in this range)"


def analysis_summary(ctx: ContentContext) -> str:
    media = ctx.require_media()
    parts = [f"Duration: {media.duration_s:.1f} s."]
    if ctx.content:
        parts.append(f"Content type: {ctx.content.content_type} ({ctx.content.type_reason}).")
        if ctx.content.chapters:
            parts.append("Chapters found: " + "; ".join(f"{_fmt(c.start)} {c.title}" for c in ctx.content.chapters))
        if ctx.content.keywords:
            parts.append("Keywords: " + ", ".join(k.text for k in ctx.content.keywords[:12]))
    if ctx.audio:
        silences = sum(1 for a, b in zip(ctx.audio.sound, ctx.audio.sound[1:]) if b.start - a.end > 1.0)
        parts.append(f"Pauses longer than 1 s: {silences}.")
        if ctx.audio.emphasis:
            parts.append("Emphasis at: " + ", ".join(_fmt(e.start) for e in ctx.audio.emphasis[:20]))
        if ctx.audio.music:
            parts.append(f"Music: {ctx.audio.music.tempo_bpm:.0f} BPM, confidence {ctx.audio.music.confidence:.2f}.")
    if ctx.transcript:
        if ctx.transcript.fillers:
            parts.append("Fillers detected: " + ", ".join(f"{_fmt(f.start)} {f.text}" for f in ctx.transcript.fillers))
        if ctx.transcript.retakes:
            parts.append("Retakes detected: " + "; ".join(
                f"{_fmt(r.abandoned.start)}-{_fmt(r.abandoned.end)} \"{r.abandoned_text}\"" for r in ctx.transcript.retakes))
    if ctx.visual:
        parts.append(f"Shot changes at: {', '.join(_fmt(t) for t in ctx.visual.shot_changes[:30]) or 'none'}.")
    return "\n".join(parts)


def prompts(ctx: ContentContext, content_type: str) -> list[str]:
    duration = ctx.require_media().duration_s
    summary = analysis_summary(ctx)
    chunks = []
    start = 0.0
    while start < duration:
        end = min(duration, start + CHUNK_S)
        chunks.append(f"Content type: {content_type}\nPlan only for source seconds {_fmt(start)} to {_fmt(end)}.\n\n"
                      f"Analysis:\n{summary}\n\nTranscript (start:word):\n{transcript_block(ctx, start, end)}")
        start = end
    return chunks


def direct(ctx: ContentContext, client: GeminiClient, content_type: str) -> EditPlan:
    """Ask Gemini for each chunk (in parallel, rate-limited); any failure raises GeminiUnavailable."""
    requests = prompts(ctx, content_type)
    with ThreadPoolExecutor(max_workers=PARALLEL_REQUESTS) as pool:
        answers = list(pool.map(lambda p: client.generate(p, EditPlan, SYSTEM, "gemini:director"), requests))
    plan = EditPlan(content_type=content_type)  # type: ignore[arg-type]
    for answer in answers:
        plan.cuts += answer.cuts
        plan.zooms += answer.zooms
        plan.titles += answer.titles
        plan.broll += answer.broll
    log.info("Gemini plan: %d cuts, %d zooms, %d titles, %d B-roll from %d requests", len(plan.cuts),
             len(plan.zooms), len(plan.titles), len(plan.broll), len(requests))
    return plan
