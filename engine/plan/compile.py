"""Compile an EditPlan (source seconds) into the frame-exact Timeline.

The safety floor lives here, so it holds whoever directed the plan: a cut may
remove whole sounds, but its edges always fall in silence, never inside a
spoken word. Sound is judged acoustically (the audio stage's raw sound spans),
because recogniser word times drift by a tenth of a second or more.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..context import ContentContext
from ..render.settings import render_size
from ..errors import ProjectError
from ..timeline import (
    ASSETS_DIR, BrollLayer, Decision, Effect, Keyframe, MediaRef, SourceToTimeline, TextLayer, Timeline, Track,
    Transition, check_transition, seconds_to_frame,
)
from .builder import build_timeline, source_frames, timeline_rate
from .model import EditPlan, PlanBroll, PlanCut, PlanTitle, PlanZoom

GRID_S = 0.01  # resolution of the cut mask
MIN_EDGE_GAP_S = 0.06  # a pause narrower than this (about two frames) cannot hold a cut edge
MIN_CUT_FRAMES = 2  # a shorter cut would only make a visible jump for nothing
MIN_SLIVER_S = 0.25  # kept pieces shorter than this with no speech in them are cut too
ZOOM_RAMP_FRAMES = 8
TRANSITION_FRAMES = 12
EXPANDING_KINDS = ("filler", "retake")  # these take the silence around them along


@dataclass
class Directed:
    """Plan items with the director that proposed each."""

    content_type: str
    cuts: list[tuple[PlanCut, str]] = field(default_factory=list)
    zooms: list[tuple[PlanZoom, str]] = field(default_factory=list)
    titles: list[tuple[PlanTitle, str]] = field(default_factory=list)
    broll: list[tuple[PlanBroll, str]] = field(default_factory=list)

    @classmethod
    def of(cls, plan: EditPlan, director: str) -> "Directed":
        return cls(plan.content_type, [(c, director) for c in plan.cuts], [(z, director) for z in plan.zooms],
                   [(t, director) for t in plan.titles], [(b, director) for b in plan.broll])


@dataclass(frozen=True)
class FinalCut:
    start: float
    end: float
    sources: tuple[tuple[PlanCut, str], ...]


def sound_runs(ctx: ContentContext) -> list[tuple[float, float]]:
    """Sound spans merged across gaps too short to hold a cut: an edge needs a pause wider than a frame."""
    runs: list[list[float]] = []
    for s in (ctx.audio.sound if ctx.audio else []):
        if runs and s.start - runs[-1][1] < MIN_EDGE_GAP_S:
            runs[-1][1] = max(runs[-1][1], s.end)
        else:
            runs.append([s.start, s.end])
    return [(a, b) for a, b in runs]


def resolve_cuts(directed: Directed, ctx: ContentContext) -> list[FinalCut]:
    """Apply the safety floor and snap cuts to silence; return disjoint cuts in source seconds.

    A sound run whose middle lies inside a proposed cut is cut whole; every other run is protected,
    with up to the margins of silence around it (never more than half the pause to the next sound).
    So a cut's edges always land in a pause, and a word is either kept whole or cut whole.
    """
    duration = ctx.require_media().duration_s
    n = int(np.ceil(duration / GRID_S)) + 1
    runs = sound_runs(ctx)
    included: set[int] = set()
    for cut, _ in directed.cuts:
        included.update(i for i, (s, e) in enumerate(runs) if cut.start <= (s + e) / 2 <= cut.end)
    before, after = ctx.options.margin_before, ctx.options.margin_after
    pads = []  # (start, end) of each run with its share of the pauses around it
    for i, (s, e) in enumerate(runs):
        gap_before = s - runs[i - 1][1] if i else s
        gap_after = runs[i + 1][0] - e if i + 1 < len(runs) else duration - e
        pads.append((s - min(before, gap_before / 2), e + min(after, gap_after / 2)))
    guard = np.zeros(n, bool)
    for i, (lo, hi) in enumerate(pads):
        if i not in included:
            guard[_cell(lo):_cell(hi)] = True
    protected = [pads[i] for i in range(len(runs)) if i not in included]
    mask = np.zeros(n, bool)
    owners: list[tuple[float, float, PlanCut, str]] = []
    for cut, director in directed.cuts:
        lo, hi = cut.start, cut.end
        mine = [pads[i] for i in included if cut.start <= (runs[i][0] + runs[i][1]) / 2 <= cut.end]
        if mine:
            lo, hi = min(lo, min(a for a, _ in mine)), max(hi, max(b for _, b in mine))
        if cut.kind in EXPANDING_KINDS:
            # Take the silence on both sides too, up to the neighbouring speech's margins.
            lo = max([b for a, b in protected if b <= lo + GRID_S] + [0.0])
            hi = min([a for a, b in protected if a >= hi - GRID_S] + [duration])
        if hi > lo:
            mask[_cell(lo):_cell(hi)] = True
            owners.append((lo, hi, cut, director))
    mask &= ~guard
    _absorb_slivers(mask, guard)
    cuts = []
    for a, b in _runs(mask):
        start, end = a * GRID_S, min(duration, b * GRID_S)
        sources = tuple((c, d) for lo, hi, c, d in owners if lo < end and hi > start)
        if sources:
            cuts.append(FinalCut(start, end, sources))
    return cuts


def _cell(seconds: float) -> int:
    return max(0, int(round(seconds / GRID_S)))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def _absorb_slivers(mask: np.ndarray, guard: np.ndarray) -> None:
    """A short kept piece between two cuts with no speech in it is an awkward flash: cut it too."""
    limit = int(MIN_SLIVER_S / GRID_S)
    kept = _runs(~mask)
    for a, b in kept:
        if 0 < a and b < len(mask) and b - a < limit and not guard[a:b].any():
            mask[a:b] = True


def compile_plan(directed: Directed, ctx: ContentContext) -> Timeline:
    media = ctx.require_media()
    rate, total = timeline_rate(media), source_frames(media)
    cuts = resolve_cuts(directed, ctx)
    cut_frames = []
    for cut in cuts:
        # Edges lie in pauses at least two frames wide, so the nearest frame boundary is still in the pause.
        first = 0 if cut.start <= 0 else seconds_to_frame(cut.start, rate)
        last = total if cut.end >= ctx.require_media().duration_s - 1e-6 else min(total, seconds_to_frame(cut.end, rate))
        if last - first >= MIN_CUT_FRAMES or (last == total and last > first):
            cut_frames.append((first, last, cut))
    kept, position = [], 0
    for first, last, _ in cut_frames:
        if first > position:
            kept.append((position, first))
        position = max(position, last)
    if position < total:
        kept.append((position, total))
    if not kept:
        kept = [(0, total)]  # a plan that cuts everything is refused: keep the footage
    timeline = build_timeline(media, kept, [])
    # One size for everything drawn for this edit: the render, the B-roll clips, the Blender scene.
    timeline.output_width, timeline.output_height = render_size(media, ctx.options.quality)
    mapping = SourceToTimeline.from_kept(kept, rate)
    decisions = [_cut_decision(cut, first, last, rate) for first, last, cut in cut_frames]
    _add_transitions(timeline, cut_frames, mapping, decisions)
    _add_zooms(timeline, directed.zooms, mapping, decisions)
    _add_layers(timeline, directed, mapping, decisions)
    timeline.decisions = sorted(decisions, key=lambda d: (d.source_start, d.action))
    return timeline


def _cut_decision(cut: FinalCut, first: int, last: int, rate: Fraction) -> Decision:
    kinds = sorted({c.kind for c, _ in cut.sources}, key=["retake", "filler", "other", "silence", "dead_air"].index)
    reasons = "; ".join(dict.fromkeys(c.reason for c, _ in cut.sources))
    start, end = float(first / rate), float(last / rate)
    return Decision(action="cut", kind=kinds[0], source_start=round(start, 3), source_end=round(end, 3),
                    reason=f"{reasons} ({end - start:.2f} s removed)",
                    confidence=max(c.confidence for c, _ in cut.sources),
                    director="gemini" if any(d == "gemini" for _, d in cut.sources) else "local")


def _add_transitions(timeline: Timeline, cut_frames, mapping: SourceToTimeline, decisions: list[Decision]) -> None:
    for index, (first, last, cut) in enumerate(cut_frames):
        wanted = next((c for c, _ in cut.sources if c.transition != "none"), None)
        at = mapping.frame(cut.end, "start")
        if wanted is None or at is None:
            continue
        for track in timeline.tracks:
            if track.kind not in ("video", "audio"):
                continue
            transition = Transition(id=f"{track.id}-x{index}", kind=wanted.transition, at=at,
                                    duration=TRANSITION_FRAMES)
            if _fits(timeline, track, transition):
                track.transitions.append(transition)
                if track.kind == "video":
                    decisions.append(Decision(
                        action="transition", kind=wanted.transition, source_start=round(cut.start, 3),
                        source_end=round(cut.end, 3), reason=wanted.reason, confidence=wanted.confidence,
                        item=transition.id))


def _fits(timeline: Timeline, track: Track, transition: Transition) -> bool:
    try:
        check_transition(timeline, track, transition)
    except ProjectError:
        return False
    return True


def _add_zooms(timeline: Timeline, zooms, mapping: SourceToTimeline, decisions: list[Decision]) -> None:
    video = timeline.track("video")
    if video is None:
        return
    for index, (zoom, director) in enumerate(sorted(zooms, key=lambda z: z[0].start)):
        start, end = mapping.frame(zoom.start, "start"), mapping.frame(zoom.end, "end")
        if start is None or end is None or end - start < 6:
            continue
        if video.effects and start < video.effects[-1].end:
            continue  # one zoom at a time
        ramp = min(ZOOM_RAMP_FRAMES, (end - start) // 3)
        if zoom.kind == "accent":
            # A punch on the beat: jump in, then ease back out.
            scale = [Keyframe(frame=start, value=zoom.scale), Keyframe(frame=end, value=1.0)]
        else:
            scale = [Keyframe(frame=start, value=1.0), Keyframe(frame=start + ramp, value=zoom.scale, interpolation="linear"),
                     Keyframe(frame=end - ramp, value=zoom.scale), Keyframe(frame=end, value=1.0)]
        effect = Effect(id=f"zoom{index}", kind="zoom", start=start, end=end, scale=scale,
                        center_x=[Keyframe(frame=start, value=zoom.center_x, interpolation="hold")],
                        center_y=[Keyframe(frame=start, value=zoom.center_y, interpolation="hold")])
        video.effects.append(effect)
        decisions.append(Decision(action="zoom" if zoom.kind != "accent" else "accent", kind=zoom.kind,
                                  source_start=round(zoom.start, 3), source_end=round(zoom.end, 3),
                                  reason=zoom.reason, confidence=zoom.confidence, director=director, item=effect.id))


def _add_layers(timeline: Timeline, directed: Directed, mapping: SourceToTimeline, decisions) -> None:
    rate, total = timeline.rate, timeline.duration_frames
    tracks = {"T1": Track(id="T1", kind="overlay"), "B1": Track(id="B1", kind="overlay")}
    items = [("T1", t, d) for t, d in directed.titles] + [("B1", b, d) for b, d in directed.broll]
    for index, (track_id, item, director) in enumerate(sorted(items, key=lambda x: x[1].at)):
        start = mapping.frame(item.at, "start")
        if start is None:
            continue
        track = tracks[track_id]
        if track.layers:
            start = max(start, track.layers[-1].end)  # wait for the layer before it to end
        end = min(total, start + seconds_to_frame(item.duration, rate))
        if end - start < seconds_to_frame(1.0, rate):
            continue
        if isinstance(item, PlanTitle):
            layer = TextLayer(id=f"text{index}", kind=item.kind, start=start, end=end, text=item.text,
                              subtitle=item.subtitle)
            action, kind = "title", item.kind
        else:
            # The B-roll clip is rendered later (animations stage) to a file this timeline names now.
            layer = BrollLayer(id=f"broll{index}", start=start, end=end, placement=item.placement, spec=item.spec,
                               asset=f"asset-broll{index}")
            timeline.media.append(MediaRef(id=layer.asset, role="asset", path=f"{ASSETS_DIR}/{layer.id}.mov",
                                           duration_frames=end - start, has_video=True, has_audio=False))
            action, kind = "broll", item.spec.kind
        track.layers.append(layer)
        decisions.append(Decision(action=action, kind=kind, source_start=round(item.at, 3),
                                  source_end=round(item.at + item.duration, 3), reason=item.reason,
                                  confidence=item.confidence, director=director, item=layer.id))
    timeline.tracks.extend(t for t in tracks.values() if t.layers)
