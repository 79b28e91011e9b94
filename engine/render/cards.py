"""Title cards, lower thirds, keyword cards and captions drawn with movis as short RGBA clips.

Each card is a movis composition only as large as the card (plus room for its
animation), evaluated frame by frame while the card is on screen; the renderer
blends it over the video at its place. movis draws text with Qt's GUI module, which
needs no display with QT_QPA_PLATFORM=offscreen. movis keeps a disk cache of the
frames it composes in a temporary folder of its own; `movis_scratch` points that at
a folder of the project and removes it afterwards.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .compose import ColorSpec, YuvOverlay

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# movis 0.7.1 calls float() on one-element arrays, which numpy 1.25+ deprecates (and numpy 2.4 refuses:
# one reason the project stays on numpy 1.26); the values are right, so the warning is only noise.
warnings.filterwarnings("ignore", "Conversion of an array with ndim > 0 to a scalar", DeprecationWarning,
                        module="movis")

log = logging.getLogger(__name__)
BUNDLED_FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "DejaVuSans-Bold.ttf"

FONTS = ("DejaVu Sans", "Liberation Sans", "Helvetica Neue", "Helvetica", "Arial", "Noto Sans")
BACKGROUND = (16, 18, 28)
BACKGROUND_OPACITY = 0.86
ACCENT = (255, 196, 0)
TEXT = (255, 255, 255)
SUBTEXT = (206, 210, 220)
ANIMATION_S = 0.35  # length of the entrance and the exit
MARGIN = 0.12  # extra canvas around the card, as a share of its size, so slides and pops are not clipped

# (x, y, w, h) of each kind of card as shares of the output frame.
BOXES = {
    "title_card": (0.14, 0.36, 0.72, 0.28),
    "lower_third": (0.05, 0.74, 0.50, 0.15),
    "keyword_card": (0.61, 0.07, 0.34, 0.12),
    "caption": (0.10, 0.84, 0.80, 0.10),
}


@contextlib.contextmanager
def movis_scratch(parent: Path) -> Iterator[None]:
    """Run movis with its frame caches in a folder under `parent`, removed when done."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="movis-", dir=parent))
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before
        shutil.rmtree(folder, ignore_errors=True)


def card_box(kind: str, width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of a card in output pixels, even, so its chroma lines up with the video's."""
    fx, fy, fw, fh = BOXES[kind]
    return (_even(fx * width), _even(fy * height), _even(fw * width), _even(fh * height))


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


@dataclass(frozen=True)
class CardText:
    kind: str
    text: str
    subtitle: str | None
    animation: str  # fade | slide | pop | none


class Card:
    """One card over frames [start, end) of the timeline, as YUV overlays ready to blend."""

    def __init__(self, card: CardText, start: int, end: int, rate: Fraction, width: int, height: int,
                 color: ColorSpec) -> None:
        import movis as mv  # imported here: it starts Qt, which only frames with text need

        self.start, self.end, self.rate, self.color = start, end, rate, color
        x, y, w, h = card_box(card.kind, width, height)
        pad_x, pad_y = _even(w * MARGIN), _even(h * MARGIN)
        self.x, self.y = x - pad_x, y - pad_y
        duration = float((end - start) / rate)
        canvas = (w + 2 * pad_x, h + 2 * pad_y)
        content = _content(mv, card, w, h, duration)
        self.composition = mv.layer.Composition(size=canvas, duration=duration)
        item = self.composition.add_layer(content, position=(canvas[0] / 2, canvas[1] / 2))
        _animate(item, card.animation, duration, w)
        self._key: Any = None
        self._image: YuvOverlay | None = None

    def image(self, frame: int) -> YuvOverlay | None:
        t = float((frame - self.start) / self.rate)
        key = self.composition.get_key(t)
        if key != self._key:
            rgba = self.composition(t)
            self._key = key
            self._image = None if rgba is None else YuvOverlay.from_rgba(rgba, self.x, self.y, self.color)
        return self._image

    def close(self) -> None:
        self.composition.clear()


def _content(mv: Any, card: CardText, w: int, h: int, duration: float) -> Any:
    comp = mv.layer.Composition(size=(w, h), duration=duration)
    comp.add_layer(mv.layer.Rectangle(size=(w, h), radius=h * 0.12, color=BACKGROUND, duration=duration),
                   position=(w / 2, h / 2), opacity=BACKGROUND_OPACITY)
    left = 0.0
    if card.kind == "lower_third":
        bar = max(4, _even(w * 0.012))
        comp.add_layer(mv.layer.Rectangle(size=(bar, h * 0.7), color=ACCENT, duration=duration),
                       position=(h * 0.2 + bar / 2, h / 2))
        left = h * 0.2 + bar
    family = _font_family(mv)
    inner_w = (w - left) * 0.9
    centre_x = left + (w - left) / 2
    if card.subtitle:
        main = _fitted_text(mv, card.text, family, "Bold", h * 0.36, inner_w, duration)
        sub = _fitted_text(mv, card.subtitle, family, None, h * 0.2, inner_w, duration, color=SUBTEXT)
        comp.add_layer(main, position=(centre_x, h * 0.38))
        comp.add_layer(sub, position=(centre_x, h * 0.72))
    else:
        size = h * (0.34 if card.kind == "caption" else 0.46)
        comp.add_layer(_fitted_text(mv, card.text, family, "Bold", size, inner_w, duration), position=(centre_x, h / 2))
    return comp


def _fitted_text(mv: Any, text: str, family: str, style: str | None, size: float, max_width: float,
                 duration: float, color: tuple[int, int, int] = TEXT) -> Any:
    """A text layer whose font is shrunk until the text fits the card's width."""
    styles = mv.layer.Text.available_styles(family)
    style = style if style in styles else None
    layer = mv.layer.Text(text, font_size=size, font_family=family, font_style=style, color=color, duration=duration)
    width = layer.get_size()[0]
    if width > max_width:
        layer = mv.layer.Text(text, font_size=max(8.0, size * max_width / width), font_family=family,
                              font_style=style, color=color, duration=duration)
    return layer


def _font_family(mv: Any) -> str:
    mv.layer.Text.available_fonts()  # starts Qt's application object, which font registration needs
    # The engine ships DejaVu Sans Bold, so text cards have a font on machines without any installed.
    from PySide6.QtGui import QFontDatabase

    QFontDatabase.addApplicationFont(str(BUNDLED_FONT))
    available = set(mv.layer.Text.available_fonts())
    family = next((f for f in FONTS if f in available), None)
    if family is None:
        if not available:
            log.warning("Qt finds no fonts on this system: text cards will be empty (install fonts-dejavu)")
        family = sorted(available)[0] if available else "Sans Serif"
    return family


def _animate(item: Any, animation: str, duration: float, width: int) -> None:
    """Entrance and exit: opacity for every kind but none, plus a slide or a pop."""
    if animation == "none":
        return
    ramp = min(ANIMATION_S, duration / 3)
    times = [0.0, ramp, duration - ramp, duration]
    easings = ["ease_out3", "linear", "ease_in3"]
    item.opacity.enable_motion().extend(times, [0.0, 1.0, 1.0, 0.0], easings)
    if animation == "slide":
        x, y = item.position.init_value
        offset = width * 0.06
        item.position.enable_motion().extend(times, [(x - offset, y), (x, y), (x, y), (x + offset, y)], easings)
    elif animation == "pop":
        item.scale.enable_motion().extend(
            [0.0, ramp * 0.7, ramp, duration - ramp, duration],
            [(0.6, 0.6), (1.06, 1.06), (1.0, 1.0), (1.0, 1.0), (0.9, 0.9)],
            ["ease_out3", "ease_in_out", "linear", "ease_in3"])

