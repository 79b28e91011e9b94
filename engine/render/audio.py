"""The edited audio: each clip's samples at its exact place, with a fade or a crossfade at every cut.

Audio is cheap next to video (decoding runs at hundreds of times realtime), so it is
produced in its own passes (see engine.render.mix) and encoded to a temporary AAC
file that the video pass interleaves. Each clip is anchored at the output sample of
its first frame and reads exactly the samples of its frames, so audio and video stay
in sync however many cuts there are.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from ..timeline import Clip, Track, Transition
from .settings import AUDIO_FADE_S

log = logging.getLogger(__name__)

SEEK_AHEAD_S = 5.0  # a gap longer than this is skipped by seeking instead of decoding through it
BLOCK_S = 1.0  # the edited audio is made in blocks of this length


class AudioReader:
    """Random access to the resampled audio by sample index of source time (zero = first video frame)."""

    def __init__(self, container: av.container.InputContainer, sample_rate: int, layout: str, offset_s: float):
        self.container = container
        self.stream = container.streams.audio[0]
        self.stream.thread_type = "AUTO"
        self.rate = sample_rate
        self.layout = layout
        self.channels = 1 if layout == "mono" else 2
        self.offset_s = offset_s  # where the audio stream starts, in source time
        self._restart(0)

    def _restart(self, sample: int) -> None:
        target_s = max(0.0, sample / self.rate - 1.0)
        if target_s > 0:
            self.container.seek(int((target_s + self.offset_s) / self.stream.time_base), stream=self.stream)
        else:
            self.container.seek(0)
        self._frames = self._decode()
        self._buf = np.zeros((self.channels, 0), np.float32)
        self._buf_start = None  # sample index of _buf[:, 0]
        self._ended = False

    def _decode(self):
        resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=self.rate)
        for frame in self.container.decode(self.stream):
            if frame.pts is None:
                continue
            start = round((float(frame.pts * frame.time_base) - self.offset_s) * self.rate)
            for out in resampler.resample(frame):
                data = out.to_ndarray()
                yield start, data
                start += data.shape[1]
        for out in resampler.resample(None):
            yield None, out.to_ndarray()

    def _fill_until(self, end: int) -> None:
        while not self._ended and (self._buf_start is None or self._buf_start + self._buf.shape[1] < end):
            try:
                start, data = next(self._frames)
            except StopIteration:
                self._ended = True
                return
            if self._buf_start is None:
                self._buf_start = start if start is not None else 0
            elif start is not None:
                # Decoder timestamps may jump (gaps in the recording): keep positions true by padding or dropping.
                expected = self._buf_start + self._buf.shape[1]
                if start > expected:
                    data = np.concatenate([np.zeros((self.channels, start - expected), np.float32), data], axis=1)
                elif start < expected:
                    data = data[:, expected - start:]
            self._buf = np.concatenate([self._buf, data], axis=1) if self._buf.size else data

    def take(self, start: int, end: int) -> np.ndarray:
        """Samples [start, end) as (channels, n) float32, zero-padded where the source has no audio."""
        buffered_end = (self._buf_start or 0) + self._buf.shape[1]
        if self._buf_start is not None and (start < self._buf_start or start > buffered_end + SEEK_AHEAD_S * self.rate):
            self._restart(start)
        self._fill_until(end)
        out = np.zeros((self.channels, end - start), np.float32)
        if self._buf_start is not None:
            lo, hi = max(start, self._buf_start), min(end, self._buf_start + self._buf.shape[1])
            if hi > lo:
                out[:, lo - start:hi - start] = self._buf[:, lo - self._buf_start:hi - self._buf_start]
            # Keep only what later parts may still need.
            drop = max(0, end - self._buf_start)
            self._buf = self._buf[:, drop:]
            self._buf_start += drop
        return out


@dataclass(frozen=True)
class Span:
    """One clip's samples on the output, with its fades; crossfaded clips reach into their handles."""

    source: int  # first source sample (zero = the first video frame)
    start: int  # first output sample
    length: int
    fade_in: int = 0  # samples
    fade_out: int = 0
    power_in: bool = False  # equal-power (crossfade) rather than raised-cosine ramp
    power_out: bool = False

    @property
    def end(self) -> int:
        return self.start + self.length

    def gain(self, lo: int, hi: int) -> np.ndarray | None:
        """Gain for the span's samples [lo, hi) (offsets into the span); None where it is all 1."""
        if lo >= self.fade_in and hi <= self.length - self.fade_out:
            return None
        k = np.arange(lo, hi, dtype=np.float64) + 0.5
        gain = np.ones(hi - lo)
        if self.fade_in:
            gain = np.minimum(gain, _ramp(np.clip(k / self.fade_in, 0.0, 1.0), self.power_in))
        if self.fade_out:
            gain = np.minimum(gain, _ramp(np.clip((self.length - k) / self.fade_out, 0.0, 1.0), self.power_out))
        return gain.astype(np.float32)


def _ramp(x: np.ndarray, power: bool) -> np.ndarray:
    # Equal power keeps the loudness steady through a crossfade of unrelated sounds; the raised
    # cosine has no corner at either end, so a fade at a plain cut adds no click of its own.
    return np.sin(0.5 * np.pi * x) if power else 0.5 - 0.5 * np.cos(np.pi * x)


def build_spans(track: Track, rate: Fraction, sample_rate: int) -> list[Span]:
    """Spans of an audio track's clips in timeline order, with fades at every cut and transition."""
    def at(frame: int) -> int:
        return round(frame * sample_rate / rate)

    clips = sorted(track.clips, key=lambda c: c.start)
    transitions = {t.at: t for t in track.transitions}
    short = int(AUDIO_FADE_S * sample_rate)
    spans = []
    for index, clip in enumerate(clips):
        before = clips[index - 1] if index else None
        after = clips[index + 1] if index + 1 < len(clips) else None
        source, start, end = at(clip.source_in), at(clip.start), at(clip.end)
        fade_in = fade_out = 0
        power_in = power_out = False
        if before is not None and before.end == clip.start and clip.start in transitions:
            lo, hi = _window(transitions[clip.start], at)
            if transitions[clip.start].kind == "crossfade":
                source, start, fade_in, power_in = source - (start - lo), lo, hi - lo, True
            else:
                fade_in = hi - start
        elif _is_cut(before, clip) or (before is None and clip.source_in > 0):
            fade_in = short
        if after is not None and after.start == clip.end and clip.end in transitions:
            lo, hi = _window(transitions[clip.end], at)
            if transitions[clip.end].kind == "crossfade":
                end, fade_out, power_out = hi, hi - lo, True
            else:
                fade_out = end - lo
        elif _is_cut(clip, after):
            fade_out = short
        length = end - start
        spans.append(Span(source, start, length, min(fade_in, length), min(fade_out, length), power_in, power_out))
    return spans


def _window(transition: Transition, at) -> tuple[int, int]:
    first = transition.at - transition.duration // 2
    return at(first), at(first + transition.duration)


def _is_cut(first: Clip | None, second: Clip | None) -> bool:
    """Two clips that meet on the timeline but not in the source: the sound jumps there."""
    return (first is not None and second is not None and first.end == second.start
            and (first.media != second.media or first.source_out != second.source_in))


def edited_blocks(reader: AudioReader, spans: list[Span], total: int) -> Iterator[np.ndarray]:
    """The edited audio as consecutive (channels, n) float32 blocks, `total` samples in all."""
    block = int(BLOCK_S * reader.rate)
    first = 0  # index of the first span that may still reach the current block
    for block_start in range(0, total, block):
        block_end = min(total, block_start + block)
        out = np.zeros((reader.channels, block_end - block_start), np.float32)
        while first < len(spans) and spans[first].end <= block_start:
            first += 1
        for span in spans[first:]:
            if span.start >= block_end:
                break
            lo, hi = max(span.start, block_start) - span.start, min(span.end, block_end) - span.start
            if hi <= lo:
                continue
            samples = reader.take(span.source + lo, span.source + hi)
            gain = span.gain(lo, hi)
            at = span.start + lo - block_start
            out[:, at:at + hi - lo] += samples if gain is None else samples * gain
        yield out


def open_reader(container: av.container.InputContainer, sample_rate: int, channels: int,
                offset_s: float) -> AudioReader:
    return AudioReader(container, sample_rate, "mono" if channels == 1 else "stereo", offset_s)
