"""The add-on's mirror of the engine's output geometry equals the engine's own (the add-on cannot import it)."""
from __future__ import annotations

import pytest

from addon import layout
from engine.options import QUALITY_PRESETS
from engine.render.layout import overlay_box
from engine.render.settings import output_size

SIZES = [(1920, 1080), (1280, 720), (3840, 2160), (1080, 1920), (640, 360), (1440, 1080), (854, 480), (720, 1280),
         (2560, 1440), (1366, 768), (320, 180)]


def test_quality_max_heights_mirror_the_presets() -> None:
    assert layout.QUALITY_MAX_HEIGHT == {name: preset.max_height for name, preset in QUALITY_PRESETS.items()}


@pytest.mark.parametrize("quality", sorted(QUALITY_PRESETS))
@pytest.mark.parametrize("size", SIZES)
def test_output_size_and_overlay_boxes_match_the_engine(size: tuple[int, int], quality: str) -> None:
    out = layout.output_size(*size, quality)
    assert out == output_size(*size, QUALITY_PRESETS[quality].max_height)
    for placement in ("fullscreen", "picture_in_picture"):
        assert layout.overlay_box(placement, *out) == overlay_box(placement, *out)


def test_strip_offset_puts_a_box_where_the_renderer_does() -> None:
    # The VSE centres a strip and measures y up; the box is measured from the top left, y down.
    assert layout.strip_offset((0, 0, 1920, 1080), 1920, 1080) == (0.0, 0.0)
    x, y, w, h = layout.overlay_box("picture_in_picture", 1920, 1080)
    off_x, off_y = layout.strip_offset((x, y, w, h), 1920, 1080)
    assert off_x == x + w / 2 - 960 and off_x > 0  # right of centre
    assert off_y == 540 - (y + h / 2) and off_y < 0  # below centre
