"""Shot changes: hard cuts found between sparse samples, then placed by decoding the span around each one.

The change between two frames is their mean absolute luma difference on a tiny area-averaged copy (96 px
wide): small enough that grain and a moving hand hardly count, large enough that a cut to a similar-looking
shot still does. Its threshold, 10% of full scale, is the default of FFmpeg's `scdet` filter. Samples a
second or two apart differ by that much at every cut, but also after a pan or a walk across the room; the
frames of the span in between (I- and P-frames, a few frames apart) tell them apart: at a cut one step
carries the change, after movement it built up over many small steps. So do fades and dissolves, which are
therefore not reported. A cut is placed on the first decoded frame of the new shot: on the cut itself, or
up to three frames after it when it falls on a B-frame, which is not decoded.
"""
from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

SIGNATURE_WIDTH = 96
CUT_THRESHOLD = 0.10  # mean absolute luma change, as a fraction of 255
MIN_SHOT_S = 0.5  # steps closer than this are one cut (a flash frame, a cut onto a frame that then settles)


def signature(gray: np.ndarray) -> np.ndarray:
    """The tiny copy of a frame that changes are measured on."""
    h, w = gray.shape
    size = (SIGNATURE_WIDTH, max(1, round(SIGNATURE_WIDTH * h / w)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def change(a: np.ndarray, b: np.ndarray) -> float:
    """How different two signatures are, 0 (same) to 1 (black to white)."""
    return float(np.mean(np.abs(a - b))) / 255.0


def steps_over_threshold(frames: Iterable[tuple[float, np.ndarray]], until: np.ndarray) -> list[tuple[float, float]]:
    """(time of the first frame after the step, size of the step) for each cut-sized step between frames.

    Stops at the first frame that already looks like `until`, the signature of the sample that ends the span:
    the rest of the span is that same shot, and decoding it would cost without finding anything.
    """
    found: list[tuple[float, float]] = []
    previous = None
    for t, gray in frames:
        sig = signature(gray)
        if previous is not None:
            step = change(previous, sig)
            if step >= CUT_THRESHOLD:
                found.append((t, step))
        if change(sig, until) < CUT_THRESHOLD / 2:
            break
        previous = sig
    return found


def merge_close(steps: list[tuple[float, float]]) -> list[float]:
    """Cut times, in order, keeping the largest step of any that lie within MIN_SHOT_S of each other."""
    cuts: list[tuple[float, float]] = []
    for t, size in sorted(steps):
        if cuts and t - cuts[-1][0] < MIN_SHOT_S:
            if size > cuts[-1][1]:
                cuts[-1] = (t, size)
            continue
        cuts.append((t, size))
    return [round(t, 3) for t, _ in cuts]
