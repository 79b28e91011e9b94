"""Where an overlay sits in the output frame; shared by the compositor and the asset renderers."""
from __future__ import annotations

PIP_FRACTION = 0.42  # a picture-in-picture takes this share of the frame's width
PIP_MARGIN = 0.04  # gap to the frame's edge, as a share of the frame's height


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def overlay_box(placement: str, width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) in output pixels: fullscreen covers the frame; picture_in_picture sits bottom right."""
    if placement == "fullscreen":
        return 0, 0, width, height
    w, h = _even(width * PIP_FRACTION), _even(height * PIP_FRACTION)
    margin = int(round(height * PIP_MARGIN))
    return width - w - margin, height - h - margin, w, h
