"""Visual analysis of a video: one pass over sparse, small frames, then a closer look where it matters.

The pass measures each sample (sharpness, tone, motion, faces) and notes pairs of samples that differ like a
cut; afterwards only the spans around those pairs are decoded again, to confirm each cut and place it. The
per-sample facts then give the exposure ranges and the thumbnail candidates. Memory stays flat whatever
the length: a sample is measured and dropped.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ..context import FrameStats, VideoInfo, VisualAnalysis
from ..media.frames import Sample, analysis_size, decode_span, luma, sample_frames
from . import exposure, shots, thumbnails
from .faces import Box, FaceDetector, FaceTracker

log = logging.getLogger(__name__)

ANALYSIS_WIDTH = 384
SAMPLING_SHARE = 0.85  # of the progress bar

Progress = Callable[[float, str], None]


def analyse(path: Path, video: VideoInfo, duration_s: float, fps: float, progress: Progress) -> VisualAnalysis:
    """`duration_s`: the media's duration (MediaInfo.duration_s), where the last exposure range may end."""
    size = analysis_size(video, ANALYSIS_WIDTH)
    detector = FaceDetector()
    tracker = FaceTracker(detector)
    stats: list[FrameStats] = []
    facts: list[thumbnails.SampleFacts] = []
    kinds: list[exposure.ExposureKind | None] = []
    pairs: list[tuple[float, float, np.ndarray]] = []  # samples that differ like a cut: times, later signature
    previous: np.ndarray | None = None
    previous_t = 0.0

    for sample in sample_frames(path, video, fps, size):
        sig = shots.signature(sample.gray)
        moved = shots.change(previous, sig) if previous is not None else 0.0
        if moved >= shots.CUT_THRESHOLD:
            pairs.append((previous_t, sample.t, sig))
        faces = tracker.faces(sample.t, sample.gray, sig)
        eyes = detector.eyes_open(luma(sample, video.rotation), faces[0]) if faces else None
        tone = exposure.measure(sample.gray)
        kind = exposure.classify(tone)
        stat = _frame_stats(sample, tone, moved, faces)
        stats.append(stat)
        kinds.append(kind)
        facts.append(thumbnails.SampleFacts(t=stat.t, sharpness=stat.sharpness, motion=stat.motion,
                                            face=faces[0] if faces else None, eyes_open=eyes, exposure=kind))
        previous, previous_t = sig, sample.t
        progress(SAMPLING_SHARE * min(1.0, sample.t / duration_s), "sampling frames")

    # Containers disagree on durations (MPEG-TS, WebM): the video lasts at least until its last sample.
    end = max(duration_s, stats[-1].t + 1 / float(video.rate)) if stats else duration_s
    cuts = _confirm_cuts(path, video, pairs, size, progress)
    times = [s.t for s in stats]
    log.info("visual: %d samples, %d cut candidates, %d cuts", len(stats), len(pairs), len(cuts))
    return VisualAnalysis(
        # The rate actually sampled: with keyframes standing in for frames it can differ from the one asked.
        sample_fps=round(len(stats) / end, 3),
        width=size[0],
        height=size[1],
        shot_changes=cuts,
        frames=stats,
        exposure_issues=exposure.issue_ranges(times, kinds, cuts, end),
        thumbnail_candidates=thumbnails.rank(facts, cuts, end),
    )


def _frame_stats(sample: Sample, tone: exposure.Tone, moved: float, faces: list[Box]) -> FrameStats:
    return FrameStats(
        t=round(sample.t, 3),
        sharpness=round(float(cv2.Laplacian(sample.gray, cv2.CV_64F).var()), 2),
        brightness=round(tone.mean, 2),
        contrast=round(tone.std, 2),
        motion=round(moved * 255.0, 3),
        faces=len(faces),
        face_area=round(faces[0][2] * faces[0][3], 5) if faces else 0.0,
    )


def _confirm_cuts(path: Path, video: VideoInfo, pairs: list[tuple[float, float, np.ndarray]],
                  size: tuple[int, int], progress: Progress) -> list[float]:
    steps: list[tuple[float, float]] = []
    for i, (before, after, sig) in enumerate(pairs):
        steps.extend(shots.steps_over_threshold(decode_span(path, video, before, after, size), sig))
        progress(SAMPLING_SHARE + (1 - SAMPLING_SHARE) * (i + 1) / len(pairs), "placing shot changes")
    return shots.merge_close(steps)
