"""Find a Blender and run one of the add-on's job scripts in it. The engine never imports bpy.

Blender is, in this order: `AVE_BLENDER`, a `blender` binary (4.2 or newer; "off"
means none), run as `blender -b --factory-startup -P SCRIPT -- ARGS`; or, when this
Python can import the bpy module (looked up with importlib.util.find_spec, never
imported), this Python running `SCRIPT ARGS`. The job scripts live in the add-on's
`jobs/` folder: `AVE_ADDON_DIR` (the add-on sets it when it starts the engine), else
the repository's `addon/`.

A job script reports on stdout in lines that start with `AVE ` followed by JSON;
every other line is Blender's own and goes to the log.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StageFailed

log = logging.getLogger(__name__)

BLENDER_ENV = "AVE_BLENDER"
ADDON_ENV = "AVE_ADDON_DIR"
REPORT_PREFIX = "AVE "
ENGINE_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Blender:
    program: str
    kind: str  # "binary": a blender executable; "module": a Python with the bpy module

    def command(self, script: Path, args: list[str]) -> list[str]:
        if self.kind == "binary":
            return [self.program, "-b", "--factory-startup", "-noaudio", "-P", str(script), "--", *args]
        return [self.program, str(script), *args]

    def describe(self) -> str:
        return f"{self.program} ({'Blender' if self.kind == 'binary' else 'bpy module'})"


def find_blender() -> Blender | None:
    configured = os.environ.get(BLENDER_ENV, "").strip()
    if configured.lower() == "off":
        return None
    if configured:
        program = shutil.which(configured) or configured
        if not Path(program).is_file():
            log.warning("%s=%s: no such program", BLENDER_ENV, configured)
            return None
        return Blender(program, "binary")
    if importlib.util.find_spec("bpy") is not None:
        return Blender(sys.executable, "module")
    return None


def job_script(name: str) -> Path | None:
    """The add-on's Blender-side script `jobs/<name>.py`."""
    for base in (os.environ.get(ADDON_ENV), ENGINE_ROOT / "addon"):
        if base and (script := Path(base) / "jobs" / f"{name}.py").is_file():
            return script
    return None


def unavailable(name: str) -> str | None:
    """Why the job script `name` cannot run here, or None when it can."""
    if find_blender() is None:
        return f"no Blender: set {BLENDER_ENV} to a Blender 4.2+ binary, or install the bpy module"
    if job_script(name) is None:
        return f"no add-on job script {name}.py: set {ADDON_ENV} to the add-on's folder"
    return None


def run_job(name: str, args: list[str], cwd: Path, on_report: Callable[[dict[str, Any]], None],
            timeout_s: float) -> None:
    """Run a job script to its end; each report line goes to on_report. Raises StageFailed when it fails.

    Blender stays in this stage's process group, so cancelling the stage kills it too.
    """
    blender, script = find_blender(), job_script(name)
    if blender is None or script is None:
        raise StageFailed(unavailable(name) or name)
    env = dict(os.environ)
    if blender.kind == "binary":
        # Blender's own Python must not pick up the engine's packages (another numpy, for one).
        env.pop("PYTHONPATH", None)
    command = blender.command(script, args)
    log.info("running %s", " ".join(command))
    tail: deque[str] = deque(maxlen=30)
    proc = subprocess.Popen(command, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        proc.kill()

    watchdog = threading.Timer(timeout_s, expire)
    watchdog.start()
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            line = line.rstrip("\n")
            if line.startswith(REPORT_PREFIX):
                on_report(json.loads(line[len(REPORT_PREFIX):]))
            elif line.strip():
                tail.append(line)
                log.debug("[blender] %s", line)
        proc.wait()
    finally:
        watchdog.cancel()
        if proc.poll() is None:  # on_report raised: do not leave Blender behind
            proc.kill()
            proc.wait()
    if timed_out.is_set():
        raise StageFailed(f"Blender job {name} took longer than {timeout_s:.0f} s and was stopped")
    if proc.returncode != 0:
        for line in tail:
            log.error("[blender] %s", line)
        raise StageFailed(f"Blender job {name} failed with exit code {proc.returncode} (details in run.log)")
