"""The edit timeline: `timeline.json`, the one format the renderer, the VSE import and every export read.

Times are integer frames at the timeline's exact rational rate; a clip's source
in and out are frames of its media at the same rate. The file is validated on
load: schema, clips neither negative nor overlapping on a track, sources inside
their media, and every asset path inside the project folder.
"""
from __future__ import annotations

import bisect
import math
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import Field

from .context import Model, Rational, read_model
from .errors import ProjectError
from .fsutil import write_text_atomic

TIMELINE_SCHEMA = "ai-video-editor/timeline"
TIMELINE_VERSION = 1
TIMELINE_FILE = "timeline.json"
ASSETS_DIR = "assets"  # clips the project renders itself (B-roll, animations): RGBA QuickTime, PNG codec


class MediaRef(Model):
    id: str
    # A source is the user's footage and may live anywhere (absolute path); an asset is
    # something the project made and must be a relative path inside the project folder.
    role: Literal["source", "asset"]
    path: str
    duration_frames: int = Field(ge=1)
    has_video: bool
    has_audio: bool


class Clip(Model):
    id: str
    media: str
    source_in: int = Field(ge=0)  # first frame used
    source_out: int = Field(ge=1)  # one past the last frame used
    start: int = Field(ge=0)  # timeline frame where the clip begins

    @property
    def length(self) -> int:
        return self.source_out - self.source_in

    @property
    def end(self) -> int:
        return self.start + self.length


class Keyframe(Model):
    frame: int = Field(ge=0)  # timeline frame
    value: float
    # How the value moves from this key to the next: ease = smooth in and out (Bezier in Blender).
    interpolation: Literal["linear", "ease", "hold"] = "ease"


class Effect(Model):
    """A punch-in zoom (with an optional pan) on a video track, in timeline frames."""

    id: str
    kind: Literal["zoom"]
    start: int = Field(ge=0)
    end: int = Field(ge=1)
    scale: list[Keyframe]  # 1.0 is the full frame; 1.2 shows the middle 83%
    center_x: list[Keyframe]  # the point zoomed into, as a fraction of the width
    center_y: list[Keyframe]


class Transition(Model):
    """At a cut between two clips of a track: a crossfade, or a dip through a colour."""

    id: str
    kind: Literal["crossfade", "dip_to_black", "dip_to_white"]
    at: int = Field(ge=0)  # the timeline frame of the cut
    duration: int = Field(ge=2)  # frames, centred on the cut


class TextLayer(Model):
    type: Literal["text"] = "text"
    id: str
    kind: Literal["title_card", "lower_third", "caption", "keyword_card"]
    start: int = Field(ge=0)
    end: int = Field(ge=1)
    text: str = Field(min_length=1)
    subtitle: str | None = None
    animation: Literal["fade", "slide", "pop", "none"] = "fade"
    asset: str | None = None  # a pre-rendered clip with alpha (media id), when one was made


class BrollSpec(Model):
    """What to draw, in terms Blender (or any renderer) can build from."""

    kind: Literal["bar_chart", "line_chart", "diagram", "keyword_card", "visualizer"]
    title: str
    labels: list[str] = Field(default_factory=list)
    values: list[float] = Field(default_factory=list)
    unit: str = ""
    items: list[str] = Field(default_factory=list)  # diagram steps or keywords


class BrollLayer(Model):
    type: Literal["broll"] = "broll"
    id: str
    start: int = Field(ge=0)
    end: int = Field(ge=1)
    placement: Literal["fullscreen", "picture_in_picture"] = "picture_in_picture"
    spec: BrollSpec
    asset: str | None = None  # media id of the rendered clip with alpha, once rendered


Layer = Annotated[TextLayer | BrollLayer, Field(discriminator="type")]


class Track(Model):
    id: str
    kind: Literal["video", "audio", "overlay"]
    clips: list[Clip] = Field(default_factory=list)  # video and audio tracks
    effects: list[Effect] = Field(default_factory=list)  # video tracks
    transitions: list[Transition] = Field(default_factory=list)  # video and audio tracks
    layers: list[Layer] = Field(default_factory=list)  # overlay tracks

    @property
    def end(self) -> int:
        return max([c.end for c in self.clips] + [layer.end for layer in self.layers], default=0)


class Decision(Model):
    """One editorial choice, with why and how sure, for review (`ai-video-editor explain`)."""

    action: Literal["cut", "keep", "zoom", "title", "broll", "transition", "accent"]
    kind: str = ""  # what sort: dead_air, filler, retake, emphasis, chapter, concept, numbers, beat...
    source_start: float  # seconds of source time
    source_end: float
    reason: str
    confidence: float = Field(ge=0.0, le=1.0)
    director: Literal["local", "gemini"] = "local"
    item: str | None = None  # id of the clip, effect, transition or layer it produced


class Timeline(Model):
    schema_id: str = Field(TIMELINE_SCHEMA, alias="schema")
    version: int = TIMELINE_VERSION
    rate: Rational
    width: int | None = None  # the source's frame size
    height: int | None = None
    output_width: int | None = None  # the edited video's frame size (set by the quality mode)
    output_height: int | None = None
    sample_rate: int | None = None
    media: list[MediaRef]
    tracks: list[Track]
    decisions: list[Decision] = Field(default_factory=list)

    model_config = {"populate_by_name": True, "extra": "forbid", "arbitrary_types_allowed": True}

    @property
    def duration_frames(self) -> int:
        """The length of the edit: its video (or, without video, audio) clips; overlays never extend it."""
        main = [t for t in self.tracks if t.kind == "video"] or [t for t in self.tracks if t.kind == "audio"]
        return max((clip.end for track in main for clip in track.clips), default=0)

    @property
    def duration_s(self) -> float:
        return float(self.duration_frames / self.rate)

    def media_by_id(self, media_id: str) -> MediaRef:
        for ref in self.media:
            if ref.id == media_id:
                return ref
        raise KeyError(media_id)

    def track(self, kind: str) -> Track | None:
        return next((t for t in self.tracks if t.kind == kind), None)

    def frames_to_s(self, frames: int) -> float:
        return float(Fraction(frames) / self.rate)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


class SourceToTimeline:
    """Maps source times to timeline frames through kept source ranges laid end to end."""

    def __init__(self, parts: list[tuple[int, int, int]], rate: Fraction) -> None:
        self.rate = rate
        self.parts = sorted(parts)  # (source_in, source_out, timeline start)
        self.starts = [p[0] for p in self.parts]

    @classmethod
    def from_kept(cls, kept: list[tuple[int, int]], rate: Fraction) -> "SourceToTimeline":
        parts, position = [], 0
        for a, b in kept:
            parts.append((a, b, position))
            position += b - a
        return cls(parts, rate)

    @classmethod
    def of(cls, timeline: "Timeline") -> "SourceToTimeline":
        main = timeline.track("video") or timeline.track("audio")
        return cls([(c.source_in, c.source_out, c.start) for c in (main.clips if main else [])], timeline.rate)

    def frame(self, seconds: float, side: str = "start") -> int | None:
        """Timeline frame of a source time; inside a cut, the next kept frame ('start') or the last ('end')."""
        f = seconds_to_frame(seconds, self.rate, "down")
        i = bisect.bisect_right(self.starts, f) - 1
        if i >= 0 and f < self.parts[i][1]:
            return self.parts[i][2] + f - self.parts[i][0]
        if side == "start":
            return self.parts[i + 1][2] if i + 1 < len(self.parts) else None
        return self.parts[i][2] + self.parts[i][1] - self.parts[i][0] if i >= 0 else None

    def keeps(self, seconds: float) -> bool:
        """Whether the edit keeps this moment of the source."""
        f = seconds_to_frame(seconds, self.rate, "down")
        i = bisect.bisect_right(self.starts, f) - 1
        return i >= 0 and f < self.parts[i][1]

    def seconds(self, source_s: float, side: str = "start") -> float | None:
        frame = self.frame(source_s, side)
        return None if frame is None else float(frame / self.rate)


def seconds_to_frame(seconds: float, rate: Fraction, rounding: str = "nearest") -> int:
    """Frame index for a time; 'down' and 'up' round outward when a range must keep its content."""
    exact = seconds * rate.numerator / rate.denominator
    if rounding == "down":
        return max(0, math.floor(exact + 1e-9))
    if rounding == "up":
        return math.ceil(exact - 1e-9)
    return round(exact)


def validate(timeline: Timeline, project: Path) -> None:
    """Check what the schema alone cannot; raise ProjectError naming the first problem."""
    if timeline.schema_id != TIMELINE_SCHEMA or timeline.version != TIMELINE_VERSION:
        raise ProjectError(f"unsupported timeline {timeline.schema_id} v{timeline.version}")
    if timeline.rate <= 0:
        raise ProjectError("timeline rate must be positive")
    ids = [m.id for m in timeline.media]
    if len(set(ids)) != len(ids):
        raise ProjectError("timeline has duplicate media ids")
    root = project.resolve()
    for ref in timeline.media:
        _check_media_path(ref, root)
    item_ids = [item.id for track in timeline.tracks
                for item in (*track.clips, *track.effects, *track.transitions, *track.layers)]
    duplicate = next((i for i in item_ids if item_ids.count(i) > 1), None)
    if duplicate is not None:
        raise ProjectError(f"timeline has two items with id {duplicate!r}")
    total = timeline.duration_frames
    for track in timeline.tracks:
        _check_kinds(track)
        _check_clips(timeline, track)
        _check_no_overlap(track.id, [(layer.id, layer.start, layer.end) for layer in track.layers])
        for layer in track.layers:
            if layer.end > total:
                raise ProjectError(f"layer {layer.id} ends at frame {layer.end}, after the edit ({total} frames)")
            if layer.asset is not None and _asset(timeline, layer.asset) is None:
                raise ProjectError(f"layer {layer.id} refers to unknown asset {layer.asset!r}")
        _check_no_overlap(track.id, [(e.id, e.start, e.end) for e in track.effects])
        for effect in track.effects:
            _check_effect(effect, total)
        for transition in track.transitions:
            check_transition(timeline, track, transition)


def _asset(timeline: Timeline, media_id: str) -> MediaRef | None:
    return next((m for m in timeline.media if m.id == media_id and m.role == "asset"), None)


def _check_kinds(track: Track) -> None:
    if track.kind == "overlay" and (track.clips or track.effects or track.transitions):
        raise ProjectError(f"overlay track {track.id} may hold only layers")
    if track.kind != "overlay" and track.layers:
        raise ProjectError(f"{track.kind} track {track.id} may not hold layers")
    if track.kind == "audio" and track.effects:
        raise ProjectError(f"audio track {track.id} may not hold video effects")


def _check_no_overlap(track_id: str, spans: list[tuple[str, int, int]]) -> None:
    previous_end = 0
    for item_id, start, end in sorted(spans, key=lambda s: s[1]):
        if end <= start:
            raise ProjectError(f"{item_id} on track {track_id} has no frames")
        if start < previous_end:
            raise ProjectError(f"{item_id} overlaps the item before it on track {track_id}")
        previous_end = end


def _check_clips(timeline: Timeline, track: Track) -> None:
    _check_no_overlap(track.id, [(c.id, c.start, c.end) for c in track.clips])
    for clip in track.clips:
        try:
            ref = timeline.media_by_id(clip.media)
        except KeyError:
            raise ProjectError(f"clip {clip.id} refers to unknown media {clip.media!r}") from None
        if clip.source_out > ref.duration_frames:
            raise ProjectError(
                f"clip {clip.id} ends at source frame {clip.source_out}, past the end of {ref.id} "
                f"({ref.duration_frames} frames)")


def _check_effect(effect: Effect, total: int) -> None:
    if not effect.start < effect.end <= total:
        raise ProjectError(f"effect {effect.id} spans frames {effect.start}-{effect.end}, outside the edit")
    for name, keys, low, high in (("scale", effect.scale, 1.0, 4.0), ("center_x", effect.center_x, 0.0, 1.0),
                                  ("center_y", effect.center_y, 0.0, 1.0)):
        if not keys:
            raise ProjectError(f"effect {effect.id} has no {name} keyframes")
        frames = [k.frame for k in keys]
        if frames != sorted(set(frames)) or frames[0] < effect.start or frames[-1] > effect.end:
            raise ProjectError(f"effect {effect.id} {name} keyframes must rise inside the effect")
        if not all(low <= k.value <= high for k in keys):
            raise ProjectError(f"effect {effect.id} {name} must stay within {low}-{high}")


def check_transition(timeline: Timeline, track: Track, transition: Transition) -> None:
    outgoing = next((c for c in track.clips if c.end == transition.at), None)
    incoming = next((c for c in track.clips if c.start == transition.at), None)
    if outgoing is None or incoming is None:
        raise ProjectError(f"transition {transition.id} at frame {transition.at} is not at a cut on {track.id}")
    half = transition.duration // 2
    if half > min(outgoing.length, incoming.length):
        raise ProjectError(f"transition {transition.id} is longer than the clips it joins")
    if transition.kind == "crossfade":
        # A crossfade shows frames beyond each clip's cut point (its handles): they must exist.
        if outgoing.source_out + half > timeline.media_by_id(outgoing.media).duration_frames or \
                incoming.source_in - half < 0:
            raise ProjectError(f"transition {transition.id} needs {half} frames of handle beyond the cut")


def _check_media_path(ref: MediaRef, root: Path) -> None:
    if ref.role == "source":
        if not Path(ref.path).is_absolute():
            raise ProjectError(f"source media {ref.id} must have an absolute path")
        return
    pure = PurePosixPath(ref.path)
    if pure.is_absolute() or ".." in pure.parts:
        raise ProjectError(f"asset {ref.id} path {ref.path!r} leaves the project folder")
    resolved = (root / pure).resolve()
    if not resolved.is_relative_to(root):
        raise ProjectError(f"asset {ref.id} path {ref.path!r} leaves the project folder")


def resolve_media_path(ref: MediaRef, project: Path) -> Path:
    return Path(ref.path) if ref.role == "source" else project / ref.path


def load_timeline(project: Path) -> Timeline:
    path = project / TIMELINE_FILE
    if not path.is_file():
        raise ProjectError("no timeline.json; run the plan stage first", project)
    timeline = read_model(Timeline, path, "timeline")
    try:
        validate(timeline, project)
    except ProjectError as exc:
        raise ProjectError(str(exc), path) from None
    return timeline


def save_timeline(project: Path, timeline: Timeline) -> None:
    validate(timeline, project)
    write_text_atomic(project / TIMELINE_FILE, timeline.to_json())
