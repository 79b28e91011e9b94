"""Thumbnail candidates: the sampled frames worth a thumbnail, ranked, spread over the video, with reasons.

A frame scores for sharpness (against the best of its own shot, so a blurred or motion-smeared moment
loses to the rest of the shot, and against the whole video), stillness, good exposure and, where the video
shows faces at all, a large face with open eyes. Frames within CUT_GUARD_S of a shot change or of either
end are left out: they may hold half a transition or a fade.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from ..context import ThumbnailCandidate
from .faces import Box

MAX_CANDIDATES = 24
MIN_GAP_S = 2.0  # candidates lie at least this far apart (more in long videos: see `rank`)
MIN_SHARE_OF_BEST = 0.5  # a frame scoring less than this share of the best is no thumbnail
CUT_GUARD_S = 0.5
LARGE_FACE = 0.3  # face height as a fraction of the frame height that counts as fully large
MOTION_FULL = 20.0  # mean luma change between samples (0-255) that counts as fully moving
MIN_FACE_SAMPLES = 2  # a video "has faces" when at least this many samples show one
CLOSED_EYES_FACTOR = 0.6


@dataclass(frozen=True)
class SampleFacts:
    """What the ranking knows of one sampled frame."""

    t: float
    sharpness: float
    motion: float  # 0-255
    face: Box | None  # the largest face
    eyes_open: bool | None  # None: no face, or too small to tell
    exposure: str | None  # the exposure problem, if any


def rank(facts: list[SampleFacts], cuts: list[float], end: float,
         count: int = MAX_CANDIDATES) -> list[ThumbnailCandidate]:
    if not facts:
        return []
    has_faces = sum(f.face is not None for f in facts) >= MIN_FACE_SAMPLES
    shots = [bisect_right(cuts, f.t) for f in facts]
    video_best = _reference([f.sharpness for f in facts])
    shot_best = {s: _reference([f.sharpness for f, fs in zip(facts, shots) if fs == s]) for s in set(shots)}

    scored: list[tuple[float, SampleFacts, list[str]]] = []
    for i, (f, shot) in enumerate(zip(facts, shots)):
        if not _eligible(f.t, cuts, end):
            continue
        score, reasons = _score(f, _motion_in_shot(facts, shots, i), shot_best[shot], video_best, has_faces)
        scored.append((score, f, reasons))

    # Best first, each far enough from those already taken, so the candidates cover the video.
    scored.sort(key=lambda item: -item[0])
    gap = max(MIN_GAP_S, end / (2 * count))
    chosen: list[ThumbnailCandidate] = []
    for score, f, reasons in scored:
        if len(chosen) == count or score < MIN_SHARE_OF_BEST * scored[0][0]:
            break
        if all(abs(f.t - c.t) >= gap for c in chosen):
            box = tuple(round(v, 4) for v in f.face) if f.face and has_faces else None
            chosen.append(ThumbnailCandidate(t=round(f.t, 3), score=round(score, 3), reasons=reasons, face_box=box))
    return chosen


def _reference(values: list[float]) -> float:
    """The sharpness that counts as fully sharp: the 90th percentile, so one noisy frame does not set it."""
    return max(float(np.percentile(values, 90)), 1e-6)


def _motion_in_shot(facts: list[SampleFacts], shots: list[int], i: int) -> float:
    """A sample's motion within its shot: the first sample of a shot measured the cut, so its successor's counts."""
    if i > 0 and shots[i - 1] == shots[i]:
        return facts[i].motion
    if i + 1 < len(facts) and shots[i + 1] == shots[i]:
        return facts[i + 1].motion
    return 0.0


def _eligible(t: float, cuts: list[float], end: float) -> bool:
    if t < CUT_GUARD_S or t > end - CUT_GUARD_S:
        return False
    return all(abs(t - c) >= CUT_GUARD_S for c in cuts)


def _score(f: SampleFacts, motion: float, shot_best: float, video_best: float,
           has_faces: bool) -> tuple[float, list[str]]:
    in_shot = min(1.0, f.sharpness / shot_best)
    sharp = 0.7 * in_shot + 0.3 * min(1.0, f.sharpness / video_best)
    still = max(0.0, 1.0 - motion / MOTION_FULL)
    exposed = 0.0 if f.exposure else 1.0
    reasons = ["sharp" if in_shot >= 0.8 else f"softer than the rest of its shot ({in_shot:.0%})"]
    reasons.append("still" if still >= 0.8 else "movement")
    reasons.append(f"{f.exposure.replace('_', ' ')} exposure" if f.exposure else "well exposed")
    if not has_faces:
        return 0.7 * sharp + 0.15 * still + 0.15 * exposed, reasons
    if f.face is None:
        reasons.insert(0, "no face in view")
        face = 0.0
    else:
        face = min(1.0, f.face[3] / LARGE_FACE)
        reasons.insert(0, f"face {f.face[3]:.0%} of the frame height")
    score = 0.45 * face + 0.35 * sharp + 0.1 * still + 0.1 * exposed
    if f.eyes_open is True:
        reasons.insert(1, "eyes open")
    elif f.eyes_open is False:
        reasons.insert(1, "eyes may be closed")
        score *= CLOSED_EYES_FACTOR
    return score, reasons
