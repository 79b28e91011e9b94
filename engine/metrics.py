"""Time, CPU and memory of a stage: peak RSS of its whole process tree, sampled with psutil."""
from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass, field

import psutil

SAMPLE_INTERVAL_S = 0.05


@dataclass
class Counters:
    """What a stage counts itself: API use, cache use and money."""

    api_calls: int = 0  # requests sent, retries included
    cache_hits: int = 0
    cache_misses: int = 0
    cost_usd: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    api_retries: int = 0
    api_errors: int = 0  # failed requests and unusable answers
    fallbacks: int = 0  # times the local path stood in for an AI service


@dataclass
class StageMetrics:
    name: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    counters: Counters = field(default_factory=Counters)
    skipped: bool = False
    started_s: float = 0.0  # since the job started
    ended_s: float = 0.0

    def to_report(self) -> dict:
        row = {"name": self.name, "wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3),
               "peak_rss_mb": round(self.peak_rss_mb, 1)}
        row.update({k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self.counters).items()})
        row["skipped"] = self.skipped
        row["started_s"], row["ended_s"] = round(self.started_s, 3), round(self.ended_s, 3)
        return row


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


class TreeSampler:
    """Samples a process tree's RSS in a background thread until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        try:
            self._proc: psutil.Process | None = psutil.Process(pid)
        except psutil.Error:
            self._proc = None
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self._proc is not None and not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss(self._proc))
            self._stop.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> float:
        """Stop sampling; return the peak in MB."""
        self._stop.set()
        self._thread.join()
        return self.peak_bytes / 1e6


def own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def now() -> float:
    return time.perf_counter()
