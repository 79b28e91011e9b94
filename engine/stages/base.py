"""What a stage worker gets and returns. Stages run in their own process (see engine.worker)."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from ..cache import Cache
from ..context import ContentContext
from ..metrics import Counters

PROGRESS_MIN_INTERVAL_S = 0.25


@dataclass
class StageResult:
    sections: dict[str, BaseModel | None] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # name -> path relative to the project folder
    warnings: list[str] = field(default_factory=list)


class EventWriter:
    """JSON lines to the orchestrator: one object a line on a private copy of stdout."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def emit(self, event: str, **fields: Any) -> None:
        self.stream.write(json.dumps({"event": event, **fields}) + "\n")
        self.stream.flush()


class StageJob:
    def __init__(self, name: str, project: Path, ctx: ContentContext, events: EventWriter,
                 cache: Cache | None = None) -> None:
        self.name = name
        self.project = project
        self.ctx = ctx
        self.cache = cache  # for stages that cache finer-grained things (API responses)
        self.counters = Counters()
        self.events = events
        self._last_progress = 0.0

    @property
    def memory_budget_mb(self) -> float:
        """What this stage may use (set by the orchestrator from --max-memory); stages that can, degrade
        below their usual need: smaller batches, fewer threads."""
        try:
            return float(os.environ.get("AVE_MEMORY_LIMIT_MB", "inf"))
        except ValueError:
            return float("inf")

    @property
    def work_dir(self) -> Path:
        """Scratch space for this project's intermediate files."""
        path = self.project / ".work"
        path.mkdir(exist_ok=True)
        return path

    def progress(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_progress < PROGRESS_MIN_INTERVAL_S:
            return
        self._last_progress = now
        self.events.emit("progress", fraction=round(min(1.0, max(0.0, fraction)), 4), message=message)
