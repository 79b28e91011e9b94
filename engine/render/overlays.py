"""Everything drawn over the video: B-roll clips, text cards and burned-in captions, in that order.

Each overlay is opened when its first frame is drawn and closed after its last, so
only the ones on screen hold memory (a movis composition, a decoder).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

from ..timeline import BrollLayer, TextLayer, Timeline, resolve_media_path
from .broll import BrollClip
from .captions import captions_for
from .cards import Card, CardText
from .compose import ColorSpec, YuvOverlay

log = logging.getLogger(__name__)


class Overlay(Protocol):
    def image(self, frame: int) -> YuvOverlay | None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class OverlaySpec:
    name: str
    start: int
    end: int
    open: Callable[[ColorSpec], Overlay]


@dataclass
class OverlayPlan:
    specs: list[OverlaySpec]
    warnings: list[str]

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self.specs]


def plan_overlays(timeline: Timeline, project: Path, width: int, height: int, burn_captions: bool) -> OverlayPlan:
    rate = timeline.rate
    brolls: list[OverlaySpec] = []
    cards: list[OverlaySpec] = []
    warnings: list[str] = []
    for track in timeline.tracks:
        for layer in track.layers:
            if isinstance(layer, BrollLayer):
                spec = _broll(timeline, project, layer, width, height, warnings)
                if spec is not None:
                    brolls.append(spec)
            elif isinstance(layer, TextLayer) and layer.kind != "caption":
                card = CardText(layer.kind, layer.text, layer.subtitle, layer.animation)
                cards.append(OverlaySpec(layer.id, layer.start, layer.end,
                                         _card_opener(card, layer.start, layer.end, rate, width, height)))
    captions: list[OverlaySpec] = []
    if burn_captions:
        for index, caption in enumerate(captions_for(timeline, project)):
            card = CardText("caption", caption.text, None, "none")
            captions.append(OverlaySpec(f"caption{index}", caption.start, caption.end,
                                        _card_opener(card, caption.start, caption.end, rate, width, height)))
    return OverlayPlan(brolls + cards + captions, warnings)


def _broll(timeline: Timeline, project: Path, layer: BrollLayer, width: int, height: int,
           warnings: list[str]) -> OverlaySpec | None:
    if layer.asset is None:
        warnings.append(f"B-roll {layer.id} has no rendered asset yet: the video is rendered without it")
        return None
    path = resolve_media_path(timeline.media_by_id(layer.asset), project)
    if not path.is_file():
        shown = path.relative_to(project) if path.is_relative_to(project) else path
        warnings.append(f"B-roll {layer.id}: asset file {shown} is missing (the Blender side has not rendered it): "
                        f"the video is rendered without it")
        return None
    rate = timeline.rate

    def open_clip(color: ColorSpec) -> Overlay:
        return BrollClip(path, layer.placement, layer.start, rate, width, height, color)

    return OverlaySpec(layer.id, layer.start, layer.end, open_clip)


def _card_opener(card: CardText, start: int, end: int, rate: Fraction, width: int,
                 height: int) -> Callable[[ColorSpec], Overlay]:
    def open_card(color: ColorSpec) -> Overlay:
        return Card(card, start, end, rate, width, height, color)

    return open_card


class OverlayStack:
    """Opens overlays as frames reach them and closes those whose last frame has passed."""

    def __init__(self, specs: list[OverlaySpec], color: ColorSpec) -> None:
        self.specs = specs
        self.color = color
        self._open: dict[int, Overlay] = {}

    def images(self, frame: int, indexes: tuple[int, ...]) -> list[YuvOverlay]:
        for index in [i for i in self._open if self.specs[i].end <= frame]:
            self._open.pop(index).close()
        images = []
        for index in indexes:
            if index not in self._open:
                self._open[index] = self.specs[index].open(self.color)
            image = self._open[index].image(frame)
            if image is not None:
                images.append(image)
        return images

    def close(self) -> None:
        for overlay in self._open.values():
            overlay.close()
        self._open.clear()
