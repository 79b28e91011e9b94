"""The edit timeline: `timeline.json`, the one format the renderer, the VSE import and every export read.

Times are integer frames at the timeline's exact rational rate; a clip's source
in and out are frames of its media at the same rate. The file is validated on
load: schema, clips neither negative nor overlapping on a track, sources inside
their media, and every asset path inside the project folder.
"""
from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import Field

from .context import Model, Rational, read_model
from .errors import ProjectError
from .fsutil import write_text_atomic

TIMELINE_SCHEMA = "ai-video-editor/timeline"
TIMELINE_VERSION = 1
TIMELINE_FILE = "timeline.json"


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


class Track(Model):
    id: str
    kind: Literal["video", "audio"]
    clips: list[Clip]


class Decision(Model):
    """One editorial choice, with why and how sure, for review (`ai-video-editor explain`)."""

    action: Literal["cut", "keep"]
    source_start: float  # seconds
    source_end: float
    reason: str
    confidence: float = Field(ge=0.0, le=1.0)


class Timeline(Model):
    schema_id: str = Field(TIMELINE_SCHEMA, alias="schema")
    version: int = TIMELINE_VERSION
    rate: Rational
    width: int | None = None
    height: int | None = None
    sample_rate: int | None = None
    media: list[MediaRef]
    tracks: list[Track]
    decisions: list[Decision] = Field(default_factory=list)

    model_config = {"populate_by_name": True, "extra": "forbid", "arbitrary_types_allowed": True}

    @property
    def duration_frames(self) -> int:
        return max((clip.end for track in self.tracks for clip in track.clips), default=0)

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
    for track in timeline.tracks:
        previous_end = 0
        for clip in sorted(track.clips, key=lambda c: c.start):
            if clip.source_out <= clip.source_in:
                raise ProjectError(f"clip {clip.id} on track {track.id} has no frames")
            if clip.start < previous_end:
                raise ProjectError(f"clip {clip.id} overlaps the clip before it on track {track.id}")
            try:
                ref = timeline.media_by_id(clip.media)
            except KeyError:
                raise ProjectError(f"clip {clip.id} refers to unknown media {clip.media!r}") from None
            if clip.source_out > ref.duration_frames:
                raise ProjectError(
                    f"clip {clip.id} ends at source frame {clip.source_out}, past the end of {ref.id} "
                    f"({ref.duration_frames} frames)")
            previous_end = clip.end


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
