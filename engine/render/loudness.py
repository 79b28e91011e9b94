"""Loudness (EBU R128 / ITU-R BS.1770) measurement and the gain and limiter that meet the target.

FFmpeg's own filters do the work through PyAV's filter graphs: `ebur128` meters
integrated loudness and true peak, `alimiter` (with its delay compensated, so not a
sample moves) holds the peaks under the ceiling after the gain.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

SILENCE_LUFS = -70.0  # the meter's floor: audio this quiet is silence and is not amplified
MAX_GAIN_DB = 30.0
# alimiter limits sample peaks; between samples (and after AAC) peaks rise a little higher, so the
# limiter sits a dB under the -1 dBTP ceiling.
LIMITER_CEILING_DBFS = -2.0


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float | None = None


class AudioFilter:
    """A chain of FFmpeg audio filters fed numpy blocks; hands back fltp frames at the input rate and layout."""

    def __init__(self, filters: list[tuple[str, str]], sample_rate: int, layout: str) -> None:
        self.graph = av.filter.Graph()
        self.sample_rate, self.layout = sample_rate, layout
        node = self.graph.add_abuffer(format="fltp", sample_rate=sample_rate, layout=layout,
                                      time_base=Fraction(1, sample_rate))
        output = ("aformat", f"sample_fmts=fltp:sample_rates={sample_rate}:channel_layouts={layout}")
        for name, args in [*filters, output]:
            following = self.graph.add(name, args)
            node.link_to(following)
            node = following
        sink = self.graph.add("abuffersink")
        node.link_to(sink)
        self.graph.configure()
        self.pushed = 0
        self._metadata: dict[str, str] = {}

    def push(self, block: np.ndarray | None) -> list[av.AudioFrame]:
        """Filter one (channels, n) block; None flushes what the filters still hold."""
        if block is None:
            self.graph.push(None)
        else:
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block, np.float32), format="fltp",
                                               layout=self.layout)
            frame.sample_rate = self.sample_rate
            frame.pts = self.pushed
            frame.time_base = Fraction(1, self.sample_rate)
            self.pushed += block.shape[1]
            self.graph.push(frame)
        frames = []
        while True:
            try:
                frame = self.graph.pull()
            except (av.BlockingIOError, av.EOFError):
                break
            frames.append(frame)
            metadata = dict(frame.metadata)
            if metadata:  # the frames a filter flushes at the end may carry none
                self._metadata = metadata
        return frames

    def metadata(self) -> dict[str, str]:
        """The metadata of the latest frame that had any: a meter's running totals."""
        return self._metadata


def meter(true_peak: bool) -> tuple[str, str]:
    return "ebur128", f"metadata=1:peak={'true' if true_peak else 'none'}"


def read_meter(metadata: dict[str, str]) -> Loudness:
    integrated = float(metadata.get("lavfi.r128.I", SILENCE_LUFS))
    peak = metadata.get("lavfi.r128.true_peak")
    peak_db = 20 * math.log10(max(float(peak), 1e-10)) if peak is not None else None
    return Loudness(integrated if math.isfinite(integrated) else SILENCE_LUFS, peak_db)


def measure(blocks: Iterable[np.ndarray], sample_rate: int, layout: str) -> Loudness:
    chain = AudioFilter([meter(False)], sample_rate, layout)
    for block in blocks:
        chain.push(block)
    chain.push(None)
    return read_meter(chain.metadata())


def gain_to(target_lufs: float, measured: Loudness) -> float:
    """dB to add; silence stays silent rather than being raised to hiss."""
    if measured.integrated_lufs <= SILENCE_LUFS + 1:
        return 0.0
    return min(MAX_GAIN_DB, target_lufs - measured.integrated_lufs)


def mastering_filters(gain_db: float, true_peak: bool) -> list[tuple[str, str]]:
    """Gain, then the limiter (delay-compensated: latency=1), then the meter that checks the result.

    Metering the true peak oversamples 4x; only the pass that encodes asks for it.
    """
    limit = 10 ** (LIMITER_CEILING_DBFS / 20)
    return [("volume", f"volume={gain_db:.3f}dB:precision=float"),
            ("alimiter", f"limit={limit:.4f}:attack=5:release=60:level=disabled:latency=1"),
            meter(true_peak)]
