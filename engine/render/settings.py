"""Encoder settings for a render: output size and codec parameters from the quality mode."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..context import MediaInfo
from ..media.frames import upright_size
from ..options import QUALITY_PRESETS

AUDIO_FADE_S = 0.012  # fade at each side of every cut, so that no cut clicks (at least 10 ms)
OUTPUT_SAMPLE_RATE = 48000


@dataclass(frozen=True)
class EncodeSettings:
    width: int
    height: int
    rate: Fraction
    x264_preset: str
    crf: int
    audio_bitrate: int
    sample_rate: int = OUTPUT_SAMPLE_RATE
    aac_coder: str = "twoloop"  # FFmpeg's AAC coder: "fast" takes half the time at a little quality
    splice_preset: str = "ultrafast"  # x264 preset of the frames a smart render re-encodes

    @property
    def time_base(self) -> Fraction:
        return 1 / self.rate


def output_size(width: int, height: int, max_height: int | None) -> tuple[int, int]:
    """Scale down to max_height on the short side (portrait stays portrait), even sizes for yuv420p."""
    short = min(width, height)
    scale = 1.0 if max_height is None or short <= max_height else max_height / short
    return _even(width * scale), _even(height * scale)


def _even(value: float) -> int:
    """Down to an even size (4:2:0 needs one); never larger than the source (853x479 gives 852x478)."""
    return max(2, int(value / 2 + 1e-6) * 2)


def copies_source(media: MediaInfo) -> bool:
    """Whether fast mode can copy this source's GOPs: 8-bit 4:2:0 H.264, constant rate, upright, MP4/MOV."""
    video = media.video
    return (video is not None and video.codec == "h264" and video.pix_fmt in ("yuv420p", "yuvj420p")
            and not video.variable_rate and not video.rotation
            and media.format_name.split(",")[0] in ("mov", "mp4"))


SMART_QUALITIES = ("fast", "balanced")  # high re-encodes every frame with its slower, better preset


def render_size(media: MediaInfo, quality: str) -> tuple[int, int]:
    """The edited video's size. Fast mode keeps an H.264 source's size, so that its untouched GOPs can be
    copied (copying is what makes it fast); otherwise the quality's bound applies (balanced copies too
    when the source is within it)."""
    video = media.video
    if video is None:
        return 0, 0
    if quality == "fast" and copies_source(media):
        return _even(video.width), _even(video.height)
    return output_size(*upright_size(video), QUALITY_PRESETS[quality].max_height)  # rotated footage renders upright


def settings_for(quality: str, width: int, height: int, rate: Fraction) -> EncodeSettings:
    """The quality's encoder settings for an output of `width` x `height` (see render_size)."""
    preset = QUALITY_PRESETS[quality]
    return EncodeSettings(
        width=width,
        height=height,
        rate=rate,
        x264_preset=preset.x264_preset,
        crf=preset.crf,
        audio_bitrate=int(preset.audio_bitrate.rstrip("k")) * 1000,
        aac_coder="fast" if quality == "fast" else "twoloop",
        splice_preset="ultrafast" if quality == "fast" else preset.x264_preset,
    )
