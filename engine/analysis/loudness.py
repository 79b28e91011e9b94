"""EBU R128 / ITU-R BS.1770 loudness with FFmpeg's ebur128 filter, fed the decoded frames through PyAV.

The meter sees the audio at its own rate and channel layout, as BS.1770
requires (K-weighting and channel weights depend on both; true peak is
measured on 4x oversampled audio). It is a pass-through: the stage decodes
once and the same frames go on to the speech analyses.

With metadata on, the filter emits 100 ms frames, each carrying the momentary,
short-term (3 s), integrated and range values up to its end, and the running
true peak; the last one holds the programme's totals.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import av.filter
import numpy as np

log = logging.getLogger(__name__)

TICK_S = 0.1  # the filter's metadata interval
SHORT_TERM_S = 3.0  # EBU R128 short-term window
FLOOR_LUFS = -120.0  # the filter reports digital silence as about -120.7; JSON has no -inf
FLOOR_DBTP = -120.0


@dataclass(frozen=True)
class LoudnessResult:
    integrated_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float
    short_term_lufs: np.ndarray  # short_term_lufs[k]: the 3 s window ending (k + 1) * TICK_S after the first sample

    def short_term_every(self, hop_s: float, offset_s: float = 0.0) -> list[float]:
        """Windows starting at 0, hop_s, 2 hop_s... of source time, where the audio starts at offset_s;
        as many as end within the audio."""
        ticks_per_window = round(SHORT_TERM_S / TICK_S)
        last_start = len(self.short_term_lufs) * TICK_S - SHORT_TERM_S + offset_s
        if last_start < 0:
            return []
        starts = np.arange(int(np.floor(last_start / hop_s + 1e-6)) + 1) * hop_s
        # The window [start, start + 3 s) of source time ends this many ticks after the first sample.
        ticks = np.maximum(ticks_per_window, np.round((starts + SHORT_TERM_S - offset_s) / TICK_S).astype(int)) - 1
        return [round(float(v), 2) for v in self.short_term_lufs[np.minimum(ticks, len(self.short_term_lufs) - 1)]]


class LoudnessMeter:
    """Push decoded audio frames (any rate, layout and sample format), then read `result()` once."""

    def __init__(self) -> None:
        self._graph: av.filter.Graph | None = None
        self._short_term: list[float] = []
        self._last: dict[str, str] = {}

    def tap(self, frames: Iterable[av.AudioFrame]) -> Iterator[av.AudioFrame]:
        """Meter each frame on its way past."""
        for frame in frames:
            self.push(frame)
            yield frame

    def push(self, frame: av.AudioFrame) -> None:
        if self._graph is None:
            self._graph = self._build(frame)
        self._graph.push(frame)
        self._drain()

    def result(self) -> LoudnessResult | None:
        """Totals, or None when no frame was pushed or the audio is shorter than one 100 ms tick."""
        if self._graph is not None:
            self._graph.push(None)
            self._drain()
            self._graph = None
        if not self._last:
            return None
        return LoudnessResult(
            integrated_lufs=max(FLOOR_LUFS, float(self._last["lavfi.r128.I"])),
            true_peak_dbtp=_dbtp(float(self._last["lavfi.r128.true_peak"])),
            loudness_range_lu=float(self._last["lavfi.r128.LRA"]),
            short_term_lufs=np.maximum(FLOOR_LUFS, np.array(self._short_term, np.float32)),
        )

    @staticmethod
    def _build(frame: av.AudioFrame) -> av.filter.Graph:
        graph = av.filter.Graph()
        source = graph.add_abuffer(format=frame.format.name, sample_rate=frame.sample_rate,
                                   layout=frame.layout.name,
                                   time_base=frame.time_base or Fraction(1, frame.sample_rate))
        meter = graph.add("ebur128", "peak=true:metadata=1")
        sink = graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        graph.configure()
        log.debug("ebur128 on %d Hz %s %s", frame.sample_rate, frame.layout.name, frame.format.name)
        return graph

    def _drain(self) -> None:
        assert self._graph is not None
        while True:
            try:
                out = self._graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return
            metadata = out.metadata
            # A trailing frame shorter than a tick carries no measurement.
            if "lavfi.r128.S" in metadata:
                self._short_term.append(float(metadata["lavfi.r128.S"]))
                self._last = dict(metadata)


def _dbtp(linear: float) -> float:
    return max(FLOOR_DBTP, 20.0 * math.log10(linear)) if linear > 0 else FLOOR_DBTP
