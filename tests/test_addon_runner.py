"""The add-on's bpy-free parts: where the engine runs, what a job gets, the runner, the results it reads."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from addon import engine_env, results, runner
from conftest import ROOT

SECRET = "AIza-test-secret-0123456789"


def test_engine_python_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(engine_env.ENGINE_PYTHON_ENV, raising=False)
    extensions = tmp_path / "extensions"
    # Without a preference or a bundle, the checkout's set-up venv.
    found = engine_env.find_engine("", str(extensions), "/blender/python3.11")
    assert found == engine_env.Engine(str(ROOT / ".venv" / "bin" / "python"), "repository")
    site = extensions / ".local" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site / "engine").mkdir(parents=True)
    (site / "engine" / "cli.py").write_text("")
    assert engine_env.find_engine("", str(extensions), "/blender/python3.11") == \
        engine_env.Engine("/blender/python3.11", "bundled", str(site))
    monkeypatch.setenv(engine_env.ENGINE_PYTHON_ENV, "/env/python")
    assert engine_env.find_engine("", str(extensions), "x").source == "environment"
    assert engine_env.find_engine("/pref/python", str(extensions), "x") == engine_env.Engine("/pref/python",
                                                                                            "preferences")


def test_missing_engine_says_how_to_fix_it() -> None:
    assert "scripts/setup" in engine_env.problem(None)
    assert "scripts/setup" in engine_env.problem(engine_env.Engine("/nowhere/python", "preferences"))
    assert engine_env.problem(engine_env.Engine(sys.executable, "preferences")) is None


def test_the_key_goes_only_into_the_environment_and_only_when_online() -> None:
    engine = engine_env.Engine(sys.executable, "repository")
    online = engine_env.JobSettings(director="gemini", api_key=SECRET, online=True, memory_limit_mb=1500, max_jobs=3)
    args = engine_env.process_args(Path("/v.mp4"), Path("/out"), online)
    assert SECRET not in " ".join(args)
    assert args[args.index("--director") + 1] == "gemini" and args[args.index("--jobs") + 1] == "3"
    env = engine_env.environment(engine, online, base={"PATH": "/bin"})
    assert env[engine_env.KEY_ENV] == SECRET and env[engine_env.MEMORY_ENV] == "1500"
    offline = engine_env.JobSettings(director="gemini", api_key=SECRET, online=False)
    args = engine_env.stage_args("plan", Path("/out"), offline)
    assert args[:2] == ["plan", "/out"] and args[args.index("--director") + 1] == "local"
    # Blender's own environment may hold a key too: with online access off it is not passed on.
    env = engine_env.environment(engine, offline, base={"PATH": "/bin", engine_env.KEY_ENV: SECRET})
    assert engine_env.KEY_ENV not in env and engine_env.MEMORY_ENV not in env
    local = engine_env.JobSettings(director="local", api_key=SECRET, online=True)
    assert engine_env.KEY_ENV not in engine_env.environment(engine, local, base={})


def test_bundled_engine_gets_its_wheels_on_the_path() -> None:
    engine = engine_env.Engine("/blender/python", "bundled", "/ext/.local/lib/python3.11/site-packages")
    settings = engine_env.JobSettings(blender_binary="/opt/blender/blender", addon_dir="/ext/ai_video_editor")
    env = engine_env.environment(engine, settings, base={"PYTHONPATH": "/x"})
    assert env["PYTHONPATH"] == os.pathsep.join([engine.site_packages, "/x"]) and env["PYTHONNOUSERSITE"] == "1"
    assert env["AVE_BLENDER"] == "/opt/blender/blender" and env["AVE_ADDON_DIR"] == "/ext/ai_video_editor"


def test_stage_names_come_from_the_engine() -> None:
    from engine.stages import STAGES

    names = [s["name"] for s in runner.stage_list(sys.executable)]
    assert names == [s.name for s in STAGES]


def test_background_driver_follows_a_job_to_its_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    job = runner.EngineJob(sys.executable, ["process", str(bad), "--out", str(tmp_path / "out")])
    job.start()
    assert job.wait() != 0 and "not a readable media file" in job.error
    assert job.elapsed_s > 0 and not job.cancelled


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "?"
    return state != "Z"


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_cancel_kills_workers_in_sessions_of_their_own(tmp_path: Path) -> None:
    # Like the engine's orchestrator, which starts each stage worker with start_new_session=True.
    pids = tmp_path / "pids"
    script = ("import os, subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
              " start_new_session=True)\n"
              f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
              "time.sleep(60)\n")
    engine_dir = tmp_path / "fake" / "engine"
    engine_dir.mkdir(parents=True)
    (engine_dir / "__init__.py").write_text("")
    (engine_dir / "__main__.py").write_text(script)
    job = runner.EngineJob(sys.executable, ["process"], env={**os.environ, "PYTHONPATH": str(engine_dir.parent)})
    job.start()
    deadline = time.monotonic() + 30
    while not (pids.exists() and pids.read_text().count(" ") == 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    parent, child = map(int, pids.read_text().split())
    job.cancel()
    job.wait()
    assert job.error == "cancelled"
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child) and not _alive(parent)


def test_results_come_from_the_engines_records(processed: Path) -> None:
    found = results.outputs(processed)
    assert found["timeline"] == "timeline.json" and all((processed / rel).exists() for rel in found.values())
    decisions = results.decisions(processed)
    assert decisions and all(d["reason"] for d in decisions)
    rows = results.metric_rows(results.report_metrics(processed))
    report = json.loads((processed / "report.json").read_text())
    assert [r.name for r in rows] == [s["name"] for s in report["stages"]]
    total = results.total(rows)
    assert total.peak_rss_mb == max(r.peak_rss_mb for r in rows)
    assert total.cache_hits + total.cache_misses == sum(r.cache_hits + r.cache_misses for r in rows)


def test_metric_totals_and_cache_hit_rate() -> None:
    rows = results.metric_rows({"a": {"wall_s": 2, "peak_rss_mb": 100, "api_calls": 2, "cache_hits": 3,
                                      "cache_misses": 1, "cost_usd": 0.01},
                                "b": {"wall_s": 1, "peak_rss_mb": 300, "cache_hits": 0, "cache_misses": 0}})
    total = results.total(rows, elapsed_s=2.5)
    assert (total.wall_s, total.peak_rss_mb, total.api_calls, total.cost_usd) == (2.5, 300, 2, 0.01)
    assert total.cache_hit_rate == 0.75 and rows[1].cache_hit_rate is None


def test_thumbnails_and_metadata_are_found_by_name(tmp_path: Path) -> None:
    (tmp_path / "thumbnails").mkdir()
    for name in ("thumb_1.jpg", "contact_sheet.png"):
        (tmp_path / "thumbnails" / name).write_bytes(b"x")
    (tmp_path / "metadata.json").write_text(json.dumps({"titles": ["A", "B"], "description": "d"}))
    (tmp_path / "context.json").write_text(json.dumps({"outputs": {
        "thumbnail_1": "thumbnails/thumb_1.jpg", "metadata": "metadata.json", "gone": "missing.txt"}}))
    found = results.outputs(tmp_path)
    assert "gone" not in found
    assert results.thumbnails(tmp_path, found) == ["thumbnails/thumb_1.jpg", "thumbnails/contact_sheet.png"]
    assert results.metadata(tmp_path, found) == {"titles": ["A", "B"], "description": "d"}
