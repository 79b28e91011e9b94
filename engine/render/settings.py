"""Encoder settings for a render: output size and codec parameters from the quality mode."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

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

    @property
    def time_base(self) -> Fraction:
        return 1 / self.rate


def output_size(width: int, height: int, max_height: int | None) -> tuple[int, int]:
    """Scale down to max_height on the short side (portrait stays portrait), even sizes for yuv420p."""
    short = min(width, height)
    scale = 1.0 if max_height is None or short <= max_height else max_height / short
    return _even(width * scale), _even(height * scale)


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def settings_for(quality: str, width: int, height: int, rate: Fraction) -> EncodeSettings:
    preset = QUALITY_PRESETS[quality]
    out_w, out_h = output_size(width, height, preset.max_height)
    return EncodeSettings(
        width=out_w,
        height=out_h,
        rate=rate,
        x264_preset=preset.x264_preset,
        crf=preset.crf,
        audio_bitrate=int(preset.audio_bitrate.rstrip("k")) * 1000,
    )
