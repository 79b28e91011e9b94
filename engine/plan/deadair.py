"""Turn detected sound into kept spans: minimum cut and clip lengths, then margins."""
from __future__ import annotations

from dataclasses import dataclass

Span = tuple[float, float]


@dataclass(frozen=True)
class DeadAirRules:
    margin_before: float
    margin_after: float
    min_cut: float
    min_clip: float


def keep_spans(sound: list[Span], duration: float, rules: DeadAirRules) -> list[Span]:
    """Spans of source time to keep, in seconds, sorted and disjoint."""
    merged: list[list[float]] = []
    for start, end in sound:
        # Dead air shorter than min_cut is a natural pause: the sound goes on through it.
        if merged and start - merged[-1][1] < rules.min_cut:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    spoken = [(s, e) for s, e in merged if e - s >= rules.min_clip]
    kept: list[list[float]] = []
    for start, end in spoken:
        start, end = max(0.0, start - rules.margin_before), min(duration, end + rules.margin_after)
        if kept and start <= kept[-1][1]:
            kept[-1][1] = max(kept[-1][1], end)
        else:
            kept.append([start, end])
    return [(s, e) for s, e in kept]
