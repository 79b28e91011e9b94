"""Write an RGBA QuickTime clip (PNG codec) from the frames Blender rendered.

A PNG-codec packet is a whole PNG file. Each distinct rendered frame becomes one
packet (as it is when Blender rendered it at the clip's size; scaled down with area
averaging and re-encoded when it was supersampled), and that packet is muxed for
every output frame that shows it: holding a card for ten seconds costs bytes on
disk, not encoding time.
"""
from __future__ import annotations

import os
import struct
from fractions import Fraction
from pathlib import Path

import av

from ..errors import StageFailed

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGBA_8 = (8, 6)  # IHDR bit depth and colour type of 8-bit RGBA


def _png_header(data: bytes, path: Path) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) of a PNG file's bytes."""
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise StageFailed(f"{path}: not a PNG file")
    return struct.unpack(">IIBB", data[16:26])


def _packet_bytes(path: Path, width: int, height: int) -> bytes:
    data = path.read_bytes()
    w, h, depth, colour = _png_header(data, path)
    if (w, h) == (width, height) and (depth, colour) == _RGBA_8:
        return data
    if w < width or h < height:
        raise StageFailed(f"{path}: {w}x{h}, smaller than the clip ({width}x{height})")
    with av.open(str(path)) as image:
        frame = next(image.decode(video=0))
    scaled = frame.reformat(width=width, height=height, format="rgba", interpolation="AREA")
    encoder = av.CodecContext.create("png", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "rgba"
    encoder.time_base = Fraction(1, 1)
    # Flat graphics compress well without prediction; this was 4x faster than the defaults, and no bigger.
    encoder.options = {"compression_level": "1", "pred": "none"}
    packets = encoder.encode(scaled) + encoder.encode(None)
    return b"".join(bytes(p) for p in packets)


def write_clip(frames: list[Path], frame_map: tuple[int, ...] | list[int], rate: Fraction, width: int, height: int,
               out: Path) -> None:
    """out gets len(frame_map) frames at `rate`; frame i shows the PNG frames[frame_map[i]]."""
    packets = [_packet_bytes(path, width, height) for path in frames]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")
    time_base = 1 / rate
    with av.open(str(partial), "w", format="mov") as container:
        stream = container.add_stream("png", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "rgba"
        stream.time_base = time_base
        for index, source in enumerate(frame_map):
            packet = av.Packet(packets[source])
            packet.stream = stream
            packet.time_base = time_base
            packet.pts = packet.dts = index
            packet.duration = 1
            packet.is_keyframe = True
            container.mux(packet)
    os.replace(partial, out)
