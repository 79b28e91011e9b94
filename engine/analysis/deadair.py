"""Dead-air detection in the manner of auto-editor: level per hop against a threshold in dB.

Only where sound is (above the threshold) is decided here. Margins and the
minimum cut and clip lengths are the plan's business, so changing them does not
re-run the analysis.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

# With no threshold given, it sits this far from the noise floor towards the speech level.
AUTO_THRESHOLD_FRACTION = 0.3
MIN_DYNAMIC_RANGE_DB = 12.0  # below this spread the clip has no dead air worth cutting


@dataclass(frozen=True)
class DeadAir:
    threshold_db: float
    noise_floor_db: float
    speech_level_db: float
    sound: list[tuple[float, float]]  # seconds
    has_dead_air: bool


def detect(levels_db: np.ndarray, hop_s: float, threshold_db: float | None = None) -> DeadAir:
    """Find the spans louder than the threshold; pick the threshold from the clip when none is given."""
    if levels_db.size == 0:
        return DeadAir(threshold_db or -60.0, -120.0, -120.0, [], False)
    floor = float(np.percentile(levels_db, 5))
    speech = float(np.percentile(levels_db, 95))
    has_dead_air = speech - floor >= MIN_DYNAMIC_RANGE_DB
    if threshold_db is None:
        # Without a clear gap between floor and speech, everything counts as sound: cut nothing.
        threshold_db = floor + AUTO_THRESHOLD_FRACTION * (speech - floor) if has_dead_air else floor - 1.0
    loud = levels_db > threshold_db
    return DeadAir(threshold_db, floor, speech, runs_to_spans(loud, hop_s), has_dead_air)


def runs_to_spans(mask: np.ndarray, hop_s: float) -> list[tuple[float, float]]:
    """Runs of True in `mask` as (start, end) seconds."""
    if not mask.any():
        return []
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    return [(round(s * hop_s, 4), round(e * hop_s, 4)) for s, e in zip(starts, ends)]
