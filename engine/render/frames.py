"""Source frames by frame slot at the timeline rate, and the output frame each Step makes from them.

Each output frame is chosen by timestamp ("the latest frame at or before this slot"),
which is exact for constant-rate footage and conforms variable-rate footage to the
timeline's rate. Plain steps hand the decoder's frame on untouched (only scaled when
the output is smaller); the others are composited on numpy planes.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av

from ..media.frames import quarter_turns
from .compose import ColorSpec, Picture, color_spec_of, crossfade, dip, resize, zoom_to
from .h264 import AvcConfig, is_reference
from .overlays import OverlaySpec, OverlayStack
from .plan import Step, Zoom

SEEK_AHEAD_S = 3.0  # skip a gap longer than this by seeking rather than decoding through it


@dataclass
class _Decoded:
    index: int
    frame: av.VideoFrame


class Upright:
    """Turns frames of a stream recorded with a rotation (phones) upright, as FFmpeg's autorotate does:
    `turns` counter-clockwise quarter turns, by FFmpeg's transpose and flip filters."""

    FILTERS = {1: [("transpose", "cclock")], 2: [("hflip", ""), ("vflip", "")], 3: [("transpose", "clock")]}

    def __init__(self, stream: av.video.stream.VideoStream, turns: int) -> None:
        self.graph = av.filter.Graph()
        last = self.graph.add_buffer(template=stream)
        for name, args in self.FILTERS[turns]:
            node = self.graph.add(name, args)
            last.link_to(node)
            last = node
        last.link_to(self.graph.add("buffersink"))
        self.graph.configure()

    def __call__(self, frame: av.VideoFrame) -> av.VideoFrame:
        self.graph.push(frame)
        upright = self.graph.pull()
        upright.pts, upright.time_base = frame.pts, frame.time_base
        return upright


class FrameSource:
    """Frames of a file's first video stream, addressed by slot; reads forward, seeks when it must.
    Frames come out upright when the stream carries a rotation."""

    def __init__(self, path: Path, rate, start_s: float, rotation: int = 0) -> None:
        self.container = av.open(str(path))
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        turns = quarter_turns(rotation)
        self._upright = Upright(self.stream, turns) if turns else None
        self.rate = rate
        self.start_s = start_s
        self.seek_frames = int(SEEK_AHEAD_S * rate)
        # Keyframe slots, when known (smart render): then a jump seeks straight to the keyframe
        # before the wanted frame instead of decoding up to it.
        self.keyframes: list[int] | None = None
        self._nal_length = _nal_length(self.stream)
        self._restart(0, 0)

    def _restart(self, slot: int, wanted: int, margin_s: float = 0.5) -> None:
        if slot > 0:
            target = self.start_s + float(slot / self.rate) - margin_s
            self.container.seek(max(0, int(target / self.stream.time_base)), stream=self.stream)
        else:
            self.container.seek(0)
        self._decoder = self._decode(wanted)
        self.prev: _Decoded | None = None
        self.ahead: _Decoded | None = self._next()

    def _decode(self, wanted: int) -> Iterator[av.VideoFrame]:
        """Frames from the seek point on; before `wanted`, H.264 pictures nothing refers to are not decoded."""
        time_base = self.stream.time_base
        for packet in self.container.demux(self.stream):
            if (self._nal_length and packet.size and packet.pts is not None
                    and (float(packet.pts * time_base) - self.start_s) * self.rate < wanted - 0.5
                    and not is_reference(bytes(packet), self._nal_length)):
                continue
            for frame in packet.decode():
                if frame.pts is not None:
                    yield frame

    def _next(self) -> _Decoded | None:
        frame = next(self._decoder, None)
        if frame is None:
            return None
        index = round((frame.time - self.start_s) * self.rate)
        return _Decoded(index, self._upright(frame) if self._upright else frame)

    def get(self, slot: int) -> av.VideoFrame:
        position = self.prev.index if self.prev else (self.ahead.index if self.ahead else 0)
        if self.keyframes:
            key = self.keyframes[max(0, bisect.bisect_right(self.keyframes, slot) - 1)]
            if slot < position or key > position:
                self._restart(key, slot, margin_s=-0.5 / float(self.rate))  # lands on that keyframe itself
        elif slot < position or slot > position + self.seek_frames:
            self._restart(slot, slot)
        while self.ahead is not None and self.ahead.index <= slot:
            self.prev, self.ahead = self.ahead, self._next()
        chosen = self.prev or self.ahead  # before the first frame, hold the first one
        if chosen is None:
            raise RuntimeError("video stream has no frames")
        return chosen.frame

    def close(self) -> None:
        self.container.close()


def _nal_length(stream: av.video.stream.VideoStream) -> int | None:
    """NAL length size of H.264 in MP4 (avcC); None for anything else, which is decoded whole."""
    if stream.codec_context.name != "h264":
        return None
    try:
        return AvcConfig.parse(bytes(stream.codec_context.extradata or b"")).length_size
    except ValueError:
        return None


class FrameMaker:
    """Output frames at the output size, yuv420p, from Steps."""

    def __init__(self, source: Path, start_s: float, rate, width: int, height: int,
                 overlays: list[OverlaySpec], rotation: int = 0) -> None:
        self.source_path, self.start_s, self.rate, self.rotation = source, start_s, rate, rotation
        self.width, self.height = width, height
        self.primary = FrameSource(source, rate, start_s, rotation)
        self._secondary: FrameSource | None = None  # a second decoder for the other side of crossfades
        self._overlay_specs = overlays
        self._overlays: OverlayStack | None = None
        self.color: ColorSpec = color_spec_of(self.primary.get(0))
        self._last_zoom: Zoom | None = None
        self.composited = 0

    def frame(self, n: int, step: Step) -> av.VideoFrame:
        if step.plain:
            return conform(self.primary.get(step.source), self.width, self.height)
        self.composited += 1
        picture = self._base(step)
        if step.zoom is not None:
            picture = zoom_to(picture, step.zoom, self.width, self.height, moving=step.zoom != self._last_zoom)
            self._last_zoom = step.zoom
        else:
            picture = resize(picture, self.width, self.height)
        if step.layers:
            for image in self._overlay_stack().images(n, step.layers):
                image.draw_on(picture)
        frame = picture.to_frame()
        frame.pict_type = av.video.frame.PictureType.NONE
        return frame

    def _base(self, step: Step) -> Picture:
        if step.source is None:
            return Picture.blank(self.width, self.height, self.color.black)
        picture = Picture.from_frame(self.primary.get(step.source))
        blend = step.blend
        if blend is not None and blend.kind == "crossfade" and blend.other is not None:
            other = Picture.from_frame(self._other_source().get(blend.other))
            picture = crossfade(picture, other, blend.weight)
        elif blend is not None:
            picture = dip(picture, self.color.black if blend.kind == "dip_to_black" else self.color.white, blend.weight)
        return picture

    def _other_source(self) -> FrameSource:
        if self._secondary is None:
            self._secondary = FrameSource(self.source_path, self.rate, self.start_s, self.rotation)
        return self._secondary

    def _overlay_stack(self) -> OverlayStack:
        if self._overlays is None:
            self._overlays = OverlayStack(self._overlay_specs, self.color)
        return self._overlays

    def close(self) -> None:
        if self._overlays is not None:
            self._overlays.close()
        if self._secondary is not None:
            self._secondary.close()
        self.primary.close()


def conform(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    """The frame at the output size and pixel format (the frame itself when it already is)."""
    if frame.width != width or frame.height != height or frame.format.name != "yuv420p":
        frame = frame.reformat(width=width, height=height, format="yuv420p", interpolation="BICUBIC")
    # Clear the decoder's picture type, or the encoder would force a keyframe wherever the source had one.
    frame.pict_type = av.video.frame.PictureType.NONE
    return frame
