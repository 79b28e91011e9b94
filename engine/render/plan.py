"""What each output frame is made of: which source frame, and whether a transition, zoom or overlay touches it.

A frame that nothing touches is "plain": the renderer passes it from the decoder to
the encoder without looking at its pixels. Only the other frames are composited.
Transitions are centred on their cut: `duration // 2` frames before it, the rest after.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..timeline import Clip, Effect, Timeline, Track, Transition
from .keyframes import value_at

NO_ZOOM = 1.0005  # a scale this close to 1 looks the same as none; such frames stay plain


@dataclass(frozen=True)
class Zoom:
    scale: float
    center_x: float  # fraction of the width
    center_y: float


@dataclass(frozen=True)
class Blend:
    kind: str  # crossfade | dip_to_black | dip_to_white
    weight: float  # share of the other picture (crossfade) or of the colour (dip), 0-1
    other: int | None = None  # source frame of the other clip (crossfade only)


@dataclass(frozen=True)
class Step:
    source: int | None  # source frame; None is a gap between clips, drawn black
    blend: Blend | None = None
    zoom: Zoom | None = None
    layers: tuple[int, ...] = ()  # indexes of the overlays shown on this frame

    @property
    def plain(self) -> bool:
        return self.blend is None and self.zoom is None and not self.layers and self.source is not None


def build_steps(timeline: Timeline, overlay_spans: Sequence[tuple[int, int]] = ()) -> list[Step]:
    """One Step per output frame of the timeline's first video track."""
    track = timeline.track("video")
    total = timeline.duration_frames
    sources: list[int | None] = [None] * total
    clips = sorted(track.clips, key=lambda c: c.start) if track else []
    for clip in clips:
        for n in range(clip.start, min(clip.end, total)):
            sources[n] = clip.source_in + n - clip.start
    blends: dict[int, tuple[int, Blend]] = {}
    for transition in (track.transitions if track else []):
        blends.update(transition_frames(track, transition))
    zooms = _zoom_frames(track.effects if track else [], total)
    layers: list[list[int]] = [[] for _ in range(total)]
    for index, (start, end) in enumerate(overlay_spans):
        for n in range(max(0, start), min(end, total)):
            layers[n].append(index)
    steps = []
    for n in range(total):
        source, blend = blends.get(n, (sources[n], None))
        steps.append(Step(source, blend, zooms.get(n), tuple(layers[n])))
    return steps


def transition_frames(track: Track, transition: Transition) -> dict[int, tuple[int, Blend]]:
    """Output frame -> (base source frame, blend) for every frame a transition covers."""
    outgoing = _clip_ending(track.clips, transition.at)
    incoming = _clip_starting(track.clips, transition.at)
    half = transition.duration // 2
    first = transition.at - half
    frames: dict[int, tuple[int, Blend]] = {}
    for n in range(first, first + transition.duration):
        # Sample the middle of each frame's interval, so the ramp is symmetric about the cut.
        progress = (n - first + 0.5) / transition.duration  # share of the incoming clip
        out_frame = outgoing.source_in + n - outgoing.start  # past source_out after the cut: its handle
        in_frame = incoming.source_in + n - incoming.start  # before source_in before the cut: its handle
        if transition.kind == "crossfade":
            if n < transition.at:
                frames[n] = (out_frame, Blend("crossfade", progress, in_frame))
            else:
                frames[n] = (in_frame, Blend("crossfade", 1.0 - progress, out_frame))
        elif n < transition.at:
            frames[n] = (out_frame, Blend(transition.kind, (n - first + 0.5) / half))
        else:
            rest = transition.duration - half
            frames[n] = (in_frame, Blend(transition.kind, 1.0 - (n - transition.at + 0.5) / rest))
    return frames


def _zoom_frames(effects: Sequence[Effect], total: int) -> dict[int, Zoom]:
    zooms: dict[int, Zoom] = {}
    for effect in effects:
        for n in range(effect.start, min(effect.end, total)):
            scale = value_at(effect.scale, n)
            if scale > NO_ZOOM:
                zooms[n] = Zoom(scale, value_at(effect.center_x, n), value_at(effect.center_y, n))
    return zooms


def _clip_ending(clips: Sequence[Clip], frame: int) -> Clip:
    return next(c for c in clips if c.end == frame)


def _clip_starting(clips: Sequence[Clip], frame: int) -> Clip:
    return next(c for c in clips if c.start == frame)
