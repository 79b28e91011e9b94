"""Where progress events go: a bar on a terminal, JSON lines for the add-on, or log lines."""
from __future__ import annotations

import json
import logging
import sys
import threading
from typing import Any, TextIO

log = logging.getLogger(__name__)


class JsonLines:
    """One JSON object a line on stdout: stage, fraction, message, metrics (the add-on's feed)."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.stream.write(json.dumps(event) + "\n")
            self.stream.flush()


class Bar:
    """A progress bar on the terminal (stderr), one line, with the running stage's name."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=1000, unit="", bar_format="{desc:<10} {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
                        file=sys.stderr, dynamic_ncols=True)

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("stage"):
            self.bar.set_description_str(event["stage"])
        self.bar.n = int(1000 * event.get("overall", 0.0))
        self.bar.refresh()
        if event["event"] == "done":
            self.bar.n = 1000
            self.bar.close()

    def close(self) -> None:
        self.bar.close()


class LogLines:
    """For pipes and logs without a terminal: one line each time a stage ends."""

    def __call__(self, event: dict[str, Any]) -> None:
        if event["event"] == "stage_end":
            metrics = event.get("metrics", {})
            state = "up to date" if event.get("skipped") else f"{metrics.get('wall_s', 0):.1f} s"
            log.info("stage %s: %s", event["stage"], state)


def make_sink(kind: str):
    if kind == "auto":
        kind = "bar" if sys.stderr.isatty() else "log"
    return {"json": JsonLines, "bar": Bar, "log": LogLines, "none": lambda: (lambda event: None)}[kind]()
