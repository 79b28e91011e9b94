"""The local director: offline and deterministic, one style per content type.

- educational: dead air out (natural pauses under --min-cut stay), fillers and
  abandoned retakes out, a punch-in at emphasis peaks at most every ~20 s, a
  title card at each chapter, B-roll (keyword cards, charts of numbers said,
  step diagrams) for key concepts.
- music: no speech trimming; silence at the ends and long gaps cut on beats,
  accents on downbeats, intro and outro titles, a beat-synced visualiser.
- general: dead air, fillers, zooms, titles.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..context import ContentContext
from ..timeline import BrollSpec
from .deadair import DeadAirRules, keep_spans
from .model import EditPlan, PlanBroll, PlanCut, PlanTitle, PlanZoom
from .numbers import paired_series

TITLE_CARD_S = 2.5
KEYWORD_CARD_S = 3.5
CARD_SPACING_S = 15.0
ZOOM_SPACING_S = {"educational": 20.0, "general": 15.0}
ZOOM_SCALE = {"educational": 1.15, "general": 1.2}
MAX_ZOOM_S = 4.0
MUSIC_GAP_S = 2.0  # silences longer than this inside a music video are cut
ACCENT_EVERY_BARS = 2
STEP_WORDS = ("first", "second", "third", "then", "next", "finally", "lastly")


def content_type(ctx: ContentContext) -> str:
    if ctx.options.content_type != "auto":
        return ctx.options.content_type
    return ctx.content.content_type if ctx.content else "general"


def direct(ctx: ContentContext) -> EditPlan:
    kind = content_type(ctx)
    return music_plan(ctx) if kind == "music" else speech_plan(ctx, kind)


# -- speech (educational, general) ---------------------------------------------------------------------

def speech_plan(ctx: ContentContext, kind: str) -> EditPlan:
    plan = EditPlan(content_type=kind)  # type: ignore[arg-type]
    plan.cuts = dead_air_cuts(ctx) + filler_cuts(ctx) + retake_cuts(ctx)
    plan.zooms = emphasis_zooms(ctx, ZOOM_SPACING_S[kind], ZOOM_SCALE[kind])
    plan.titles = chapter_titles(ctx)
    if kind == "educational":
        plan.broll = number_charts(ctx) + step_diagrams(ctx)
        plan.broll += concept_cards(ctx, taken=[b.at for b in plan.broll] + [t.at for t in plan.titles])
    return plan


def dead_air_cuts(ctx: ContentContext) -> list[PlanCut]:
    media = ctx.require_media()
    if ctx.audio is None:
        return []
    opts = ctx.options
    rules = DeadAirRules(opts.margin_before, opts.margin_after, opts.min_cut, opts.min_clip)
    kept = keep_spans([(s.start, s.end) for s in ctx.audio.sound], media.duration_s, rules)
    edges = [0.0] + [x for span in kept for x in span] + [media.duration_s]
    cuts = []
    for start, end in zip(edges[0::2], edges[1::2]):
        if end - start <= 0:
            continue
        # Longer silences, and a clear gap between threshold and speech level, are surer cuts.
        gap_db = ctx.audio.speech_level_db - ctx.audio.threshold_db
        confidence = min(0.99, 0.6 + 0.2 * min(1.0, end - start) + 0.01 * max(0.0, gap_db))
        cuts.append(PlanCut(start=round(start, 3), end=round(end, 3), kind="dead_air", confidence=round(confidence, 2),
                            reason=f"dead air for {end - start:.2f} s (below {ctx.audio.threshold_db:.1f} dBFS)"))
    return cuts


def filler_cuts(ctx: ContentContext) -> list[PlanCut]:
    if ctx.transcript is None:
        return []
    return [PlanCut(start=f.start, end=f.end, kind="filler", confidence=round(f.confidence, 2),
                    reason=f"filler word \"{f.text}\"" + (" (confirmed by its sound)" if f.acoustic else ""))
            for f in ctx.transcript.fillers]


def retake_cuts(ctx: ContentContext) -> list[PlanCut]:
    if ctx.transcript is None:
        return []
    return [PlanCut(start=r.abandoned.start, end=r.abandoned.end, kind="retake", confidence=round(r.confidence, 2),
                    reason=f"abandoned take \"{r.abandoned_text}\", said again as \"{r.repeat_text}\"")
            for r in ctx.transcript.retakes]


def emphasis_zooms(ctx: ContentContext, spacing: float, scale: float) -> list[PlanZoom]:
    if ctx.audio is None or ctx.require_media().video is None:
        return []
    chosen: list[PlanZoom] = []
    for peak in sorted(ctx.audio.emphasis, key=lambda p: -p.score):
        if any(abs(peak.start - z.start) < spacing for z in chosen):
            continue
        cx, cy = _face_center(ctx, peak.start)
        chosen.append(PlanZoom(
            start=max(0.0, peak.start - 0.15), end=min(peak.end + 0.3, peak.start + MAX_ZOOM_S), scale=scale,
            center_x=cx, center_y=cy, kind="emphasis", confidence=round(min(0.95, 0.5 + peak.score / 2), 2),
            reason=f"emphasis: {peak.loudness_db:+.1f} dB louder, {peak.pitch_semitones:+.1f} semitones higher"))
    return sorted(chosen, key=lambda z: z.start)


def _face_center(ctx: ContentContext, t: float) -> tuple[float, float]:
    """Zoom towards the speaker's face when one is seen near that moment; else the upper middle."""
    if ctx.visual is not None:
        near = [c for c in ctx.visual.thumbnail_candidates if c.face_box and abs(c.t - t) < 10]
        if near:
            x, y, w, h = min(near, key=lambda c: abs(c.t - t)).face_box  # type: ignore[misc]
            return round(min(0.8, max(0.2, x + w / 2)), 3), round(min(0.8, max(0.2, y + h / 2)), 3)
    return 0.5, 0.45


def chapter_titles(ctx: ContentContext) -> list[PlanTitle]:
    if ctx.content is None:
        return []
    return [PlanTitle(at=c.start, duration=TITLE_CARD_S, kind="title_card", text=c.title,
                      subtitle=f"Part {i + 1}" if len(ctx.content.chapters) > 1 else None,
                      confidence=0.8, reason=f"chapter {i + 1} starts: {c.title}")
            for i, c in enumerate(ctx.content.chapters)]


def number_charts(ctx: ContentContext) -> list[PlanBroll]:
    if ctx.transcript is None:
        return []
    charts = []
    for segment in ctx.transcript.segments:
        series = paired_series(segment.text)
        if series is None:
            continue
        rising = series.values == sorted(series.values)
        spec = BrollSpec(kind="line_chart" if rising else "bar_chart",
                         title=f"{series.value_unit} by {series.label_unit}".strip().capitalize(),
                         labels=series.labels, values=series.values, unit=series.value_unit)
        charts.append(PlanBroll(at=segment.start, duration=max(4.0, segment.end - segment.start + 1.0), spec=spec,
                                confidence=0.7, reason=f"numbers said: {', '.join(series.labels)} -> "
                                                       f"{', '.join(f'{v:g}' for v in series.values)}"))
    return charts


def step_diagrams(ctx: ContentContext) -> list[PlanBroll]:
    """Three or more enumerated steps inside one chapter become a step diagram."""
    if ctx.transcript is None or ctx.content is None:
        return []
    diagrams = []
    for chapter in ctx.content.chapters:
        steps = [s for s in ctx.transcript.segments
                 if chapter.start <= s.start < chapter.end and re.match(rf"({'|'.join(STEP_WORDS)})\b", s.text.strip().lower())]
        if len(steps) >= 3:
            items = [_short(s.text) for s in steps]
            diagrams.append(PlanBroll(at=steps[0].start, duration=min(10.0, steps[-1].end - steps[0].start + 2.0),
                                      spec=BrollSpec(kind="diagram", title=chapter.title, items=items),
                                      confidence=0.6, reason=f"{len(steps)} steps enumerated in \"{chapter.title}\""))
    return diagrams


def _short(sentence: str, words: int = 6) -> str:
    parts = re.sub(r"^(first|second|third|then|next|finally|lastly)[, ]+", "", sentence.strip(), flags=re.I).split()
    return " ".join(parts[:words]).rstrip(".,;:!?")


def concept_cards(ctx: ContentContext, taken: list[float], limit: int = 4) -> list[PlanBroll]:
    """Keyword cards for the key concepts, each at a mention clear of the title cards, spread out."""
    if ctx.content is None:
        return []
    duration = ctx.require_media().duration_s
    spacing = min(CARD_SPACING_S, duration / 5)  # a short video still gets a card or two
    cards: list[PlanBroll] = []
    for concept in sorted(ctx.content.concepts, key=lambda c: -c.score):
        if len(cards) >= limit:
            break
        at = next((t for t in concept.mentions
                   if all(abs(t - x) >= TITLE_CARD_S + 1.5 for x in taken)
                   and all(abs(t - c.at) >= spacing for c in cards) and t + KEYWORD_CARD_S <= duration), None)
        if at is None:
            continue
        cards.append(PlanBroll(at=at, duration=KEYWORD_CARD_S,
                               spec=BrollSpec(kind="keyword_card", title=concept.text.title()),
                               confidence=round(min(0.9, 0.4 + concept.score / 2), 2),
                               reason=f"key concept \"{concept.text}\" said here"))
    return sorted(cards, key=lambda c: c.at)


# -- music -----------------------------------------------------------------------------------------------

def music_plan(ctx: ContentContext) -> EditPlan:
    media = ctx.require_media()
    plan = EditPlan(content_type="music")
    music = ctx.audio.music if ctx.audio else None
    beats = music.beats if music else []
    downbeats = music.downbeats if music else []
    plan.cuts = music_gap_cuts(ctx, beats)
    if music is not None and media.video is not None:
        for i, t in enumerate(downbeats[::ACCENT_EVERY_BARS]):
            plan.zooms.append(PlanZoom(start=t, end=t + 0.45, scale=1.06, kind="accent",
                                       confidence=round(music.confidence, 2),
                                       reason=f"accent on the downbeat at {t:.2f} s (bar {i * ACCENT_EVERY_BARS + 1})"))
    title = Path(ctx.input).stem.replace("_", " ").replace("-", " ").strip().title() or "Live"
    plan.titles = [PlanTitle(at=0.0, duration=3.0, kind="title_card", text=title[:80], confidence=0.9,
                             reason="intro title"),
                   PlanTitle(at=max(0.0, media.duration_s - 4.0), duration=3.5, kind="title_card",
                             text="Thanks for watching", confidence=0.8, reason="outro title")]
    if music is not None and beats:
        intro = [b for b in beats if b < 8.0]
        plan.broll = [PlanBroll(at=0.0, duration=min(8.0, media.duration_s), placement="picture_in_picture",
                                spec=BrollSpec(kind="visualizer", title=title[:80], values=[round(b, 3) for b in intro],
                                               unit="s"),
                                confidence=round(music.confidence, 2),
                                reason=f"beat-synced visualiser at {music.tempo_bpm:.0f} BPM")]
    return plan


def music_gap_cuts(ctx: ContentContext, beats: list[float]) -> list[PlanCut]:
    """Silence before the first note, after the last, and long gaps between songs, cut on beats."""
    media = ctx.require_media()
    if ctx.audio is None or not ctx.audio.sound:
        return []
    spans = keep_spans([(s.start, s.end) for s in ctx.audio.sound], media.duration_s,
                       DeadAirRules(0.05, 0.3, MUSIC_GAP_S, 0.2))
    edges = [0.0] + [x for span in spans for x in span] + [media.duration_s]
    cuts = []
    for start, end in zip(edges[0::2], edges[1::2]):
        if end - start < 0.3:
            continue
        # Cut from the first beat inside the silence to the last beat before sound returns, when there are beats.
        inside = [b for b in beats if start <= b <= end]
        lo, hi = (inside[0], inside[-1]) if len(inside) >= 2 else (start, end)
        if hi - lo >= 0.3:
            cuts.append(PlanCut(start=round(lo, 3), end=round(hi, 3), kind="silence", confidence=0.9,
                                reason=f"{end - start:.1f} s without music" + (" (cut on beats)" if len(inside) >= 2 else "")))
    return cuts
