"""Cut a signal into (possibly overlapping) frames without copying or padding the whole signal."""
from __future__ import annotations

import numpy as np


def frames(samples: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """(len(starts), length) array of samples[start:start + length]; positions outside the signal are zero."""
    index = starts[:, None] + np.arange(length)[None, :]
    inside = (index >= 0) & (index < samples.size)
    return np.where(inside, samples[np.clip(index, 0, max(samples.size - 1, 0))], 0).astype(np.float32, copy=False)
