"""ContentContext: the project's typed, versioned record of what is known about the footage.

It is saved as `context.json` in the output folder after every stage. Each
stage owns one section (media, audio, ...); stage workers return their section
and only the orchestrator writes the file, so stages that run in parallel never
race on it. Frame rates and time bases are exact rationals ("30000/1001").
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, TypeAdapter, ValidationError

from .errors import ProjectError
from .fsutil import write_text_atomic
from .options import JobOptions

CONTEXT_SCHEMA = "ai-video-editor/context"
CONTEXT_VERSION = 1
CONTEXT_FILE = "context.json"


def _parse_rational(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        try:
            result = Fraction(value)
        except (ValueError, ZeroDivisionError) as exc:
            raise ValueError(f"not a rational number: {value!r}") from exc
        return result
    raise ValueError(f"a rational is written as 'num/den', got {value!r}")


Rational = Annotated[Fraction, BeforeValidator(_parse_rational), PlainSerializer(lambda f: f"{f.numerator}/{f.denominator}")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class Interval(Model):
    """A span of source time in seconds."""

    start: float = Field(ge=0.0)
    end: float = Field(ge=0.0)

    @property
    def duration(self) -> float:
        return self.end - self.start


class VideoInfo(Model):
    width: int
    height: int
    rate: Rational  # average frame rate, exact
    time_base: Rational
    frame_count: int
    codec: str
    pix_fmt: str
    rotation: int = 0
    variable_rate: bool = False
    keyframe_interval_s: float | None = None
    start_s: float = 0.0  # timestamp of the first frame; source time zero is this moment


class AudioInfo(Model):
    sample_rate: int
    channels: int
    codec: str
    start_s: float = 0.0  # timestamp of the first sample


class MediaInfo(Model):
    path: str  # absolute path of the input
    size_bytes: int
    content_hash: str  # see engine.media.hashing for which bytes it covers
    format_name: str
    duration_s: float
    video: VideoInfo | None = None
    audio: AudioInfo | None = None

    @property
    def audio_offset_s(self) -> float:
        """Where the audio starts in source time (zero is the first video frame)."""
        if self.audio is None:
            return 0.0
        return self.audio.start_s - (self.video.start_s if self.video else self.audio.start_s)


class AudioAnalysis(Model):
    """Dead-air detection in the manner of auto-editor, on a fixed analysis hop."""

    hop_s: float
    threshold_db: float
    noise_floor_db: float
    speech_level_db: float
    sound: list[Interval]  # spans louder than the threshold, before margins and minimum lengths


class PlanSummary(Model):
    timeline: str  # path of timeline.json, relative to the project folder
    director: str
    content_type: str
    kept_s: float
    removed_s: float
    cuts: int


class StageRecord(Model):
    fingerprint: str  # hash of the stage's inputs and options; a match means the result is current
    finished_at: str
    wall_s: float
    outputs: list[str] = Field(default_factory=list)  # files it wrote, relative to the project folder


class ContentContext(Model):
    schema_id: str = Field(CONTEXT_SCHEMA, alias="schema")
    version: int = CONTEXT_VERSION
    engine_version: str
    input: str
    options: JobOptions
    media: MediaInfo | None = None
    audio: AudioAnalysis | None = None
    plan: PlanSummary | None = None
    outputs: dict[str, str] = Field(default_factory=dict)  # name -> path relative to the project folder
    stages: dict[str, StageRecord] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2) + "\n"

    def require_media(self) -> MediaInfo:
        if self.media is None:
            raise ProjectError("no media information yet; run the probe stage first", self.input)
        return self.media


def context_path(project: Path) -> Path:
    return project / CONTEXT_FILE


M = TypeVar("M", bound=BaseModel)


def read_model(model: type[M], path: Path, what: str) -> M:
    """Parse a JSON file into a model; a bad file is a one-line ProjectError naming the first problem."""
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ProjectError(f"invalid {what} ({where}: {first['msg']})", path) from None


def load_context(project: Path) -> ContentContext:
    path = context_path(project)
    if not path.is_file():
        raise ProjectError("no context.json; run `ai-video-editor process INPUT --out DIR` first", project)
    ctx = read_model(ContentContext, path, "context")
    if ctx.schema_id != CONTEXT_SCHEMA or ctx.version != CONTEXT_VERSION:
        raise ProjectError(f"unsupported context {ctx.schema_id} v{ctx.version}", path)
    return ctx


def save_context(project: Path, ctx: ContentContext) -> int:
    """Write context.json atomically; return its size in bytes."""
    text = ctx.to_json()
    write_text_atomic(context_path(project), text)
    return len(text.encode("utf-8"))


# Sections a stage may return; the orchestrator merges exactly these.
SECTIONS = ("media", "audio", "plan")


def apply_section(ctx: ContentContext, name: str, value: Any) -> None:
    if name not in SECTIONS:
        raise ProjectError(f"stage returned unknown context section {name!r}")
    field_type = ContentContext.model_fields[name].annotation
    setattr(ctx, name, None if value is None else TypeAdapter(field_type).validate_python(value))
