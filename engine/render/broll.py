"""B-roll clips (RGBA QuickTime, rendered by the Blender side) over the video at their placement."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from .compose import ColorSpec, YuvOverlay
from .layout import overlay_box


class BrollClip:
    """Frames of one asset, read in order, scaled into the layer's box (held on its last frame if short)."""

    def __init__(self, path: Path, placement: str, start: int, rate: Fraction, width: int, height: int,
                 color: ColorSpec) -> None:
        self.start, self.rate, self.color = start, rate, color
        self.x, self.y, self.w, self.h = overlay_box(placement, width, height)
        self.container = av.open(str(path))
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self._frames = self.container.decode(self.stream)
        self._next: av.VideoFrame | None = next(self._frames, None)
        self._current: av.VideoFrame | None = None
        self._image: YuvOverlay | None = None

    def image(self, frame: int) -> YuvOverlay | None:
        wanted = float((frame - self.start) / self.rate)  # seconds into the clip
        changed = False
        # Take the latest asset frame at or before this moment (assets may have their own rate).
        while self._next is not None and (self._next.time or 0.0) <= wanted + 1e-6:
            self._current, self._next = self._next, next(self._frames, None)
            changed = True
        if changed and self._current is not None:
            rgba = self._current.to_ndarray(format="rgba")
            if rgba.shape[:2] != (self.h, self.w):
                shrink = rgba.shape[1] > self.w
                rgba = cv2.resize(rgba, (self.w, self.h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
            self._image = YuvOverlay.from_rgba(np.ascontiguousarray(rgba), self.x, self.y, self.color)
        return self._image

    def close(self) -> None:
        self.container.close()
