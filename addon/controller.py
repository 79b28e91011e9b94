"""The one engine job the add-on runs at a time: starting it, following it, finishing it.

One code path, two drivers (see runner.py): with a UI a timer polls the job and
Blender stays responsive; in background mode, where timers never fire, the
operator waits for it in a plain loop. Both copy the same state into the window
manager's properties, which the panels draw.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import bpy

from . import engine_env, preferences, results, runner

log = logging.getLogger(__name__)

TIMER_INTERVAL_S = 0.2
ADDON_DIR = Path(__file__).resolve().parent

_job: runner.EngineJob | None = None
_out: Path | None = None
_on_done: Callable[[bool], None] | None = None


def current() -> runner.EngineJob | None:
    return _job


def running() -> bool:
    return _job is not None and not _job.done


def settings(context: bpy.types.Context) -> engine_env.JobSettings:
    prefs = preferences.get(context)
    # The engine's Blender stages need a real Blender; under the bpy module the engine's own Python has bpy.
    binary = bpy.app.binary_path if bpy.app.binary_path and Path(bpy.app.binary_path).is_file() else ""
    return engine_env.JobSettings(
        quality=prefs.quality, director=prefs.director, content_type=context.window_manager.ave_content_type,
        max_jobs=prefs.max_jobs, memory_limit_mb=prefs.memory_limit_mb, api_key=prefs.gemini_api_key,
        online=bool(bpy.app.online_access), blender_binary=binary, addon_dir=str(ADDON_DIR))


def engine_or_error(context: bpy.types.Context) -> tuple[engine_env.Engine | None, str | None]:
    engine = preferences.get(context).engine()
    return engine, engine_env.problem(engine)


def start(context: bpy.types.Context, args: list[str], out: Path, on_done: Callable[[bool], None] | None = None
          ) -> str | None:
    """Start `python -m engine ARGS`; returns an error for the user, or None once it runs."""
    global _job, _out, _on_done
    if running():
        return "A job is already running"
    engine, trouble = engine_or_error(context)
    if trouble:
        return trouble
    job = runner.EngineJob(engine.python, args, engine_env.environment(engine, settings(context)))
    try:
        job.start()
    except OSError as exc:
        return f"Could not start the engine: {exc}"
    _job, _out, _on_done = job, out, on_done
    wm = context.window_manager
    wm.ave_output_dir = str(out)
    wm.ave_running = True
    wm.ave_metrics.clear()
    _show(wm, "Starting", "", 0.0)
    if bpy.app.background:
        job.wait(lambda _events: sync(wm, job))
        finish(wm)
    else:
        bpy.app.timers.register(_tick, first_interval=TIMER_INTERVAL_S)
    return None


def _show(wm: bpy.types.WindowManager, status: str, stage: str, progress: float) -> None:
    wm.ave_status, wm.ave_stage, wm.ave_progress = status, stage, progress


def sync(wm: bpy.types.WindowManager, job: runner.EngineJob) -> None:
    """Copy the job's state into the properties the panels draw."""
    state = job.state
    _show(wm, f"{state.stage}: {state.message}" if state.stage else "Starting", state.stage, state.overall)
    wm.ave_elapsed_s = job.elapsed_s
    fill_metrics(wm, state.metrics)


def fill_metrics(wm: bpy.types.WindowManager, metrics: dict[str, dict]) -> None:
    wm.ave_metrics.clear()
    for row in results.metric_rows(metrics):
        item = wm.ave_metrics.add()
        item.name = row.name
        for field in ("wall_s", "peak_rss_mb", "api_calls", "cache_hits", "cache_misses", "cost_usd", "skipped"):
            setattr(item, field, getattr(row, field))


def finish(wm: bpy.types.WindowManager) -> bool:
    """The job has ended: show how, load its results; True when it succeeded."""
    job, out = _job, _out
    assert job is not None and out is not None
    sync(wm, job)
    wm.ave_running = False
    ok = job.returncode == 0
    if ok:
        _show(wm, f"Done: {out}", "", 1.0)
    else:
        _show(wm, f"Failed: {job.error}", job.state.stage, job.state.overall)
    log.info("%s", wm.ave_status)
    if out.is_dir():
        load_results(wm, out, keep_metrics=True)
    if _on_done is not None:
        _on_done(ok)
    return ok


def _tick() -> float | None:
    wm = bpy.context.window_manager
    job = _job
    if job is None:
        return None
    job.poll()
    if job.done:
        finish(wm)
        _redraw()
        return None
    sync(wm, job)
    _redraw()
    return TIMER_INTERVAL_S


def _redraw() -> None:
    for window in getattr(bpy.context.window_manager, "windows", []):
        for area in window.screen.areas:
            if area.type in {"SEQUENCE_EDITOR", "VIEW_3D", "PREFERENCES"}:
                area.tag_redraw()


def cancel() -> bool:
    if not running():
        return False
    _job.cancel()  # type: ignore[union-attr]
    return True


def load_results(wm: bpy.types.WindowManager, out: Path, keep_metrics: bool = False) -> None:
    """Fill the Results panel (and, for an earlier job, the Metrics panel) from an output folder."""
    wm.ave_output_dir = str(out)
    found = results.outputs(out)
    wm.ave_outputs.clear()
    for name, rel in found.items():
        item = wm.ave_outputs.add()
        item.name, item.path = name, str(out / rel)
    wm.ave_thumbnails.clear()
    for rel in results.thumbnails(out, found):
        item = wm.ave_thumbnails.add()
        item.name, item.path = Path(rel).name, str(out / rel)
    meta = results.metadata(out, found) or {}
    wm.ave_metadata = "\n".join(f"{k}: {v if not isinstance(v, list) else ', '.join(map(str, v))}"
                                for k, v in meta.items() if isinstance(v, (str, int, float, list)))
    wm.ave_decisions.clear()
    for decision in results.decisions(out):
        item = wm.ave_decisions.add()
        item.name = decision.get("item") or decision.get("action", "")
        for field in ("action", "kind", "reason", "director"):
            setattr(item, field, str(decision.get(field) or ""))
        for field in ("source_start", "source_end", "confidence"):
            setattr(item, field, float(decision.get(field) or 0.0))
    if not keep_metrics:
        fill_metrics(wm, results.report_metrics(out))


def refresh_stages(context: bpy.types.Context) -> str | None:
    """Ask the engine for its stages; returns an error, or None."""
    engine, trouble = engine_or_error(context)
    if trouble:
        return trouble
    try:
        stages = runner.stage_list(engine.python, engine_env.environment(engine, settings(context)))
    except (OSError, RuntimeError, ValueError) as exc:
        return f"Could not list the engine's stages: {exc}"
    wm = context.window_manager
    wm.ave_stages.clear()
    for stage in stages:
        item = wm.ave_stages.add()
        item.name, item.help = stage["name"], stage.get("help", "")
    return None


def output_folder(context: bpy.types.Context, video: Path) -> Path:
    return preferences.get(context).jobs_root() / f"{video.stem}_edit"
