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

# -P (Python 3.11+): the current folder does not go on sys.path, so a folder named "engine" there cannot
# stand in for the engine.
ENGINE_MODULE = ("-P", "-m", "engine")


def repo_venv_python() -> Path | None:
    """The repository's .venv Python, when this add-on is loaded from a checkout (or a link to one)."""
    here = Path(__file__).resolve().parent
    for base in here.parents:
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


def stage_list(python: str, env: dict[str, str] | None = None, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """The engine's stages, in order, as it reports them (`stages --json`): name, needs, help."""
    proc = subprocess.run([python, *ENGINE_MODULE, "stages", "--json"], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env=env, timeout=timeout_s, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1])
    return json.loads(proc.stdout)


class EngineJob:
    """One `python -m engine ...` process with its progress feed.

    `env` is the engine's whole environment (None: Blender's own); secrets such as the
    Gemini key travel only there, never in the command line.
    """

    def __init__(self, python: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.python = python
        self.args = args
        self.env = env
        self.state = JobState()
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.error: str | None = None
        self.cancelled = False
        self.started_at = 0.0
        self.ended_at: float | None = None
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stderr_tail: deque[str] = deque(maxlen=20)
        self._threads: list[threading.Thread] = []

    @property
    def elapsed_s(self) -> float:
        return ((self.ended_at or time.monotonic()) - self.started_at) if self.started_at else 0.0

    def start(self) -> None:
        if not Path(self.python).is_file():
            raise FileNotFoundError(f"Engine Python not found: {self.python}")
        self.started_at = time.monotonic()
        # Its own session, so that cancel() can kill the whole tree: stage workers, ffmpeg, Blender.
        self.proc = subprocess.Popen(
            [self.python, *ENGINE_MODULE, *self.args, "--progress", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
            encoding="utf-8", errors="replace", env=self.env, start_new_session=(os.name == "posix"),
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
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # the engine's --progress json writes only events; anything else is not for us
            if isinstance(event, dict):
                self._events.put(event)

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
            self.ended_at = time.monotonic()
            if self.cancelled:
                self.error = "cancelled"
            elif self.returncode != 0:
                self.error = self._error_line()
        return events

    def poll_remaining(self) -> list[dict[str, Any]]:
        """Apply what is still queued (the process has ended and its readers are done)."""
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
        last = f": {self._stderr_tail[-1]}" if self._stderr_tail else ""
        return f"engine exited with code {self.returncode}{last}"

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
        self.cancelled = True
        kill_tree(self.proc.pid)


def _children_by_parent() -> dict[int, list[int]]:
    """pid -> child pids of every process (POSIX `ps`, as on Linux and macOS)."""
    listing = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid="], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL).stdout
    children: dict[int, list[int]] = {}
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(fields[0]))
    return children


def kill_tree(pid: int) -> None:
    """Kill a process and all its descendants.

    The engine starts each stage worker in a session of its own, so killing the
    engine's process group alone would leave the workers running. Each process is
    stopped before its children are looked up, so nothing in the tree can start
    another process unseen; then all of them are killed.
    """
    if os.name != "posix":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(pid)], capture_output=True)
        return
    tree: list[int] = []
    frontier = [pid]
    while frontier:
        for member in frontier:
            try:
                os.kill(member, signal.SIGSTOP)
            except (ProcessLookupError, PermissionError):
                continue
            tree.append(member)
        children = _children_by_parent()
        frontier = [child for member in frontier for child in children.get(member, []) if child not in tree]
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
