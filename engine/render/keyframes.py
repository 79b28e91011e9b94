"""Evaluate a keyframed value at a timeline frame (ease, linear, hold), the way Blender's F-curves do."""
from __future__ import annotations

from collections.abc import Sequence

from ..timeline import Keyframe


def smoothstep(t: float) -> float:
    """Cubic ease in and out: zero slope at both ends, so a zoom starts and lands without a jolt."""
    return t * t * (3.0 - 2.0 * t)


def value_at(keys: Sequence[Keyframe], frame: float) -> float:
    """The value at `frame`; before the first key it holds the first value, after the last the last."""
    if not keys:
        raise ValueError("no keyframes")
    if frame <= keys[0].frame:
        return keys[0].value
    for key, following in zip(keys, keys[1:]):
        if frame < following.frame:
            t = (frame - key.frame) / (following.frame - key.frame)
            if key.interpolation == "hold":
                return key.value
            if key.interpolation == "ease":
                t = smoothstep(t)
            return key.value + (following.value - key.value) * t
    return keys[-1].value
