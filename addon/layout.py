"""Output geometry the add-on needs without the engine: output size per quality, overlay boxes. No bpy.

The add-on runs in Blender's Python, which has neither the engine nor its
dependencies, so it cannot import engine.render. These few lines mirror
engine/render/settings.py (output_size), engine/render/layout.py (overlay_box)
and the max heights of engine/options.py QUALITY_PRESETS; tests/test_addon_layout.py
checks them against the engine's own functions so the two never drift apart.
"""
from __future__ import annotations

QUALITY_MAX_HEIGHT: dict[str, int | None] = {"fast": 720, "balanced": 1080, "high": None}
PIP_FRACTION = 0.42
PIP_MARGIN = 0.04


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _even_down(value: float) -> int:
    """Down to an even size (4:2:0 needs one); never larger than the source (853x479 gives 852x478)."""
    return max(2, int(value / 2 + 1e-6) * 2)


def output_size(width: int, height: int, quality: str) -> tuple[int, int]:
    """The edited video's size: the source scaled down to the quality's height on its short side."""
    max_height = QUALITY_MAX_HEIGHT[quality]
    short = min(width, height)
    scale = 1.0 if max_height is None or short <= max_height else max_height / short
    return _even_down(width * scale), _even_down(height * scale)


def overlay_box(placement: str, width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) in output pixels, y down: fullscreen covers the frame; picture_in_picture sits bottom right."""
    if placement == "fullscreen":
        return 0, 0, width, height
    w, h = _even(width * PIP_FRACTION), _even(height * PIP_FRACTION)
    margin = int(round(height * PIP_MARGIN))
    return width - w - margin, height - h - margin, w, h


def strip_offset(box: tuple[int, int, int, int], width: int, height: int) -> tuple[float, float]:
    """The VSE transform offset that puts a strip of the box's size on the box (the VSE centres strips, y up)."""
    x, y, w, h = box
    return x + w / 2 - width / 2, height / 2 - (y + h / 2)
