"""The H.264 encoder: NVENC when an NVIDIA GPU answers, x264 otherwise.

A hardware encoder is used only after it has opened and encoded a frame on this
machine, so a missing GPU, driver or FFmpeg build falls back to x264 with a log
line, never an error. VAAPI is not offered: the FFmpeg inside PyAV's wheels is built
without it (`h264_vaapi` is not among `av.codecs_available`), and VAAPI encoding
needs hardware frames that PyAV's filter graphs cannot upload.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from fractions import Fraction

import av

log = logging.getLogger(__name__)

# NVENC presets p1 (fastest) to p7 (best) for our quality modes, by x264 preset.
NVENC_PRESETS = {"ultrafast": "p1", "superfast": "p2", "veryfast": "p3", "faster": "p4", "fast": "p4",
                 "medium": "p5", "slow": "p6", "slower": "p7"}
# Constant-quality values of NVENC look like x264's CRF a little higher.
NVENC_CQ_OFFSET = 2


@dataclass(frozen=True)
class VideoEncoder:
    codec: str
    options: dict[str, str] = field(default_factory=dict)
    frame_threads: bool = False  # x264 runs frame threads far better than PyAV's default slice threads

    @property
    def hardware(self) -> bool:
        return self.codec != "libx264"


def x264(preset: str, crf: int) -> VideoEncoder:
    return VideoEncoder("libx264", {"preset": preset, "crf": str(crf)}, frame_threads=True)


def nvenc(preset: str, crf: int) -> VideoEncoder:
    return VideoEncoder("h264_nvenc", {"preset": NVENC_PRESETS.get(preset, "p4"), "rc": "vbr",
                                       "cq": str(crf + NVENC_CQ_OFFSET), "b": "0"})


def choose_encoder(requested: str, preset: str, crf: int, width: int, height: int) -> VideoEncoder:
    """auto: NVENC if it opens here, else x264; nvenc: the same, with a warning when it falls back."""
    if requested in ("auto", "nvenc"):
        candidate = nvenc(preset, crf)
        if encoder_works(candidate.codec, width, height):
            log.info("encoder: %s (hardware)", candidate.codec)
            return candidate
        (log.warning if requested == "nvenc" else log.info)(
            "encoder: h264_nvenc is not usable on this machine; using x264")
    return x264(preset, crf)


@functools.cache
def encoder_works(codec: str, width: int, height: int) -> bool:
    """Open the encoder and encode one frame at the output size; any failure means no."""
    if codec not in av.codecs_available:
        return False
    try:
        context = av.CodecContext.create(codec, "w")
        context.width, context.height, context.pix_fmt = width, height, "yuv420p"
        context.time_base = Fraction(1, 30)
        context.framerate = Fraction(30)
        frame = av.VideoFrame(width, height, "yuv420p")
        frame.pts = 0
        packets = list(context.encode(frame)) + list(context.encode(None))
        return bool(packets)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        log.debug("%s does not open: %s", codec, exc)
        return False
