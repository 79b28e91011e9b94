"""Run the engine as a subprocess and follow its JSON progress lines. No bpy in here.

One code path, two drivers: in the UI a `bpy.app.timers` callback calls `poll()`
so Blender never freezes; under `blender -b` timers never fire, so the operator
calls `wait()`, which is `poll()` in a plain loop.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def repo_venv_python() -> Path | None:
    """The repository's .venv Python, when this add-on is loaded from a checkout (or a link to one)."""
    here = Path(__file__).resolve().parent
    for base in (here.parent, *here.parents):
        candidate = base / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if candidate.is_file() and (base / "engine").is_dir():
            return candidate
    return None


@dataclass
class JobState:
    stage: str = ""
    fraction: float = 0.0
    overall: float = 0.0
    message: str = ""
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)  # stage -> latest metrics row
    outputs: dict[str, str] = field(default_factory=dict)


class EngineJob:
    """One `python -m engine ...` process with its progress feed."""

    def __init__(self, python: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.python = python
        self.args = args
        self.env = env
        self.state = JobState()
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.error: str | None = None
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stderr_tail: deque[str] = deque(maxlen=20)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if not Path(self.python).is_file():
            raise FileNotFoundError(f"Engine Python not found: {self.python}")
        self.proc = subprocess.Popen(
            [self.python, "-m", "engine", *self.args, "--progress", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
            encoding="utf-8", errors="replace", env={**os.environ, **(self.env or {})},
            start_new_session=(os.name == "posix"),
        )
        self._threads = [
            threading.Thread(target=self._read_events, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_events(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            try:
                self._events.put(json.loads(line))
            except json.JSONDecodeError:
                continue

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self._stderr_tail.append(line.rstrip("\n"))

    @property
    def done(self) -> bool:
        return self.returncode is not None

    def poll(self) -> list[dict[str, Any]]:
        """Apply the events that arrived since the last call; notice when the process has ended."""
        events = []
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            self._apply(event)
            events.append(event)
        if self.proc is not None and self.returncode is None and self.proc.poll() is not None:
            for thread in self._threads:
                thread.join(timeout=5)
            events.extend(self.poll_remaining())
            self.returncode = self.proc.returncode
            if self.returncode != 0:
                self.error = self._error_line()
        return events

    def poll_remaining(self) -> list[dict[str, Any]]:
        events = []
        while not self._events.empty():
            event = self._events.get_nowait()
            self._apply(event)
            events.append(event)
        return events

    def _apply(self, event: dict[str, Any]) -> None:
        state = self.state
        state.overall = event.get("overall", state.overall)
        if event.get("stage"):
            state.stage = event["stage"]
            state.fraction = event.get("fraction", 1.0 if event.get("event") == "stage_end" else state.fraction)
        state.message = event.get("message", state.message)
        if event.get("metrics") and event.get("stage"):
            state.metrics[event["stage"]] = event["metrics"]
        if event.get("event") == "done":
            state.outputs = event.get("outputs", {})

    def _error_line(self) -> str:
        for line in reversed(self._stderr_tail):
            if line.startswith("error: "):
                return line.removeprefix("error: ")
        return f"engine exited with code {self.returncode}" + (f": {self._stderr_tail[-1]}" if self._stderr_tail else "")

    def wait(self, on_events: Callable[[list[dict[str, Any]]], None] | None = None, interval: float = 0.1) -> int:
        """The background driver: poll in a plain loop until the engine ends."""
        while not self.done:
            events = self.poll()
            if on_events and events:
                on_events(events)
            if not self.done:
                time.sleep(interval)
        return self.returncode  # type: ignore[return-value]

    def cancel(self) -> None:
        """Kill the engine and everything it started (stage workers, ffmpeg, Blender renders)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            if os.name == "posix":
                os.killpg(self.proc.pid, signal.SIGKILL)
            else:
                subprocess.run(["taskkill", "/F", "/T", "/PID", str(self.proc.pid)], capture_output=True)
        except (ProcessLookupError, PermissionError):
            pass
