"""Faces with the Haar cascades that OpenCV 4.x ships (cv2.data.haarcascades; nothing to download).

Frontal faces are searched in the small analysis frame, no smaller than MIN_FACE of its height: smaller
faces do not carry a thumbnail, and leaving out the small scales is much of the speed (about 20 ms a 384 px
frame with a face in it). The `alt2` cascade is used: on the test face the default one often added a second,
offset box. Whether the eyes are open is asked of the eye cascade on a close-up of the face cut from the
full-size frame: it finds open eyes and, as a rule, not closed ones.

A whole-frame search is the costliest step of the visual analysis, so `FaceTracker` avoids most of them:
a face seen in one sample is looked for again near where it was (about 2 ms), and a frame that has not
changed since a search that found nothing is not searched again.
"""
from __future__ import annotations

import cv2
import numpy as np

from .shots import change

Box = tuple[float, float, float, float]  # x, y, w, h as fractions of the frame

MIN_FACE = 0.1  # of the frame height
SCALE_STEP = 1.2
MIN_NEIGHBOURS = 5  # detections that must agree
EYE_CROP_WIDTH = 96  # px the face close-up is scaled to for the eye cascade
MIN_FACE_PX = 48  # a face narrower than this in the source is too small to tell open eyes from closed

TRACK_MARGIN = 0.5  # of a face's size: how far around where it was it is looked for in the next sample
TRACK_SIZES = (0.7, 1.4)  # the sizes, relative to the last, it may have then
# Tracking holds while the frame differs from the last whole-frame search by less than TRACK_BELOW
# (mean luma change, 0-1), and for at most FULL_SEARCH_EVERY_S: a face that appears elsewhere is found then.
TRACK_BELOW = 0.05
FULL_SEARCH_EVERY_S = 10.0
# A frame this close to one where a whole-frame search found no face shows none either (slides, empty stages).
SAME_FRAME = 0.006


class FaceDetector:
    def __init__(self) -> None:
        self._faces = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_alt2.xml")
        self._eyes = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_eye.xml")
        if self._faces.empty() or self._eyes.empty():
            raise RuntimeError(f"OpenCV's Haar cascades are missing from {cv2.data.haarcascades}")

    def find(self, gray: np.ndarray) -> list[Box]:
        """Frontal faces in an upright grey frame, largest first."""
        h, w = gray.shape
        smallest = max(24, int(MIN_FACE * h))  # 24 px: the cascade's own window
        found = self._faces.detectMultiScale(gray, SCALE_STEP, MIN_NEIGHBOURS, minSize=(smallest, smallest))
        return _distinct([(x / w, y / h, bw / w, bh / h) for x, y, bw, bh in _rows(found)])

    def refind(self, gray: np.ndarray, faces: list[Box]) -> list[Box]:
        """Each of `faces` looked for again near where it was, at about its size; those found, largest first."""
        h, w = gray.shape
        found: list[Box] = []
        for box in faces:
            side = box[3] * h
            x0 = max(0, int(box[0] * w - TRACK_MARGIN * side))
            y0 = max(0, int(box[1] * h - TRACK_MARGIN * side))
            x1 = min(w, int((box[0] + box[2]) * w + TRACK_MARGIN * side))
            y1 = min(h, int((box[1] + box[3]) * h + TRACK_MARGIN * side))
            smallest = max(24, int(TRACK_SIZES[0] * side))
            largest = max(smallest, int(TRACK_SIZES[1] * side) + 1)
            hits = _rows(self._faces.detectMultiScale(gray[y0:y1, x0:x1], SCALE_STEP, MIN_NEIGHBOURS,
                                                      minSize=(smallest, smallest), maxSize=(largest, largest)))
            if hits:
                x, y, bw, bh = max(hits, key=lambda r: r[2] * r[3])
                found.append(((x0 + x) / w, (y0 + y) / h, bw / w, bh / h))
        return _distinct(found)

    def eyes_open(self, luma: np.ndarray, box: Box) -> bool | None:
        """Whether an eye shows in the upper part of the face; None when the face is too small to tell."""
        h, w = luma.shape
        x0, x1 = int(box[0] * w), int((box[0] + box[2]) * w)
        y0, y1 = int((box[1] + 0.15 * box[3]) * h), int((box[1] + 0.6 * box[3]) * h)
        if x1 - x0 < MIN_FACE_PX or y1 <= y0:
            return None
        crop = np.ascontiguousarray(luma[y0:y1, x0:x1])
        height = max(1, round(EYE_CROP_WIDTH * crop.shape[0] / crop.shape[1]))
        crop = cv2.resize(crop, (EYE_CROP_WIDTH, height), interpolation=cv2.INTER_AREA)
        eyes = self._eyes.detectMultiScale(crop, 1.1, 3, minSize=(EYE_CROP_WIDTH // 8, EYE_CROP_WIDTH // 8))
        return len(eyes) > 0


class FaceTracker:
    """The faces of one sample after another, with as few whole-frame searches as will do."""

    def __init__(self, detector: FaceDetector) -> None:
        self.detector = detector
        self._faces: list[Box] = []
        self._searched: np.ndarray | None = None  # signature (see shots.signature) at the last whole-frame search
        self._searched_t = -np.inf

    def faces(self, t: float, gray: np.ndarray, signature: np.ndarray) -> list[Box]:
        if self._searched is not None and t - self._searched_t < FULL_SEARCH_EVERY_S:
            drift = change(self._searched, signature)
            if not self._faces and drift < SAME_FRAME:
                return []
            if self._faces and drift < TRACK_BELOW:
                found = self.detector.refind(gray, self._faces)
                if len(found) == len(self._faces):
                    self._faces = found
                    return found
        self._faces = self.detector.find(gray)
        self._searched, self._searched_t = signature, t
        return self._faces


def _rows(found: np.ndarray | tuple) -> list[list[int]]:
    """detectMultiScale's answer (an empty tuple when nothing is found) as rows of x, y, w, h."""
    return np.asarray(found).reshape(-1, 4).tolist()


def _distinct(boxes: list[Box]) -> list[Box]:
    """Largest first, without boxes centred inside a larger one (a second box on the same face)."""
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: b[2] * b[3], reverse=True):
        if not any(_centre_inside(box, larger) for larger in kept):
            kept.append(box)
    return kept


def _centre_inside(box: Box, other: Box) -> bool:
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return other[0] <= cx <= other[0] + other[2] and other[1] <= cy <= other[1] + other[3]
