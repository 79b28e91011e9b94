"""The local director (issue 2 scope): remove dead air, with a reason and confidence for every cut."""
from __future__ import annotations

from ..context import ContentContext
from ..timeline import Decision, Timeline
from .builder import build_timeline, source_frames, timeline_rate
from .deadair import DeadAirRules, keep_spans, spans_to_frames


def plan(ctx: ContentContext) -> Timeline:
    media = ctx.require_media()
    rate = timeline_rate(media)
    total = source_frames(media)
    if ctx.audio is None or media.audio is None:
        kept = [(0, total)]
        decisions = [Decision(action="keep", source_start=0.0, source_end=media.duration_s,
                              reason="no audio to judge dead air by: everything kept", confidence=1.0)]
        return build_timeline(media, kept, decisions)
    opts = ctx.options
    rules = DeadAirRules(opts.margin_before, opts.margin_after, opts.min_cut, opts.min_clip)
    spans = keep_spans([(s.start, s.end) for s in ctx.audio.sound], media.duration_s, rules)
    kept = spans_to_frames(spans, rate, total)
    decisions = _cut_decisions(kept, total, rate, ctx.audio.threshold_db, ctx.audio.speech_level_db)
    return build_timeline(media, kept, decisions)


def _cut_decisions(kept, total, rate, threshold_db, speech_db) -> list[Decision]:
    decisions = []
    edges = [0] + [x for rng in kept for x in rng] + [total]
    for gap_start, gap_end in zip(edges[0::2], edges[1::2]):
        if gap_end <= gap_start:
            continue
        start, end = float(gap_start / rate), float(gap_end / rate)
        # Longer silences are surer cuts; a clear gap between threshold and speech level too.
        confidence = min(0.99, 0.6 + 0.2 * min(1.0, end - start) + 0.01 * max(0.0, speech_db - threshold_db))
        decisions.append(Decision(
            action="cut", source_start=round(start, 3), source_end=round(end, 3),
            reason=f"dead air for {end - start:.2f} s (below {threshold_db:.1f} dBFS)",
            confidence=round(confidence, 2)))
    return decisions
