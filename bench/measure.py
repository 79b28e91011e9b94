"""Run a command and measure its wall time, CPU time and peak RSS of its whole process tree."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass

from engine.metrics import TreeSampler


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float


def measure(cmd: list[str], **kwargs) -> Measured:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, **kwargs)
    sampler = TreeSampler(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    peak = sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited with {proc.returncode}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak)
