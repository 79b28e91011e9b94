"""Awkward inputs made at test time from the bundled sample (PyAV only): each a real file a user might have."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from conftest import SAMPLE


def clip_of_sample(out: Path, seconds: float, video: bool = True, audio: bool = True, silent: bool = False,
                   size: tuple[int, int] | None = None, vfr: bool = False, container: str = "mp4") -> Path:
    """The first `seconds` of the sample re-encoded: with or without each stream, silenced, resized
    (portrait, odd sizes, 4K) or with a variable frame rate (frames dropped at irregular steps)."""
    with av.open(str(SAMPLE)) as src, av.open(str(out), "w", format=container) as dst:
        vin, ain = src.streams.video[0], src.streams.audio[0]
        vout = aout = None
        if video:
            vout = dst.add_stream("libx264", rate=30)
            vout.width, vout.height = size or (vin.codec_context.width, vin.codec_context.height)
            # x264's 4:2:0 needs even sizes; an odd-sized source (853x479 exists in the wild) is 4:4:4.
            vout.pix_fmt = "yuv420p" if vout.width % 2 == 0 and vout.height % 2 == 0 else "yuv444p"
            vout.options = {"preset": "ultrafast", "crf": "28"}
            vout.codec_context.time_base = Fraction(1, 30000) if vfr else Fraction(1, 30)
        if audio:
            aout = dst.add_stream("aac", rate=48000)
            aout.layout = "stereo"
        rng = np.random.default_rng(3)
        count = 0
        for frame in src.decode(vin, ain):
            if frame.time is not None and frame.time >= seconds:
                continue
            if isinstance(frame, av.VideoFrame) and vout is not None:
                if vfr and rng.random() < 0.3:
                    continue  # dropped: the next frame lasts longer
                image = frame.reformat(width=vout.width, height=vout.height, format=vout.pix_fmt)
                image.pts = int(round(frame.time * 30000)) if vfr else count
                image.time_base = vout.codec_context.time_base
                count += 1
                for packet in vout.encode(image):
                    dst.mux(packet)
            elif isinstance(frame, av.AudioFrame) and aout is not None:
                if silent:
                    data = np.zeros_like(frame.to_ndarray())
                    silent_frame = av.AudioFrame.from_ndarray(data, format=frame.format.name, layout=frame.layout.name)
                    silent_frame.sample_rate, silent_frame.pts, silent_frame.time_base = \
                        frame.sample_rate, frame.pts, frame.time_base
                    frame = silent_frame
                for packet in aout.encode(frame):
                    dst.mux(packet)
        for stream in (vout, aout):
            if stream is not None:
                for packet in stream.encode(None):
                    dst.mux(packet)
    return out


def single_frame(out: Path) -> Path:
    with av.open(str(out), "w", format="mp4") as dst:
        stream = dst.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.full((360, 640, 3), 90, np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return out
