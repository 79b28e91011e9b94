"""The audio of a render: edited speech, an optional ducked music bed, loudness-normalised, to AAC.

Passes over the edited audio are cheap (no video is touched), so the loudness is
measured on the edited audio itself, not guessed from the source: pass 1 meters the
speech (and the bed); with a bed, pass 2 meters the mix; then gain and limiter run
into the meter alone, and should the limiter have taken the loudness off target by
more than TOLERANCE_LU, the gain makes up for it; the last pass encodes (and meters).
An edit short enough is kept in memory after the first pass rather than cut again.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..timeline import Track
from .audio import BLOCK_S, build_spans, edited_blocks, open_reader
from .loudness import AudioFilter, Loudness, gain_to, mastering_filters, measure, read_meter
from .music import BED_BELOW_SPEECH_LU, Ducker, MusicBed
from .settings import EncodeSettings

log = logging.getLogger(__name__)

ENCODER_FRAME = 1024
TOLERANCE_LU = 0.5
REPLAY_LIMIT_BYTES = 256 * 2**20  # edited audio up to this size (about 11 min of 48 kHz stereo) stays in memory


@dataclass(frozen=True)
class AudioJob:
    source: Path
    offset_s: float  # where the source's audio starts, in source time
    channels: int  # of the source
    track: Track
    rate: Fraction  # the timeline's
    frames: int  # the edit's length in frames
    target_lufs: float
    music: Path | None = None


@dataclass(frozen=True)
class AudioResult:
    samples: int
    loudness: Loudness
    gain_db: float


def render_audio(job: AudioJob, settings: EncodeSettings, out_path: Path) -> AudioResult:
    sr = settings.sample_rate
    layout = "stereo" if job.channels > 1 or job.music is not None else "mono"
    total = round(job.frames * sr / job.rate)
    spans = build_spans(job.track, job.rate, sr)

    def cut() -> Iterator[np.ndarray]:
        with av.open(str(job.source)) as container:
            reader = open_reader(container, sr, 2 if layout == "stereo" else 1, job.offset_s)
            yield from edited_blocks(reader, spans, total)

    speech = _Replay(cut, total * (2 if layout == "stereo" else 1) * 4 <= REPLAY_LIMIT_BYTES)
    speech_level = measure(speech(), sr, layout)
    blocks, level = speech, speech_level
    if job.music is not None:
        music = job.music
        bed_level = measure(MusicBed(music, sr, layout, total).blocks(int(BLOCK_S * sr)), sr, layout)
        bed_gain = 10 ** (gain_to(speech_level.integrated_lufs - BED_BELOW_SPEECH_LU, bed_level) / 20)

        def mixed() -> Iterator[np.ndarray]:
            return _with_bed(speech(), MusicBed(music, sr, layout, total), Ducker(sr, speech_level.integrated_lufs),
                             bed_gain)

        blocks = _Replay(mixed, speech.keep)
        level = measure(blocks(), sr, layout)
    gain = gain_to(job.target_lufs, level)
    if gain != 0.0:
        # The limiter takes a little loudness off what it touches: meter the mastered audio once and make
        # up the difference (it is small, so the limiter's share of it changes too little to matter).
        off = job.target_lufs - _master(blocks(), gain, sr, layout).integrated_lufs
        if abs(off) > TOLERANCE_LU:
            log.info("audio: %.2f dB short after limiting; adding it", off)
            gain += off
    final = _encode(blocks(), gain, settings, layout, out_path)
    log.info("audio: %.2f LUFS integrated (target %.1f), true peak %.2f dBTP, gain %+.2f dB%s",
             final.integrated_lufs, job.target_lufs, final.true_peak_dbtp or float("nan"), gain,
             ", music bed ducked under speech" if job.music else "")
    return AudioResult(total, final, gain)


class _Replay:
    """Blocks from `make`, kept after the first full pass when `keep` so later passes need not cut again."""

    def __init__(self, make: Callable[[], Iterator[np.ndarray]], keep: bool) -> None:
        self.make, self.keep = make, keep
        self.kept: list[np.ndarray] | None = None

    def __call__(self) -> Iterator[np.ndarray]:
        if self.kept is not None:
            return iter(self.kept)
        return self._first() if self.keep else self.make()

    def _first(self) -> Iterator[np.ndarray]:
        kept = []
        for block in self.make():
            kept.append(block)
            yield block
        self.kept = kept


def _master(blocks: Iterator[np.ndarray], gain_db: float, sample_rate: int, layout: str) -> Loudness:
    chain = AudioFilter(mastering_filters(gain_db, true_peak=False), sample_rate, layout)
    for block in blocks:
        chain.push(block)
    chain.push(None)
    return read_meter(chain.metadata())


def _with_bed(speech: Iterator[np.ndarray], bed: MusicBed, ducker: Ducker, gain: float) -> Iterator[np.ndarray]:
    for block in speech:
        yield block + bed.take(block.shape[1]) * (ducker.gain(block) * gain)


def _encode(blocks: Iterator[np.ndarray], gain_db: float, settings: EncodeSettings, layout: str,
            out_path: Path) -> Loudness:
    sr = settings.sample_rate
    chain = AudioFilter(mastering_filters(gain_db, true_peak=True), sr, layout)
    written = 0
    with av.open(str(out_path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=sr)
        stream.layout = layout
        stream.bit_rate = settings.audio_bitrate
        stream.options = {"aac_coder": settings.aac_coder}
        fifo = av.AudioFifo()

        def feed(frames: list[av.AudioFrame], minimum: int) -> None:
            nonlocal written
            for frame in frames:
                frame.pts = written
                frame.time_base = Fraction(1, sr)
                written += frame.samples
                fifo.write(frame)
            while fifo.samples >= minimum:
                for packet in stream.encode(fifo.read(min(ENCODER_FRAME, fifo.samples))):
                    out.mux(packet)

        for block in blocks:
            feed(chain.push(block), ENCODER_FRAME)
        feed(chain.push(None), 1)
        for packet in stream.encode(None):
            out.mux(packet)
    return read_meter(chain.metadata())
