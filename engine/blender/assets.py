"""Which clips the animations stage renders, how big, and which rendered frame each output frame shows.

Blender renders only the frames where something moves (an intro of about a second, or
one pulse per beat for the visualiser) at a modest rate; `frame_map` then says, for
every frame of the layer, which rendered frame it shows, so the hold and the outro
cost nothing to render (see clip.py, which writes each distinct frame once).
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..options import QUALITY_PRESETS
from ..render.layout import overlay_box
from ..render.settings import output_size
from ..timeline import BrollLayer, TextLayer, Timeline

ANIMATION_VERSION = 1  # bump when the look of any clip changes
INDEX_FILE = "animations.json"  # in assets/: layer id -> fingerprint of the clip made for it


@dataclass(frozen=True)
class MotionQuality:
    anim_fps: float  # distinct frames a second while things move (the timeline's rate at most)
    gpu_samples: int  # Cycles samples when a GPU renders
    supersample: float  # on a CPU: Workbench renders this much larger without anti-aliasing; the clip is scaled down


# Clips are the size they have in the output (fast's output is at most 720p, so its clips are smaller);
# fast also renders fewer distinct frames, with less supersampling. On a CPU (Mesa llvmpipe), Workbench's own
# anti-aliasing (FXAA or 5 samples) made a 720p frame 5x slower (1.1 s against 0.2 s); rendering 1.5x larger
# without it and scaling down took 0.4 s, so the CPU path supersamples instead, within SUPERSAMPLE_PIXELS.
MOTION_QUALITY: dict[str, MotionQuality] = {
    "fast": MotionQuality(anim_fps=12, gpu_samples=16, supersample=1.25),
    "balanced": MotionQuality(anim_fps=15, gpu_samples=32, supersample=1.5),
    "high": MotionQuality(anim_fps=30, gpu_samples=64, supersample=2.0),
}
SUPERSAMPLE_PIXELS = 1920 * 1080

INTRO_S = {"keyword_card": 0.6, "title_card": 0.8, "lower_third": 0.6, "caption": 0.3,
           "bar_chart": 1.0, "line_chart": 1.0}
DIAGRAM_STEP_S, DIAGRAM_MAX_S = 0.25, 1.8
PULSE_S, PULSE_VARIANTS = 0.4, 2


@dataclass(frozen=True)
class ClipPlan:
    layer_id: str
    kind: str
    path: str  # relative to the project folder
    width: int  # the clip's size in pixels
    height: int
    frames: int  # the layer's length: the clip has exactly this many frames
    rate: Fraction
    content: dict[str, Any]  # what to draw
    rendered: int  # distinct frames Blender renders
    pulse_frames: int  # visualiser only: frames of one pulse
    frame_map: tuple[int, ...] = field(repr=False)
    fingerprint: str = ""

    def job(self, frames_dir: str, quality: MotionQuality) -> dict[str, Any]:
        """What the Blender job script gets for this clip."""
        supersample = max(1.0, min(quality.supersample, math.sqrt(SUPERSAMPLE_PIXELS / (self.width * self.height))))
        return {"id": self.layer_id, "kind": self.kind, "content": self.content, "width": self.width,
                "height": self.height, "frames": self.rendered, "pulse_frames": self.pulse_frames,
                "variants": PULSE_VARIANTS, "out_dir": frames_dir, "supersample": round(supersample, 3),
                "gpu_samples": quality.gpu_samples}


def intro_map(length: int, rate: Fraction, anim_fps: float, intro_s: float) -> tuple[int, list[int]]:
    """Play the intro, hold its last frame, and (when the layer is long enough) play it backwards to leave."""
    rendered = max(1, math.ceil(intro_s * anim_fps)) + 1
    intro_frames = math.ceil(intro_s * rate)
    outro = length >= 3 * intro_frames
    frame_map = []
    for i in range(length):
        t = i / rate
        if outro:
            t = min(t, (length - 1 - i) / rate)
        frame_map.append(min(rendered - 1, math.floor(t * anim_fps + Fraction(1, 2))))
    return rendered, frame_map


def pulse_map(length: int, rate: Fraction, anim_fps: float, beats: list[float]) -> tuple[int, int, list[int]]:
    """Frame 0 is the rest pose; after it come PULSE_VARIANTS pulses of `pulse` frames; a beat starts the next."""
    pulse = max(2, math.ceil(PULSE_S * anim_fps))
    beats = sorted(b for b in beats if b >= 0)
    frame_map = []
    for i in range(length):
        t = float(i / rate)
        index = bisect.bisect_right(beats, t + 1e-9) - 1
        step = math.floor((t - beats[index]) * anim_fps + 1e-9) if index >= 0 else pulse
        frame_map.append(1 + (index % PULSE_VARIANTS) * pulse + step if step < pulse else 0)
    return 1 + PULSE_VARIANTS * pulse, pulse, frame_map


def _content(layer: BrollLayer | TextLayer) -> tuple[str, dict[str, Any], str]:
    """(kind, what to draw, placement) of a layer."""
    if isinstance(layer, BrollLayer):
        return layer.spec.kind, layer.spec.model_dump(mode="json"), layer.placement
    return layer.kind, {"text": layer.text, "subtitle": layer.subtitle, "animation": layer.animation}, "fullscreen"


def plan_clips(timeline: Timeline, quality: str) -> list[ClipPlan]:
    """A plan for every overlay layer that names an asset clip (B-roll always; text cards when asked)."""
    if not timeline.width or not timeline.height:
        return []
    out_w, out_h = (timeline.output_width, timeline.output_height) if timeline.output_width else \
        output_size(timeline.width, timeline.height, QUALITY_PRESETS[quality].max_height)
    motion = MOTION_QUALITY[quality]
    anim_fps = min(motion.anim_fps, float(timeline.rate))
    plans = []
    for track in timeline.tracks:
        for layer in track.layers:
            if layer.asset is None:
                continue
            kind, content, placement = _content(layer)
            _, _, width, height = overlay_box(placement, out_w, out_h)
            length = layer.end - layer.start
            if kind == "visualizer":
                rendered, pulse, frame_map = pulse_map(length, timeline.rate, anim_fps, list(layer.spec.values))
            else:
                intro = (min(DIAGRAM_MAX_S, DIAGRAM_STEP_S * (len(content.get("items", [])) + 1))
                         if kind == "diagram" else INTRO_S[kind])
                (rendered, frame_map), pulse = intro_map(length, timeline.rate, anim_fps, intro), 0
            plan = ClipPlan(layer.id, kind, timeline.media_by_id(layer.asset).path, width, height, length,
                            timeline.rate, content, rendered, pulse, tuple(frame_map))
            plans.append(_with_fingerprint(plan, motion))
    return plans


def _with_fingerprint(plan: ClipPlan, motion: MotionQuality) -> ClipPlan:
    blob = json.dumps({"version": ANIMATION_VERSION, "kind": plan.kind, "content": plan.content,
                       "size": [plan.width, plan.height], "frames": plan.frames, "rate": str(plan.rate),
                       "motion": motion.__dict__}, sort_keys=True)
    fingerprint = hashlib.sha256(blob.encode()).hexdigest()[:24]
    return ClipPlan(**{**plan.__dict__, "fingerprint": fingerprint})
