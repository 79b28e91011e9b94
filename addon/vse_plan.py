"""From timeline.json to the strips the Sequencer import makes: plain data, no bpy, tested outside Blender.

The plan does all the arithmetic (frame origin, runs of cuts, zoom transforms,
overlay placement, captions) so that vse.py only turns it into strips.
Timeline frames start at 0; Blender's start at FRAME_ORIGIN.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from . import layout

FRAME_ORIGIN = 1  # timeline frame 0 is Blender frame 1, the start of a default scene
CHANNEL_AUDIO, CHANNEL_VIDEO, CHANNEL_OVERLAY = 1, 2, 3  # overlay tracks take 3, 4, ...; captions go above them
STAGING_CHANNEL = 100  # a run is cut on this empty channel, then each piece drops to its track's channel
INTERPOLATION = {"ease": "BEZIER", "linear": "LINEAR", "hold": "CONSTANT"}
CAPTIONS_FILE = "captions.srt"


@dataclass(frozen=True)
class Piece:
    """One kept range of a source: a strip named after its clip."""

    name: str
    start: int  # timeline frame
    source_in: int
    source_out: int

    @property
    def length(self) -> int:
        return self.source_out - self.source_in


@dataclass
class Run:
    """Pieces cut from one strip of a source: in source order, each at or left of where the strip has it.

    The import makes one strip per run, splits it at the pieces' edges, drops the gaps and
    slides each piece left into place: a few data-API calls per cut, and no file opened per cut.
    """

    kind: str  # "movie" or "sound"
    media: str
    path: str
    channel: int
    pieces: list[Piece] = field(default_factory=list)

    @property
    def content_start(self) -> int:
        """Timeline frame where the source's frame 0 sits before the pieces move."""
        return self.pieces[0].start - self.pieces[0].source_in

    def accepts(self, piece: Piece) -> bool:
        last = self.pieces[-1]
        return piece.source_in >= last.source_out and self.content_start + piece.source_in >= piece.start


@dataclass(frozen=True)
class TransformKey:
    frame: int  # Blender frame
    scale: float
    offset_x: float
    offset_y: float
    interpolation: str  # Blender's: BEZIER, LINEAR, CONSTANT


@dataclass(frozen=True)
class TextStrip:
    name: str
    kind: str  # title_card, lower_third, caption, keyword_card
    start: int
    end: int
    text: str
    channel: int


@dataclass(frozen=True)
class OverlayStrip:
    """A clip with alpha laid over the edit (B-roll, or a pre-rendered text card)."""

    name: str
    path: str
    start: int
    end: int
    offset_x: float
    offset_y: float
    channel: int


@dataclass
class VsePlan:
    fps: int
    fps_base: float
    width: int
    height: int
    frames: int
    fit_scale: float  # source strips scale to the output frame by this much
    runs: list[Run]
    zooms: dict[str, list[TransformKey]]  # strip name -> its transform keys
    texts: list[TextStrip]
    overlays: list[OverlayStrip]
    warnings: list[str] = field(default_factory=list)


def parse_rate(text: str) -> Fraction:
    return Fraction(text)


def scene_rate(rate: Fraction) -> tuple[int, float]:
    """Blender's fps and fps_base for an exact rational rate: 30000/1001 stays exactly that, not 29.97.

    fps is a short in Blender, so a larger numerator is divided by its smallest divisor that fits
    (60000/1001 becomes 30000/500.5, still exact).
    """
    for divisor in range(1, rate.numerator + 1):
        if rate.numerator % divisor == 0 and rate.numerator // divisor <= 32767:
            fps, base = rate.numerator // divisor, rate.denominator / divisor
            if Fraction(fps) / Fraction(base) == rate:
                return fps, base
    fps = round(rate)
    return fps, fps / float(rate)


def plan_runs(clips: list[dict[str, Any]], media: dict[str, dict[str, Any]], project: Path, kind: str,
              channel: int) -> list[Run]:
    runs: list[Run] = []
    for clip in sorted(clips, key=lambda c: c["start"]):
        piece = Piece(clip["id"], clip["start"], clip["source_in"], clip["source_out"])
        run = next((r for r in runs if r.media == clip["media"] and r.accepts(piece)), None)
        if run is None:
            run = Run(kind, clip["media"], str(media_path(media[clip["media"]], project)), channel)
            runs.append(run)
        run.pieces.append(piece)
    return runs


def media_path(ref: dict[str, Any], project: Path) -> Path:
    return Path(ref["path"]) if ref["role"] == "source" else project / ref["path"]


def _value_at(keys: list[dict[str, Any]], frame: int) -> float:
    """A keyframed value between keys: ease is smoothstep, which is close to Blender's auto-clamped Bezier."""
    if frame <= keys[0]["frame"]:
        return keys[0]["value"]
    for left, right in zip(keys, keys[1:]):
        if left["frame"] <= frame < right["frame"]:
            t = (frame - left["frame"]) / (right["frame"] - left["frame"])
            mode = left.get("interpolation", "ease")
            if mode == "hold":
                return left["value"]
            if mode == "ease":
                t = t * t * (3 - 2 * t)
            return left["value"] + (right["value"] - left["value"]) * t
    return keys[-1]["value"]


def _interpolation_at(keys: list[dict[str, Any]], frame: int) -> str:
    mode = keys[0].get("interpolation", "ease")
    for key in keys:
        if key["frame"] <= frame:
            mode = key.get("interpolation", "ease")
    return INTERPOLATION[mode]


def zoom_keys(effect: dict[str, Any], display_w: float, display_h: float, fit: float) -> list[TransformKey]:
    """Transform keys for a zoom: the window 1/scale of the frame, centred on (center_x, center_y) but
    never past the frame's edge, fills the frame. Keys fall on every frame any of the three curves keys."""
    frames = sorted({k["frame"] for name in ("scale", "center_x", "center_y") for k in effect[name]})
    keys = []
    for frame in frames:
        zoom = _value_at(effect["scale"], frame)
        half = 0.5 / zoom  # half the visible window, as a share of the frame
        cx = min(max(_value_at(effect["center_x"], frame), half), 1 - half)
        cy = min(max(_value_at(effect["center_y"], frame), half), 1 - half)
        keys.append(TransformKey(frame + FRAME_ORIGIN, fit * zoom, (0.5 - cx) * display_w * zoom,
                                 (cy - 0.5) * display_h * zoom, _interpolation_at(effect["scale"], frame)))
    return keys


def _with_rest(keys: list[TransformKey], fit: float, first_frame: int) -> list[TransformKey]:
    """Outside the zoom the strip shows the plain frame: hold it up to the first key and from after the last."""
    rest = TransformKey(0, fit, 0.0, 0.0, "CONSTANT")
    out = list(keys)
    if (keys[0].scale, keys[0].offset_x, keys[0].offset_y) != (fit, 0.0, 0.0) and keys[0].frame - 1 >= first_frame:
        out.insert(0, TransformKey(keys[0].frame - 1, rest.scale, 0.0, 0.0, "CONSTANT"))
    last = keys[-1]
    if (last.scale, last.offset_x, last.offset_y) != (fit, 0.0, 0.0):
        out[-1] = TransformKey(last.frame, last.scale, last.offset_x, last.offset_y, "CONSTANT")
        out.append(TransformKey(last.frame + 1, rest.scale, 0.0, 0.0, "CONSTANT"))
    return out


def plan_zooms(effects: list[dict[str, Any]], pieces: list[Piece], display: tuple[float, float],
               fit: float) -> dict[str, list[TransformKey]]:
    """Each zoom keys every strip it overlaps; keys of several zooms on one strip merge by frame."""
    by_strip: dict[str, dict[int, TransformKey]] = {}
    for effect in sorted(effects, key=lambda e: e["start"]):
        keys = zoom_keys(effect, display[0], display[1], fit)
        for piece in pieces:
            if piece.start < effect["end"] and effect["start"] < piece.start + piece.length:
                merged = by_strip.setdefault(piece.name, {})
                for key in _with_rest(keys, fit, FRAME_ORIGIN):
                    merged.setdefault(key.frame, key)
    return {name: [keys[f] for f in sorted(keys)] for name, keys in by_strip.items()}


_SRT_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{3})\s*-->\s*(\d+):(\d{2}):(\d{2})[,.](\d{3})")


def parse_srt(text: str, rate: Fraction) -> list[tuple[int, int, str]]:
    """(start, end, text) in timeline frames for each cue of an SRT file timed on the edited video."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.strip().split("\n")
        for i, line in enumerate(lines):
            match = _SRT_TIME.search(line)
            if not match:
                continue
            h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in match.groups())
            start_s = Fraction(h1 * 3600 + m1 * 60 + s1) + Fraction(ms1, 1000)
            end_s = Fraction(h2 * 3600 + m2 * 60 + s2) + Fraction(ms2, 1000)
            body = "\n".join(lines[i + 1:]).strip()
            start, end = round(start_s * rate), round(end_s * rate)
            if body and end > start:
                cues.append((start, end, body))
            break
    return cues


def _overlay_layers(timeline: dict[str, Any], media: dict[str, dict[str, Any]], project: Path,
                    size: tuple[int, int], plan: VsePlan) -> None:
    width, height = size
    channel = CHANNEL_OVERLAY
    for track in (t for t in timeline["tracks"] if t["kind"] == "overlay"):
        for layer in track.get("layers", []):
            asset = media.get(layer.get("asset") or "")
            asset_path = media_path(asset, project) if asset else None
            if asset_path is not None and asset_path.is_file():
                # B-roll sits where the renderer puts it; a pre-rendered text card covers the frame.
                placement = layer.get("placement", "fullscreen") if layer["type"] == "broll" else "fullscreen"
                off_x, off_y = layout.strip_offset(layout.overlay_box(placement, width, height), width, height)
                plan.overlays.append(OverlayStrip(layer["id"], str(asset_path), layer["start"], layer["end"],
                                                  off_x, off_y, channel))
            elif layer["type"] == "text":
                text = layer["text"] + (f"\n{layer['subtitle']}" if layer.get("subtitle") else "")
                plan.texts.append(TextStrip(layer["id"], layer["kind"], layer["start"], layer["end"], text, channel))
            else:
                where = asset["path"] if asset else "no asset"
                plan.warnings.append(f"B-roll {layer['id']} is not rendered ({where}): run the animations stage")
        channel += 1


def build_plan(timeline: dict[str, Any], project: Path, quality: str, captions_srt: str | None = None) -> VsePlan:
    """Everything the Sequencer import makes for a timeline.json (already validated by the engine)."""
    rate = parse_rate(timeline["rate"])
    fps, fps_base = scene_rate(rate)
    src_w, src_h = timeline.get("width") or 1920, timeline.get("height") or 1080
    # The engine records the edited video's size; older timelines only have the source's.
    width, height = (timeline["output_width"], timeline["output_height"]) if timeline.get("output_width") else \
        layout.output_size(src_w, src_h, quality)
    fit = min(width / src_w, height / src_h)
    media = {m["id"]: m for m in timeline["media"]}
    tracks = timeline["tracks"]
    video = [c for t in tracks if t["kind"] == "video" for c in t.get("clips", [])]
    audio = [c for t in tracks if t["kind"] == "audio" for c in t.get("clips", [])]
    frames = max((c["start"] + c["source_out"] - c["source_in"] for c in (video or audio)), default=0)
    runs = plan_runs(video, media, project, "movie", CHANNEL_VIDEO) + \
        plan_runs(audio, media, project, "sound", CHANNEL_AUDIO)
    video_pieces = [p for r in runs if r.kind == "movie" for p in r.pieces]
    effects = [e for t in tracks if t["kind"] == "video" for e in t.get("effects", [])]
    zooms = plan_zooms(effects, video_pieces, (src_w * fit, src_h * fit), fit)
    plan = VsePlan(fps, fps_base, width, height, frames, fit, runs, zooms, [], [])
    _overlay_layers(timeline, media, project, (width, height), plan)
    if captions_srt:
        channel = CHANNEL_OVERLAY + sum(1 for t in tracks if t["kind"] == "overlay")
        for index, (start, end, text) in enumerate(parse_srt(captions_srt, rate)):
            if start < frames:
                plan.texts.append(TextStrip(f"caption{index}", "caption", start, min(end, frames), text, channel))
    return plan
