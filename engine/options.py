"""The job's options: one table that the CLI, the context, the add-on and the docs all read.

Each field of `JobOptions` is one option. Its `json_schema_extra` names the
command-line flag and the stages whose results depend on it, so that a stage
re-runs (and its cache key changes) exactly when one of its options changes.
`QUALITY_PRESETS` holds what each quality mode means for every stage.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ContentType = Literal["auto", "educational", "music", "general"]
Quality = Literal["fast", "balanced", "high"]


def _opt(default: Any, help_text: str, flag: str, stages: list[str], unset: str = "none", **kw: Any) -> Any:
    """One option; `unset` is what a None default means, for the docs ("none", or "auto")."""
    return Field(default, description=help_text, json_schema_extra={"flag": flag, "stages": stages, "unset": unset},
                 **kw)


class JobOptions(BaseModel):
    """Everything a user can choose for one job; stored in context.json."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    content_type: ContentType = _opt(
        "auto", "What the footage is; auto detects it.", "--type", ["content", "plan"])
    quality: Quality = _opt(
        "balanced", "fast: quickest analysis; copies the untouched stretches of an H.264 source at its size and "
        "re-encodes only around cuts and effects (other sources: at most 720p). balanced: source size up to "
        "1080p, copying untouched stretches of an H.264 source of that size. high: source size (4K included), "
        "every frame re-encoded with a slower, better preset.",
        "--quality", ["audio", "transcribe", "visual", "plan", "render", "animations", "blend"])
    director: Literal["auto", "local", "gemini"] = _opt(
        "auto", "Who plans the edit: local (offline), gemini (needs GEMINI_API_KEY; falls back to local), or auto "
                "(gemini when a key is set).", "--director", ["plan", "metadata", "thumbnails"])
    gemini_model: str = _opt(
        "gemini-2.5-flash", "Gemini model for the director and the metadata.", "--gemini-model", ["plan", "metadata"])
    budget_usd: float = _opt(
        2.0, "Most this project may spend on paid APIs, in USD; never exceeded.", "--budget", ["plan", "metadata", "thumbnails"], ge=0.0)
    silence_threshold_db: float | None = _opt(
        None, "Audio level (dBFS) below which a moment is dead air; default: set from the clip's own noise floor "
              "and speech level.", "--silence-threshold", ["audio"], unset="auto", le=0.0)
    margin_before: float = _opt(
        0.06, "Seconds of dead air kept before speech starts.", "--margin-before", ["plan"], ge=0.0, le=2.0)
    margin_after: float = _opt(
        0.08, "Seconds of dead air kept after speech ends.", "--margin-after", ["plan"], ge=0.0, le=2.0)
    min_cut: float = _opt(
        0.4, "Dead air shorter than this (seconds) is a natural pause and stays.", "--min-cut", ["plan"],
        ge=0.0, le=10.0)
    whisper_model: str = _opt(
        "tiny.en", "Speech model: tiny.en (bundled, offline), a local faster-whisper model folder, or a model name "
                   "faster-whisper downloads when online.", "--whisper-model", ["transcribe"])
    min_clip: float = _opt(
        0.12, "Sound shorter than this (seconds) with dead air around it is noise, not speech.", "--min-clip",
        ["plan"], ge=0.0, le=10.0)
    captions: Literal["off", "burn"] = _opt(
        "off", "burn: draw the captions (captions.srt, else caption layers) into the video.", "--captions",
        ["render"])
    music_bed: str | None = _opt(
        None, "An audio file played under the edit, ducked while someone speaks.", "--music", ["render"])
    loudness_lufs: float = _opt(
        -14.0, "Integrated loudness of the edited audio (LUFS); the true peak stays at or below -1 dBTP.",
        "--loudness", ["render"], ge=-40.0, le=-6.0)
    encoder: Literal["auto", "x264", "nvenc"] = _opt(
        "auto", "Video encoder: auto uses NVENC when an NVIDIA GPU opens it, else x264.", "--encoder", ["render"])

    def for_stage(self, stage: str) -> dict[str, Any]:
        """The options a stage's result depends on: its part of the cache key and resume fingerprint."""
        return {
            name: getattr(self, name)
            for name, field in type(self).model_fields.items()
            if stage in (field.json_schema_extra or {}).get("stages", [])  # type: ignore[union-attr]
        }


@dataclass(frozen=True)
class QualityPreset:
    """What a quality mode means for each stage."""

    max_height: int | None  # None: keep the source size
    x264_preset: str
    crf: int
    audio_bitrate: str
    analysis_hop_s: float  # audio analysis resolution
    whisper_beam: int  # beam size of the speech recogniser
    visual_fps: float  # frames a second sampled for visual analysis (0.5: keyframes alone serve with a 2 s GOP)


QUALITY_PRESETS: dict[str, QualityPreset] = {
    "fast": QualityPreset(max_height=720, x264_preset="veryfast", crf=23, audio_bitrate="128k", analysis_hop_s=0.02,
                          whisper_beam=1, visual_fps=0.5),
    "balanced": QualityPreset(max_height=1080, x264_preset="veryfast", crf=21, audio_bitrate="160k",
                              analysis_hop_s=0.01, whisper_beam=1, visual_fps=1.0),
    "high": QualityPreset(max_height=None, x264_preset="medium", crf=18, audio_bitrate="192k", analysis_hop_s=0.01,
                          whisper_beam=5, visual_fps=2.0),
}


def option_fields() -> list[tuple[str, dict[str, Any]]]:
    """(name, description) pairs of every option, in table order, for the CLI and docs."""
    rows = []
    for name, field in JobOptions.model_fields.items():
        extra = dict(field.json_schema_extra or {})  # type: ignore[arg-type]
        rows.append((name, {"flag": extra["flag"], "stages": extra["stages"], "unset": extra["unset"],
                            "default": field.default,
                            "help": field.description, "annotation": field.annotation}))
    return rows
