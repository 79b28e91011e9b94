"""The orchestrator: runs stages as subprocesses, measures them, merges their results.

Each stage runs in its own worker process (engine.worker), so its memory is
returned to the system when it ends (explicit cleanup by construction) and a
crash in one stage cannot corrupt the others. The orchestrator is the only
writer of context.json and report.json. Stages whose inputs and options have not
changed since they last finished in this output folder are skipped, so a job
that was interrupted continues where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import __version__
from .ai.gemini import api_key_from_env
from .context import ContentContext, StageRecord, apply_section, context_path, load_context, save_context
from .errors import Cancelled, EngineError, StageFailed
import psutil

from .metrics import Counters, StageMetrics, TreeSampler, now, own_cpu_s
from .report import write_report
from .stages import STAGES, StageSpec, closure

log = logging.getLogger(__name__)

Sink = Callable[[dict[str, Any]], None]
ENGINE_ROOT = Path(__file__).resolve().parent.parent


def stage_fingerprint(spec: StageSpec, ctx: ContentContext, content_hash: str) -> str:
    """What a stage's result depends on: the input's content, its options, and the results of what it needs
    (their result hashes, so a re-run upstream stage whose output changed makes this one stale)."""
    needs = {name: ctx.stages[name].result if name in ctx.stages else None for name in spec.needs}
    # Whether a key is set changes an AI stage's result; the key itself never enters the fingerprint.
    ai = {"key_set": bool(api_key_from_env()), "base_url": os.environ.get("AVE_GEMINI_BASE_URL")} if spec.uses_ai else None
    blob = json.dumps({"engine": __version__, "stage": spec.name, "version": spec.version, "input": content_hash,
                       "options": ctx.options.for_stage(spec.name), "needs": needs, "ai": ai},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


@dataclass
class StageOutcome:
    spec: StageSpec
    metrics: StageMetrics
    result: dict[str, Any] | None = None
    error: str | None = None
    exit_code: int = 0


@dataclass
class JobRun:
    """One invocation of the orchestrator over a project folder."""

    project: Path
    ctx: ContentContext
    content_hash: str
    sink: Sink
    max_jobs: int = 2
    memory_limit_mb: float = 0.0  # the job's bound on the sum of its stages' memory
    rows: dict[str, StageMetrics] = field(default_factory=dict)
    started: float = field(default_factory=now)
    _reserved: dict[str, float] = field(default_factory=dict)  # running stage -> the memory it may use
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    _fractions: dict[str, float] = field(default_factory=dict)
    _weights: dict[str, float] = field(default_factory=dict)

    # -- events -----------------------------------------------------------------------------------------
    def emit(self, event: str, stage: str | None = None, **fields: Any) -> None:
        with self._lock:
            total = sum(self._weights.values()) or 1.0
            overall = sum(self._weights[n] * self._fractions.get(n, 0.0) for n in self._weights) / total
            self.sink({"event": event, "stage": stage, "overall": round(overall, 4), **fields})

    # -- running ----------------------------------------------------------------------------------------
    def run(self, specs: list[StageSpec], force: set[str]) -> None:
        self._weights = {s.name: s.weight for s in specs}
        done: set[str] = set()
        pending = list(specs)
        running: dict[Future, StageSpec] = {}
        with ThreadPoolExecutor(max_workers=max(1, self.max_jobs), thread_name_prefix="stage") as pool:
            try:
                while pending or running:
                    for spec in [s for s in pending if all(n in done or n not in self._weights for n in s.needs)]:
                        if len(running) >= self.max_jobs:
                            break
                        if not self._fits(spec):
                            continue  # wait for memory; a smaller ready stage may still fit
                        pending.remove(spec)
                        if spec.name not in force and self._up_to_date(spec):
                            self._skip(spec)
                            done.add(spec.name)
                            continue
                        budget = self._reserve(spec)
                        running[pool.submit(self._run_stage, spec, budget)] = spec
                    if not running:
                        continue
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        spec = running.pop(future)
                        outcome = future.result()
                        if outcome.error is not None:
                            self._kill_all()
                            raise StageFailed(outcome.error, exit_code=outcome.exit_code)
                        self._merge(outcome)
                        done.add(spec.name)
            except KeyboardInterrupt:
                self._kill_all()
                raise Cancelled("cancelled") from None

    def _fits(self, spec: StageSpec) -> bool:
        """Room in the memory bound for this stage beside those running. One stage always runs: when
        the bound is below its usual need it gets the whole bound and degrades (smaller batches)."""
        with self._lock:
            return not self._reserved or sum(self._reserved.values()) + spec.memory_mb <= self.memory_limit_mb

    def _reserve(self, spec: StageSpec) -> float:
        """Set aside memory for a stage about to start; return its budget (what it may use)."""
        with self._lock:
            budget = max(64.0, self.memory_limit_mb - sum(self._reserved.values()))
            self._reserved[spec.name] = min(spec.memory_mb, budget)
        return budget

    def _up_to_date(self, spec: StageSpec) -> bool:
        record = self.ctx.stages.get(spec.name)
        if record is None or record.fingerprint != stage_fingerprint(spec, self.ctx, self.content_hash):
            return False
        return all((self.project / rel).exists() for rel in record.outputs)

    def _skip(self, spec: StageSpec) -> None:
        self._fractions[spec.name] = 1.0
        self.rows[spec.name] = StageMetrics(spec.name, skipped=True)
        self.emit("stage_end", spec.name, skipped=True, message="up to date", metrics=self.rows[spec.name].to_report())

    def _run_stage(self, spec: StageSpec, budget: float) -> StageOutcome:
        metrics = StageMetrics(spec.name)
        self.emit("stage_start", spec.name, message=spec.help)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(ENGINE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]), PYTHONUNBUFFERED="1")
        started = now()
        fingerprint = stage_fingerprint(spec, self.ctx, self.content_hash)
        env["AVE_MEMORY_LIMIT_MB"] = str(int(budget))
        metrics.started_s = started - self.started
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine.worker", spec.name, str(self.project), fingerprint],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
            env=env, cwd=str(self.project), start_new_session=(os.name == "posix"),
        )
        with self._lock:
            self._procs[spec.name] = proc
        sampler = TreeSampler(proc.pid)
        log_thread = threading.Thread(target=_copy_log, args=(proc.stderr, spec.name), daemon=True)
        log_thread.start()
        outcome = StageOutcome(spec, metrics)
        for line in proc.stdout:  # type: ignore[union-attr]
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                log.warning("[%s] %s", spec.name, line.rstrip())
                continue
            kind = event.pop("event", None)
            if kind == "progress":
                self._fractions[spec.name] = event.get("fraction", 0.0)
                metrics.wall_s = now() - started
                self.emit("progress", spec.name, fraction=event.get("fraction", 0.0),
                          message=event.get("message", ""), metrics=metrics.to_report())
            elif kind == "result":
                outcome.result = event
            elif kind == "error":
                outcome.error, outcome.exit_code = event.get("message", "stage failed"), event.get("exit_code", 3)
        metrics.cpu_s = _wait_with_usage(proc)
        log_thread.join()
        metrics.peak_rss_mb = sampler.stop()
        metrics.wall_s = now() - started
        metrics.ended_s = now() - self.started
        with self._lock:
            self._procs.pop(spec.name, None)
            self._reserved.pop(spec.name, None)
        if outcome.error is None and (proc.returncode != 0 or outcome.result is None):
            outcome.error = _died_message(spec.name, proc.returncode)
            outcome.exit_code = 3
        if outcome.result is not None:
            metrics.counters = Counters(**outcome.result.get("counters", {}))
        return outcome

    def _merge(self, outcome: StageOutcome) -> None:
        spec, result = outcome.spec, outcome.result or {}
        for name, value in result.get("sections", {}).items():
            apply_section(self.ctx, name, value)
        self.ctx.outputs.update(result.get("outputs", {}))
        for warning in result.get("warnings", []):
            if warning not in self.ctx.warnings:
                self.ctx.warnings.append(warning)
            log.warning("%s: %s", spec.name, warning)
        outputs = sorted(result.get("outputs", {}).values())
        self.ctx.stages[spec.name] = StageRecord(
            fingerprint=stage_fingerprint(spec, self.ctx, self.content_hash),
            result=_result_hash(result.get("sections", {}), self.project, outputs),
            finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            wall_s=round(outcome.metrics.wall_s, 3),
            outputs=outputs,
        )
        # A re-run stage makes everything downstream stale: their fingerprints embed this one.
        size = save_context(self.project, self.ctx)
        self.rows[spec.name] = outcome.metrics
        self._fractions[spec.name] = 1.0
        self.emit("stage_end", spec.name, message="done", metrics=outcome.metrics.to_report(),
                  context_bytes=size)

    def _kill_all(self) -> None:
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            kill_tree(proc)


def _remove_leftovers(project: Path) -> None:
    """Temporary files a killed job left behind (finished files are only ever renamed into place)."""
    for leftover in [*project.glob(".*.part*"), *project.glob("*/.*.part*")]:
        try:
            leftover.unlink()
        except OSError:
            pass


def _result_hash(sections: dict[str, Any], project: Path, outputs: list[str]) -> str:
    """A hash of what a stage produced: its context sections and its files (content when small)."""
    digest = hashlib.sha256(json.dumps(sections, sort_keys=True, default=str).encode())
    for rel in outputs:
        path = project / rel
        if not path.is_file():
            continue
        stat = path.stat()
        if stat.st_size <= 4 << 20:
            digest.update(path.read_bytes())
        else:  # a big render: its size and time stand for it
            digest.update(f"{rel}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def kill_tree(proc: subprocess.Popen) -> None:
    """Stop a worker and everything it started (ffmpeg, Blender, ...)."""
    if proc.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            import psutil

            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _wait_with_usage(proc: subprocess.Popen) -> float:
    """Wait for a worker; return the CPU seconds it and its waited-for children used."""
    if hasattr(os, "wait4"):
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except ChildProcessError:  # already reaped (a concurrent kill_tree polled it)
            proc.wait()
            return 0.0
        proc.returncode = os.waitstatus_to_exitcode(status)
        return usage.ru_utime + usage.ru_stime
    proc.wait()
    return 0.0


def _copy_log(stream, stage: str) -> None:
    """Re-log a worker's stderr in run.log; lines without the worker's prefix (tracebacks,
    library output) keep the level of the line before them."""
    level, name = logging.INFO, f"stage.{stage}"
    for line in stream:
        parts = line.rstrip("\n").split("|", 2)
        if len(parts) == 3 and parts[0] in logging.getLevelNamesMapping():
            level, name, text = logging.getLevelNamesMapping()[parts[0]], parts[1], parts[2]
        else:
            text = line.rstrip("\n")
        # run.log only: the user's terminal gets the stage's one-line outcome, never a worker's traceback.
        logging.getLogger(name).log(level, "[%s] %s", stage, text, extra={"from_worker": True})


def _died_message(stage: str, code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"stage {stage} was killed by {name} (details in run.log)"
    return f"stage {stage} exited with code {code} without a result (details in run.log)"


# -- entry points used by the CLI and the add-on's runner ------------------------------------------------

def run_job(
    project: Path,
    ctx: ContentContext,
    content_hash: str,
    stage_names: list[str] | None,
    sink: Sink,
    force: set[str] | None = None,
    max_jobs: int | None = None,
    max_memory_mb: float | None = None,
) -> JobRun:
    """Run the given stages (all when None) and what they need; write context.json and report.json.

    Stages run in parallel up to `max_jobs` (default: the CPU cores) and within `max_memory_mb`
    (default: 80% of the memory free now), each told its share in AVE_MEMORY_LIMIT_MB.
    """
    specs = closure(stage_names) if stage_names else list(STAGES)
    _remove_leftovers(project)
    # The orchestrator's own memory counts against the bound too.
    own = psutil.Process().memory_info().rss / 1e6
    limit = (max_memory_mb or 0.8 * psutil.virtual_memory().available / 1e6) - own
    job = JobRun(project, ctx, content_hash, sink, max_jobs=max_jobs or max(1, os.cpu_count() or 1),
                 memory_limit_mb=limit)
    started, cpu_before = now(), own_cpu_s()
    whole = TreeSampler(os.getpid())
    save_context(project, ctx)
    error: EngineError | None = None
    try:
        job.run(specs, force or set())
    except EngineError as exc:
        error = exc
        raise
    finally:
        write_report(project, ctx, job.rows, wall_s=now() - started, peak_rss_mb=whole.stop(),
                     memory_limit_mb=round(limit + own),
                     orchestrator_cpu_s=own_cpu_s() - cpu_before,
                     context_bytes=context_path(project).stat().st_size,
                     error=str(error) if error else None, rerun=bool(force), full=stage_names is None)
    job.emit("done", None, message="finished", outputs=ctx.outputs)
    return job


def existing_context(project: Path, input_path: Path, content_hash: str) -> ContentContext | None:
    """The project's context when it was made from the same input content; otherwise None."""
    if not context_path(project).is_file():
        return None
    try:
        ctx = load_context(project)
    except EngineError:
        return None
    if ctx.media is not None and ctx.media.content_hash != content_hash:
        return None
    if Path(ctx.input) != input_path:
        return None
    return ctx


def new_context(input_path: Path, options) -> ContentContext:
    return ContentContext(engine_version=__version__, input=str(input_path), options=options)


__all__ = ["run_job", "existing_context", "new_context", "kill_tree"]
