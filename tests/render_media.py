"""Test media for the renderer, made at test time: a numbered test pattern with sync bursts in its audio.

Video: each frame carries its own index as a 12-bit barcode along the top (readable
after lossy coding) and as large digits; H.264 with B-frames and a 1 s closed GOP,
like camera and screen-recorder footage. Audio: a quiet continuous 440 Hz tone (so
any unfaded cut would jump) plus a short 2 kHz burst centred on every tenth frame, so
where a burst lands in the edit says exactly where audio sits against the video.
"""
from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import cv2
import imageio_ffmpeg
import numpy as np

WIDTH, HEIGHT, FPS, SR = 320, 240, 30, 48000
BITS = 12
BAR_X0, BAR_Y, BAR_W, BAR_H, BAR_STEP = 8, 6, 18, 14, 25
TONE_HZ, TONE_AMP = 440.0, 0.05
BURST_HZ, BURST_AMP, BURST_SIGMA_S = 2000.0, 0.5, 0.002
BURST_EVERY = 10  # frames


def pattern_frame(index: int) -> np.ndarray:
    """RGB frame `index`: a gradient, shapes that move, the barcode, the number."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    image[..., 0] = (x * 200 // WIDTH + 30).astype(np.uint8)
    image[..., 1] = (y * 160 // HEIGHT + 40).astype(np.uint8)
    image[..., 2] = 90
    cx = 40 + (index * 3) % (WIDTH - 80)
    cv2.circle(image, (cx, 170), 22, (250, 250, 60), -1)
    cv2.rectangle(image, (120, 60), (200, 130), (20, 20, 20), 2)
    cv2.putText(image, f"{index:04d}", (70, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (255, 255, 255), 4)
    for bit in range(BITS):
        on = (index >> bit) & 1
        x0 = BAR_X0 + bit * BAR_STEP
        image[BAR_Y:BAR_Y + BAR_H, x0:x0 + BAR_W] = 255 if on else 0
    return image


def read_number(gray: np.ndarray) -> int:
    """The frame index from a decoded frame's barcode (gray, at the pattern's size)."""
    value = 0
    for bit in range(BITS):
        x0 = BAR_X0 + bit * BAR_STEP
        cell = gray[BAR_Y + 3:BAR_Y + BAR_H - 3, x0 + 4:x0 + BAR_W - 4]
        if cell.mean() > 128:
            value |= 1 << bit
    return value


def pattern_audio(frames: int) -> np.ndarray:
    """(2, n) float32: the tone everywhere, a burst centred in every BURST_EVERY-th frame."""
    n = frames * SR // FPS
    t = np.arange(n) / SR
    audio = TONE_AMP * np.sin(2 * np.pi * TONE_HZ * t)
    for frame in range(0, frames, BURST_EVERY):
        centre = (frame + 0.5) / FPS
        lo, hi = int((centre - 5 * BURST_SIGMA_S) * SR), int((centre + 5 * BURST_SIGMA_S) * SR)
        tt = t[lo:hi] - centre
        audio[lo:hi] += BURST_AMP * np.exp(-0.5 * (tt / BURST_SIGMA_S) ** 2) * np.sin(2 * np.pi * BURST_HZ * tt)
    return np.stack([audio, audio]).astype(np.float32)


def make_pattern_clip(path: Path, frames: int) -> None:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "16", "x264-params": "keyint=30:min-keyint=30:scenecut=0"}
        audio = out.add_stream("aac", rate=SR)
        audio.layout = "stereo"
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(pattern_frame(index), format="rgb24")
            frame.pts = index
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        samples = pattern_audio(frames)
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]), format="fltp",
                                               layout="stereo")
            frame.sample_rate = SR
            frame.pts = start
            frame.time_base = Fraction(1, SR)
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)


def make_rgba_asset(path: Path, frames: int, rgba: tuple[int, int, int, int]) -> None:
    """A flat-colour RGBA QuickTime clip with the PNG codec, as the Blender side writes B-roll."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mov") as out:
        stream = out.add_stream("png", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "rgba"
        image = np.empty((90, 160, 4), np.uint8)
        image[...] = rgba
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(image, format="rgba")
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def decode_gray(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def decode_audio(path: Path) -> np.ndarray:
    """(channels, n) float32 at the file's rate, from its first sample."""
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SR)
        chunks = []
        for frame in container.decode(audio=0):
            chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
        chunks.extend(f.to_ndarray() for f in resampler.resample(None))
    return np.concatenate(chunks, axis=1)


def burst_centres(audio: np.ndarray) -> list[float]:
    """Seconds of every burst: energy centroids of the runs where the envelope stands well above the tone."""
    mono = np.abs(audio.mean(axis=0))
    window = SR // 1000
    envelope = np.convolve(mono, np.ones(window) / window, mode="same")
    above = envelope > 0.35 * envelope.max()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], above.astype(np.int8), [0]])))
    runs: list[list[int]] = []
    for lo, hi in zip(edges[0::2].tolist(), edges[1::2].tolist()):
        if runs and lo - runs[-1][1] < SR // 50:  # a limiter can notch a burst's top: one burst, not two
            runs[-1][1] = hi
        else:
            runs.append([lo, hi])
    centres = []
    for lo, hi in runs:
        weights = envelope[lo:hi] ** 2
        centres.append(float((np.arange(lo, hi) * weights).sum() / weights.sum() / SR))
    return centres


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's audio by FFmpeg's own meter, run apart."""
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map",
                           "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


def ffmpeg_decode_errors(path: Path) -> str:
    """What FFmpeg reports while decoding every frame of every stream: empty for a clean file."""
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "null", "-"],
                          capture_output=True, text=True)
    return proc.stderr.strip()
