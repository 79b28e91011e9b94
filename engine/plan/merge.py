"""Merge Gemini's plan into the local one. The local plan is the safety floor: its cuts of dead air,
fillers and retakes always stay, and compile() keeps every cut's edges out of spoken words."""
from __future__ import annotations

from .compile import Directed
from .model import EditPlan

MIN_GEMINI_CONFIDENCE = 0.5
BROLL_NEAR_S = 5.0
ZOOM_SPACING_S = 8.0


def _inside(start: float, end: float, duration: float) -> bool:
    return 0.0 <= start < end <= duration + 0.5


def merge(local: EditPlan, gemini: EditPlan, duration: float) -> tuple[Directed, list[str]]:
    """The combined plan, and notes on what was dropped from Gemini's answer and why."""
    notes: list[str] = []
    merged = Directed.of(local, "local")
    cuts = [c for c in gemini.cuts if _inside(c.start, c.end, duration) and c.confidence >= MIN_GEMINI_CONFIDENCE]
    if len(cuts) < len(gemini.cuts):
        notes.append(f"{len(gemini.cuts) - len(cuts)} Gemini cuts dropped (outside the media or unsure)")
    merged.cuts += [(c, "gemini") for c in cuts]
    zooms, last = [], -1e9
    for zoom in sorted(gemini.zooms, key=lambda z: z.start):
        if _inside(zoom.start, zoom.end, duration) and zoom.start - last >= ZOOM_SPACING_S:
            zooms.append(zoom)
            last = zoom.start
    if zooms:
        merged.zooms = [(z, "gemini") for z in zooms]
    titles = [t for t in gemini.titles if 0.0 <= t.at < duration]
    if titles:
        merged.titles = [(t, "gemini") for t in titles]
    for item in gemini.broll:
        if 0.0 <= item.at < duration and all(abs(item.at - b.at) >= BROLL_NEAR_S for b, _ in merged.broll):
            merged.broll.append((item, "gemini"))
    return merged, notes
