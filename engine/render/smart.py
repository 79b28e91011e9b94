"""Fast mode's smart render: copy the source's untouched GOPs, re-encode only around cuts and effects.

A run of plain output frames that starts on a source keyframe is copied as packets,
as much of its GOP as a prefix in decode order covers without a gap (with B-frames a
GOP's display-order prefix is only copyable where no frame in it waits for a later
one). Everything else (the frames after a cut up to the next keyframe, the last
frames of a GOP before a cut, every composited frame) is re-encoded with x264, one
encoder session per run so each run starts on its own IDR frame and references
nothing outside itself.

The re-encoded frames carry their own SPS/PPS under ids the source does not use;
both sets go into the output's avcC (see engine.render.h264). Decode timestamps are
the output decode order minus one constant delay, so they rise across every splice.

Only a source that is H.264 4:2:0 8-bit in MP4/MOV, at a constant rate, with closed
GOPs qualifies; anything else renders the ordinary way.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from ..context import MediaInfo
from .frames import FrameMaker
from .h264 import AvcConfig, parameter_sets, to_length_prefixed, unused_sps_id
from .plan import Step
from .settings import EncodeSettings, copies_source

log = logging.getLogger(__name__)

# x264 profiles by avcC profile_idc: the splices use the source's, so the avcC's profile holds for both.
PROFILES = {66: "baseline", 77: "main", 100: "high"}
ENCODER_DELAY = 2  # frames x264 holds back with B-pyramids (its dts runs this far behind pts)
SLOT_TOLERANCE = 0.01  # of a frame: timestamps further off than this are not on the frame grid
PROGRESS_EVERY = 30


@dataclass(frozen=True)
class Gop:
    first_slot: int  # the keyframe's frame slot
    # Lengths of the decode-order prefixes that show the frames first_slot... with none missing:
    # n packets that are exactly the first n frames, so copying them needs nothing after them.
    prefixes: frozenset[int]
    delay: int  # the most any packet of it is decoded before its display slot, in frames


@dataclass(frozen=True)
class SmartSource:
    path: Path
    rate: Fraction
    start_s: float
    config: AvcConfig
    gops: dict[int, Gop]  # by keyframe slot
    keyframes: list[int]
    delay: int

    def copyable(self, slot: int, frames: int) -> tuple[Gop, int] | None:
        """(gop, frames) of the longest gap-free copy of at most `frames` frames from `slot`."""
        gop = self.gops.get(slot)
        if gop is None:
            return None
        best = max((covered for covered in gop.prefixes if covered <= frames), default=0)
        return (gop, best) if best else None


@dataclass(frozen=True)
class SmartCounts:
    copied: int
    encoded: int


def smart_source(media: MediaInfo, path: Path) -> SmartSource | None:
    """The source's GOP structure when it can be copied from, else None (with the reason logged)."""
    video = media.video
    reason = None
    if video is None or not copies_source(media):
        reason = "the source is not constant-rate, upright, 8-bit 4:2:0 H.264 in MP4/MOV"
    if reason is None:
        try:
            source = _scan(path, video.rate, video.start_s)
        except ValueError as exc:
            reason = str(exc)
        else:
            log.info("smart render: %d GOPs, reorder delay %d", len(source.gops), source.delay)
            return source
    log.info("smart render not possible (%s): every frame is encoded", reason)
    return None


def _scan(path: Path, rate: Fraction, start_s: float) -> SmartSource:
    with av.open(str(path)) as container:
        if container.format.name.split(",")[0] not in ("mov", "mp4"):
            raise ValueError("the source is not an MP4/MOV file")
        stream = container.streams.video[0]
        config = AvcConfig.parse(bytes(stream.codec_context.extradata or b""))
        if config.profile not in PROFILES:
            raise ValueError(f"H.264 profile {config.profile} is not one x264 can match")
        packets = []  # (slot, keyframe) in decode order
        for packet in container.demux(stream):
            if packet.pts is None or packet.size == 0:
                continue
            exact = (float(packet.pts * stream.time_base) - start_s) * rate
            slot = round(exact)
            if abs(exact - slot) > SLOT_TOLERANCE:
                raise ValueError("frame timestamps are off the frame grid")
            packets.append((int(slot), packet.is_keyframe))
    if not packets or not packets[0][1]:
        raise ValueError("the stream does not start on a keyframe")
    starts = [i for i, (_, key) in enumerate(packets) if key] + [len(packets)]
    gops: dict[int, Gop] = {}
    for begin, end in zip(starts, starts[1:]):
        gop = _gop(packets, begin, end)
        if gop is not None:
            gops[gop.first_slot] = gop
    if not gops:
        raise ValueError("no closed GOPs")
    keyframes = sorted(gops)
    return SmartSource(path, rate, start_s, config, gops, keyframes,
                       max(ENCODER_DELAY, max(g.delay for g in gops.values())))


def _gop(packets: list[tuple[int, bool]], begin: int, end: int) -> Gop | None:
    """The GOP of packets [begin, end), or None when it is open (a frame shows before its keyframe)."""
    first = packets[begin][0]
    slots = [slot for slot, _ in packets[begin:end]]
    if min(slots) != first or len(set(slots)) != len(slots):
        return None
    prefixes, highest = set(), -1
    for count, slot in enumerate(slots, start=1):
        highest = max(highest, slot)
        if highest - first + 1 == count:  # the prefix shows slots first..highest with none missing
            prefixes.add(count)
    delay = max(i - (slot - first) for i, slot in enumerate(slots))
    return Gop(first, frozenset(prefixes), delay)


@dataclass(frozen=True)
class _Copy:
    start: int  # output frame
    gop: Gop
    frames: int


@dataclass(frozen=True)
class _Encode:
    start: int
    end: int


def plan_segments(steps: list[Step], source: SmartSource) -> list[_Copy | _Encode]:
    """Copies wherever a run of plain frames starts on a keyframe; re-encoded runs in between."""
    segments: list[_Copy | _Encode] = []
    encode_from = None
    n = 0
    while n < len(steps):
        step = steps[n]
        found = None
        if step.plain and step.source in source.gops:
            run = 1
            while (n + run < len(steps) and steps[n + run].plain
                   and steps[n + run].source == step.source + run):
                run += 1
            found = source.copyable(step.source, run)
        if found is None:
            if encode_from is None:
                encode_from = n
            n += 1
            continue
        if encode_from is not None:
            segments.append(_Encode(encode_from, n))
            encode_from = None
        gop, frames = found
        segments.append(_Copy(n, gop, frames))
        n += frames
    if encode_from is not None:
        segments.append(_Encode(encode_from, len(steps)))
    return segments


class _SpliceEncoder:
    """x264 sessions that all share one SPS/PPS (under an id the source does not use).

    In fast mode splices use x264's quickest preset (a third of veryfast's CPU at 1080p, measured);
    balanced uses its own. The deblocking filter is always on, which keeps splices free of blocks.
    """

    def __init__(self, settings: EncodeSettings, config: AvcConfig) -> None:
        self.settings = settings
        self.options = {"preset": settings.splice_preset, "crf": str(settings.crf),
                        "profile": PROFILES[config.profile],
                        "x264-params": f"sps-id={unused_sps_id(config)}:deblock=0,0"}
        probe = self._session()
        probe.open()
        self.extradata = bytes(probe.extradata)

    def _session(self) -> av.CodecContext:
        context = av.CodecContext.create("libx264", "w")
        context.width, context.height, context.pix_fmt = self.settings.width, self.settings.height, "yuv420p"
        context.time_base = self.settings.time_base
        context.framerate = self.settings.rate
        # Parameter sets go to extradata (for avcC), not into the frames.
        context.flags |= av.codec.context.Flags.global_header
        context.options = dict(self.options)
        context.thread_type = "FRAME"
        return context

    def session(self) -> av.CodecContext:
        context = self._session()
        context.open()
        if bytes(context.extradata) != self.extradata:
            raise RuntimeError("x264 changed its parameter sets between runs")
        return context


def render_smart(steps: list[Step], source: SmartSource, maker: FrameMaker, settings: EncodeSettings,
                 out_path: Path, progress: Callable[[float], None] | None = None) -> SmartCounts:
    """Write the video (MP4, video only) from copied GOPs and re-encoded runs."""
    segments = plan_segments(steps, source)
    encoder = _SpliceEncoder(settings, source.config)
    sps, pps = parameter_sets(encoder.extradata)
    config = source.config.with_sets(sps, pps)
    maker.primary.keyframes = source.keyframes
    copied = encoded = 0
    decode_index = 0  # output decode order: dts = decode_index - delay, rising across every splice
    total = len(steps)
    with av.open(str(source.path)) as inp, av.open(str(out_path), "w", format="mp4") as out:
        in_stream = inp.streams.video[0]
        vout = out.add_stream_from_template(in_stream)
        vout.codec_context.extradata = config.to_bytes()
        vout.time_base = settings.time_base

        def mux(data: bytes, pts: int, keyframe: bool) -> None:
            nonlocal decode_index
            packet = av.Packet(data)
            packet.pts, packet.dts = pts, decode_index - source.delay
            if packet.dts > packet.pts:
                raise RuntimeError(f"frame {pts} would be decoded after it is shown (reorder delay > {source.delay})")
            packet.time_base = settings.time_base
            packet.is_keyframe = keyframe
            packet.stream = vout
            decode_index += 1
            out.mux(packet)

        for segment in segments:
            if isinstance(segment, _Copy):
                _copy(inp, in_stream, source, segment, mux)
                copied += segment.frames
                done = segment.start + segment.frames
            else:
                _encode(encoder.session(), maker, steps, segment, config.length_size, settings.time_base, mux)
                encoded += segment.end - segment.start
                done = segment.end
            if progress:
                progress(done / total)
    log.info("smart render: %d frames copied, %d re-encoded in %d runs", copied, encoded,
             sum(isinstance(s, _Encode) for s in segments))
    return SmartCounts(copied, encoded)


def _copy(inp: av.container.InputContainer, stream, source: SmartSource, segment: _Copy, mux) -> None:
    gop = segment.gop
    target = source.start_s + float(gop.first_slot / source.rate)
    inp.seek(int(round(target / stream.time_base)), stream=stream, backward=True)
    taken = 0
    started = False
    for packet in inp.demux(stream):
        if packet.pts is None or packet.size == 0:
            continue
        slot = round((float(packet.pts * stream.time_base) - source.start_s) * source.rate)
        if not started:
            if not (packet.is_keyframe and slot == gop.first_slot):
                continue
            started = True
        mux(bytes(packet), segment.start + slot - gop.first_slot, packet.is_keyframe)
        taken += 1
        if taken == segment.frames:
            return
    raise RuntimeError(f"source ended inside the GOP at frame {gop.first_slot}")


def _encode(context: av.CodecContext, maker: FrameMaker, steps: list[Step], segment: _Encode, length_size: int,
            time_base: Fraction, mux) -> None:
    def emit(packets) -> None:
        for packet in packets:
            mux(to_length_prefixed(bytes(packet), length_size), packet.pts, packet.is_keyframe)

    for n in range(segment.start, segment.end):
        frame = maker.frame(n, steps[n])
        frame.pts = n
        frame.time_base = time_base
        emit(context.encode(frame))
    emit(context.encode(None))

