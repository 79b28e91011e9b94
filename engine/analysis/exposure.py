"""Exposure problems: frames too dark, blown out or flat, gathered into time ranges.

The rules look at the spread of a frame's luma, not only its mean, because slides are legitimately dark or
light: a dark slide with white text still has bright pixels, a light one still has dark text. So a frame is
- dark when even its brightest 2% are dim grey (underexposed, or black);
- bright when a quarter of it is clipped to white and even its darkest 1% are light (shadows lifted);
- low contrast when 96% of it fits in a narrow band of grey (haze, a washed-out picture, a lens cap).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from ..context import ExposureIssue

ExposureKind = Literal["dark", "bright", "low_contrast"]

DARK_P98 = 90  # luma 0-255
CLIPPED_LEVEL = 250
BRIGHT_CLIPPED = 0.25  # fraction of the frame at or above CLIPPED_LEVEL
BRIGHT_P1 = 100
FLAT_SPREAD = 48  # p98 - p2


@dataclass(frozen=True)
class Tone:
    mean: float
    std: float
    p1: float
    p2: float
    p98: float
    clipped: float  # fraction of pixels at or above CLIPPED_LEVEL


def measure(gray: np.ndarray) -> Tone:
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    total = hist.sum()
    cdf = np.cumsum(hist) / total
    levels = np.arange(256)
    mean = float((hist * levels).sum() / total)
    std = float(np.sqrt((hist * (levels - mean) ** 2).sum() / total))
    p1, p2, p98 = (float(np.searchsorted(cdf, q)) for q in (0.01, 0.02, 0.98))
    return Tone(mean, std, p1, p2, p98, float(hist[CLIPPED_LEVEL:].sum() / total))


def classify(tone: Tone) -> ExposureKind | None:
    if tone.p98 < DARK_P98:
        return "dark"
    if tone.clipped >= BRIGHT_CLIPPED and tone.p1 >= BRIGHT_P1:
        return "bright"
    if tone.p98 - tone.p2 < FLAT_SPREAD:
        return "low_contrast"
    return None


def issue_ranges(times: list[float], kinds: list[ExposureKind | None], cuts: list[float],
                 end: float) -> list[ExposureIssue]:
    """Runs of samples with the same problem as time ranges from 0 to `end`.

    A range edge lies between two samples: on a shot change there if there is one (exposure usually changes
    with the shot), else halfway.
    """
    issues: list[ExposureIssue] = []
    i = 0
    while i < len(kinds):
        kind = kinds[i]
        j = i
        while j + 1 < len(kinds) and kinds[j + 1] == kind:
            j += 1
        if kind is not None:
            start = 0.0 if i == 0 else _edge(times[i - 1], times[i], cuts)
            stop = end if j == len(kinds) - 1 else _edge(times[j], times[j + 1], cuts)
            issues.append(ExposureIssue(start=round(start, 3), end=round(max(start, stop), 3), kind=kind))
        i = j + 1
    return issues


def _edge(before: float, after: float, cuts: list[float]) -> float:
    k = bisect_right(cuts, before)
    if k < len(cuts) and cuts[k] <= after:
        return cuts[k]
    return (before + after) / 2
