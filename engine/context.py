"""ContentContext: the project's typed, versioned record of what is known about the footage.

It is saved as `context.json` in the output folder after every stage. Each
stage owns one section (media, audio, ...); stage workers return their section
and only the orchestrator writes the file, so stages that run in parallel never
race on it. Frame rates and time bases are exact rationals ("30000/1001").
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

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


class Loudness(Model):
    """EBU R128 / ITU-R BS.1770 loudness of the source."""

    integrated_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float
    short_term_hop_s: float
    short_term_lufs: list[float]  # 3 s windows every short_term_hop_s, from source time zero


class Emphasis(Model):
    """A moment said louder and/or higher than the speaker's local norm."""

    start: float
    end: float
    loudness_db: float  # above the local speech level
    pitch_semitones: float  # above the speaker's median pitch
    score: float = Field(ge=0.0, le=1.0)


class MusicAnalysis(Model):
    tempo_bpm: float
    beats: list[float]  # seconds
    downbeats: list[float]
    beats_per_bar: int = 4
    confidence: float = Field(ge=0.0, le=1.0)


class AudioAnalysis(Model):
    """Dead-air detection in the manner of auto-editor, on a fixed analysis hop; loudness; emphasis; beats."""

    hop_s: float
    threshold_db: float
    noise_floor_db: float
    speech_level_db: float
    sound: list[Interval]  # spans louder than the threshold, before margins and minimum lengths
    loudness: Loudness | None = None
    pitch_median_hz: float | None = None
    emphasis: list[Emphasis] = Field(default_factory=list)
    music: MusicAnalysis | None = None


class Word(Model):
    text: str  # as spoken, without surrounding spaces
    start: float
    end: float
    probability: float = Field(ge=0.0, le=1.0)
    filler: bool = False


class TranscriptSegment(Model):
    """A sentence (or Whisper segment): words[first_word:last_word + 1]."""

    start: float
    end: float
    text: str
    first_word: int
    last_word: int


class Filler(Model):
    word: int  # index into Transcript.words
    start: float
    end: float
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    acoustic: bool  # confirmed by the acoustic check, not only by the transcript


class Retake(Model):
    """A sentence started, abandoned, then said again: the abandoned take is the one to cut."""

    abandoned: Interval
    abandoned_text: str
    repeat: Interval
    repeat_text: str
    similarity: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)


class Transcript(Model):
    model: str
    language: str
    words: list[Word]
    segments: list[TranscriptSegment]
    fillers: list[Filler] = Field(default_factory=list)
    retakes: list[Retake] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(segment.text for segment in self.segments)


class FrameStats(Model):
    t: float
    sharpness: float  # variance of the Laplacian at analysis size
    brightness: float  # mean luma, 0-255
    contrast: float  # luma standard deviation
    motion: float  # mean absolute luma change from the previous sample, 0-255
    faces: int
    face_area: float  # largest face as a fraction of the frame


class ExposureIssue(Model):
    start: float
    end: float
    kind: Literal["dark", "bright", "low_contrast"]


class ThumbnailCandidate(Model):
    t: float
    score: float
    reasons: list[str]
    face_box: tuple[float, float, float, float] | None = None  # x, y, w, h as fractions of the frame


class VisualAnalysis(Model):
    sample_fps: float
    width: int  # analysis frame size
    height: int
    shot_changes: list[float]
    frames: list[FrameStats]
    exposure_issues: list[ExposureIssue] = Field(default_factory=list)
    thumbnail_candidates: list[ThumbnailCandidate] = Field(default_factory=list)


class Keyword(Model):
    text: str
    score: float = Field(ge=0.0, le=1.0)  # higher is more relevant


class Concept(Model):
    text: str
    score: float = Field(ge=0.0, le=1.0)
    mentions: list[float]  # source times


class Chapter(Model):
    start: float  # source time
    end: float
    title: str


class Peak(Model):
    t: float
    score: float = Field(ge=0.0, le=1.0)
    kind: Literal["engagement", "emotion"]
    reason: str


class ContentAnalysis(Model):
    content_type: Literal["educational", "music", "general"]
    type_confidence: float = Field(ge=0.0, le=1.0)
    type_reason: str
    speech_rate_wpm: float | None = None
    keywords: list[Keyword] = Field(default_factory=list)
    concepts: list[Concept] = Field(default_factory=list)
    chapters: list[Chapter] = Field(default_factory=list)
    peaks: list[Peak] = Field(default_factory=list)


class PublishMetadata(Model):
    """What the metadata stage chose; metadata.json holds the full package."""

    director: Literal["local", "gemini"]
    titles: list[str]  # best first
    hooks: list[str]  # hooks[i] is the thumbnail text that belongs with titles[i]
    chapters: int


class ThumbnailVariant(Model):
    file: str  # relative to the project folder
    hook: str
    title: str  # the title variant it belongs with
    frame_t: float  # source time of the frame it shows
    frame_box: tuple[int, int, int, int]  # where the frame shows unaltered in the thumbnail: x, y, w, h pixels
    frame_crop: tuple[float, float, float, float]  # the part of the source frame shown there, as fractions
    template: dict  # the layout and palette, kept forever when the user keeps this variant
    background: Literal["frame", "procedural", "imagen", "kept"]


class ThumbnailSet(Model):
    variants: list[ThumbnailVariant]
    contact_sheet: str


class PlanSummary(Model):
    timeline: str  # path of timeline.json, relative to the project folder
    director: str
    content_type: str
    kept_s: float
    removed_s: float
    cuts: int


class StageRecord(Model):
    fingerprint: str  # hash of the stage's inputs and options; a match means the result is current
    result: str = ""  # hash of what it produced; the stages that need it put this in their fingerprints
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
    transcript: Transcript | None = None
    visual: VisualAnalysis | None = None
    content: ContentAnalysis | None = None
    plan: PlanSummary | None = None
    metadata: PublishMetadata | None = None
    thumbnails: ThumbnailSet | None = None
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
SECTIONS = ("media", "audio", "transcript", "visual", "content", "plan", "metadata", "thumbnails")


def apply_section(ctx: ContentContext, name: str, value: Any) -> None:
    if name not in SECTIONS:
        raise ProjectError(f"stage returned unknown context section {name!r}")
    field_type = ContentContext.model_fields[name].annotation
    setattr(ctx, name, None if value is None else TypeAdapter(field_type).validate_python(value))
