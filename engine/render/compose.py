"""Pixel work on the few frames that need it, done on yuv420p planes with numpy and OpenCV.

Working in the codec's own YUV planes (no RGB round trip) keeps a composited frame
to a few milliseconds: a crossfade is a weighted sum per plane, a dip a sum with a
constant, a zoom one sub-pixel affine warp per plane (so slow zooms never jitter by
whole pixels), and an overlay an alpha blend over its box only.
"""
from __future__ import annotations

from dataclasses import dataclass

import av
import cv2
import numpy as np

from .plan import Zoom


@dataclass(frozen=True)
class ColorSpec:
    """How RGB overlays and dip colours map to the video's YUV values."""

    matrix: str  # "709" or "601"
    full_range: bool

    @property
    def black(self) -> tuple[int, int, int]:
        return (0, 128, 128) if self.full_range else (16, 128, 128)

    @property
    def white(self) -> tuple[int, int, int]:
        return (255, 128, 128) if self.full_range else (235, 128, 128)

    def rgb_to_yuv(self, rgb: np.ndarray) -> np.ndarray:
        """(..., 3) RGB 0-255 float to (..., 3) YUV float at this range."""
        kr, kb = (0.2126, 0.0722) if self.matrix == "709" else (0.299, 0.114)
        kg = 1.0 - kr - kb
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        y = kr * r + kg * g + kb * b
        u = (b - y) / (2 * (1 - kb))
        v = (r - y) / (2 * (1 - kr))
        if self.full_range:
            return np.stack([y, u + 128.0, v + 128.0], axis=-1)
        return np.stack([16.0 + y * 219.0 / 255.0, 128.0 + u * 224.0 / 255.0, 128.0 + v * 224.0 / 255.0], axis=-1)


def color_spec_of(frame: av.VideoFrame) -> ColorSpec:
    """The frame's own tags; untagged video is BT.709 from 720 lines up (as players assume), else BT.601."""
    colorspace = int(frame.colorspace or 2)
    if colorspace == 1:
        matrix = "709"
    elif colorspace in (5, 6):
        matrix = "601"
    else:
        matrix = "709" if frame.height >= 720 else "601"
    full = int(frame.color_range or 0) == 2 or frame.format.name.startswith("yuvj")
    return ColorSpec(matrix, full)


@dataclass
class Picture:
    """A yuv420p picture as three planes (views into one contiguous array)."""

    data: np.ndarray  # (h * 3 / 2, w) as PyAV lays out yuv420p
    width: int
    height: int

    @property
    def y(self) -> np.ndarray:
        return self.data[:self.height]

    @property
    def u(self) -> np.ndarray:
        size = self.width * self.height
        return self.data.reshape(-1)[size:size + size // 4].reshape(self.height // 2, self.width // 2)

    @property
    def v(self) -> np.ndarray:
        size = self.width * self.height
        return self.data.reshape(-1)[size + size // 4:].reshape(self.height // 2, self.width // 2)

    def planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.y, self.u, self.v

    @classmethod
    def from_frame(cls, frame: av.VideoFrame) -> "Picture":
        if frame.format.name != "yuv420p" or frame.width % 2 or frame.height % 2:
            frame = frame.reformat(width=frame.width // 2 * 2, height=frame.height // 2 * 2, format="yuv420p")
        return cls(frame.to_ndarray(), frame.width, frame.height)

    @classmethod
    def blank(cls, width: int, height: int, color: tuple[int, int, int]) -> "Picture":
        picture = cls(np.empty((height * 3 // 2, width), np.uint8), width, height)
        for plane, value in zip(picture.planes(), color):
            plane[...] = value
        return picture

    @classmethod
    def from_planes(cls, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> "Picture":
        height, width = y.shape
        data = np.concatenate([y.reshape(-1), u.reshape(-1), v.reshape(-1)]).reshape(height * 3 // 2, width)
        return cls(data, width, height)

    def to_frame(self) -> av.VideoFrame:
        return av.VideoFrame.from_ndarray(self.data, format="yuv420p")


def crossfade(base: Picture, other: Picture, weight: float) -> Picture:
    """`weight` of `other` over `base` (both the same size)."""
    return Picture(cv2.addWeighted(base.data, 1.0 - weight, other.data, weight, 0.0), base.width, base.height)


def dip(base: Picture, color: tuple[int, int, int], weight: float) -> Picture:
    """`weight` of a flat colour over the picture."""
    planes = [cv2.addWeighted(p, 1.0 - weight, p, 0.0, weight * c) for p, c in zip(base.planes(), color)]
    return Picture.from_planes(*planes)


def zoom_to(picture: Picture, zoom: Zoom, width: int, height: int, moving: bool) -> Picture:
    """Crop the zoomed region (kept inside the frame) and scale it to width x height.

    While the zoom moves, one sub-pixel affine warp per plane, so a slow zoom glides instead of
    stepping by whole pixels; while it holds still, a crop on even pixels and a bicubic resize, the
    same picture to within half a source pixel at a fifteenth of the cost (2 against 31 ms at 1080p).
    """
    src_w, src_h = picture.width, picture.height
    view_w, view_h = src_w / zoom.scale, src_h / zoom.scale
    x0 = min(max(zoom.center_x * src_w - view_w / 2, 0.0), src_w - view_w)
    y0 = min(max(zoom.center_y * src_h - view_h / 2, 0.0), src_h - view_h)
    if not moving:
        left, top = int(round(x0 / 2)) * 2, int(round(y0 / 2)) * 2
        crop_w = min(src_w - left, max(2, int(round(view_w / 2)) * 2))
        crop_h = min(src_h - top, max(2, int(round(view_h / 2)) * 2))
        return resize(Picture.from_planes(picture.y[top:top + crop_h, left:left + crop_w],
                                          picture.u[top // 2:(top + crop_h) // 2, left // 2:(left + crop_w) // 2],
                                          picture.v[top // 2:(top + crop_h) // 2, left // 2:(left + crop_w) // 2]),
                      width, height)
    planes = []
    for plane, factor in zip(picture.planes(), (1, 2, 2)):
        out_w, out_h = width // factor, height // factor
        sx, sy = view_w / factor / out_w, view_h / factor / out_h
        # Maps the centre of each output pixel to the matching point of the source plane.
        matrix = np.array([[sx, 0.0, x0 / factor + 0.5 * sx - 0.5],
                           [0.0, sy, y0 / factor + 0.5 * sy - 0.5]], np.float64)
        planes.append(cv2.warpAffine(plane, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
                                     borderMode=cv2.BORDER_REPLICATE))
    return Picture.from_planes(*planes)


def resize(picture: Picture, width: int, height: int) -> Picture:
    if (picture.width, picture.height) == (width, height):
        return picture
    shrink = width < picture.width
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    planes = [cv2.resize(p, (width // f, height // f), interpolation=interpolation)
              for p, f in zip(picture.planes(), (1, 2, 2))]
    return Picture.from_planes(*planes)


@dataclass(frozen=True)
class YuvOverlay:
    """An RGBA image turned into premultiplied YUV planes, ready to blend at an even (x, y)."""

    x: int
    y: int
    luma: np.ndarray  # (h, w) premultiplied Y, float32
    alpha: np.ndarray  # (h, w) 0-1
    chroma: np.ndarray  # (h/2, w/2, 2) premultiplied U, V
    chroma_alpha: np.ndarray  # (h/2, w/2)

    @classmethod
    def from_rgba(cls, rgba: np.ndarray, x: int, y: int, color: ColorSpec) -> "YuvOverlay":
        h, w = rgba.shape[0] // 2 * 2, rgba.shape[1] // 2 * 2
        rgba = rgba[:h, :w].astype(np.float32)
        alpha = rgba[..., 3] / 255.0
        yuv = color.rgb_to_yuv(rgba[..., :3]) * alpha[..., None]
        # Chroma is averaged over each 2x2 block already premultiplied, which is exact for the blend.
        chroma = cv2.resize(yuv[..., 1:], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        chroma_alpha = cv2.resize(alpha, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        return cls(x // 2 * 2, y // 2 * 2, yuv[..., 0], alpha, chroma, chroma_alpha)

    def faded(self, opacity: float) -> "YuvOverlay":
        if opacity >= 1.0:
            return self
        return YuvOverlay(self.x, self.y, self.luma * opacity, self.alpha * opacity, self.chroma * opacity,
                          self.chroma_alpha * opacity)

    def draw_on(self, picture: Picture) -> None:
        """Blend in place, clipped to the picture."""
        _blend(picture.y, self.luma, self.alpha, self.x, self.y)
        cx, cy = self.x // 2, self.y // 2
        _blend(picture.u, self.chroma[..., 0], self.chroma_alpha, cx, cy)
        _blend(picture.v, self.chroma[..., 1], self.chroma_alpha, cx, cy)


def _blend(plane: np.ndarray, premultiplied: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
    h, w = alpha.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, plane.shape[1]), min(y + h, plane.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    region = plane[y0:y1, x0:x1]
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x]
    p = premultiplied[y0 - y:y1 - y, x0 - x:x1 - x]
    region[...] = np.clip(region * (1.0 - a) + p + 0.5, 0, 255).astype(np.uint8)
