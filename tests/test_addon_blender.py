"""The installed extension in real bpy 5.0.1: preferences, every operator headless, and the Gemini key's path."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fake_gemini import FakeGemini, error_reply

HERE = Path(__file__).resolve().parent
KEY = "AIzaSy-test-key-0f3c9a-never-in-files"


@pytest.fixture(scope="module")
def session(extension_zip: Path, processed: Path, tmp_path_factory) -> tuple[dict, Path, Path, FakeGemini]:
    tmp = tmp_path_factory.mktemp("session")
    project = tmp / "jobs" / "talk_edit"
    shutil.copytree(processed, project)
    with FakeGemini([error_reply(500)]) as fake:
        env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp / "blender-user"),
               "AVE_GEMINI_BASE_URL": fake.url, "AVE_GEMINI_BACKOFF_S": "0.01", "AVE_GEMINI_MIN_INTERVAL_S": "0",
               "AVE_GEMINI_TIMEOUT_S": "2", "AVE_CACHE_DIR": str(tmp / "cache")}
        env.pop("GEMINI_API_KEY", None)
        proc = subprocess.run([sys.executable, str(HERE / "blender" / "addon_session.py"), str(extension_zip),
                               str(project), KEY], capture_output=True, text=True, env=env, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout.strip().splitlines()[-1]), project, tmp, fake


def test_extension_is_enabled_with_its_operators_and_preferences(session) -> None:
    seen = session[0]
    assert seen["enabled"] is True
    assert {"process", "run_stage", "cancel", "import_edit", "load_results", "open_path", "refresh_stages",
            "use_active_strip"} <= set(seen["operators"])
    assert {"engine_python", "output_dir", "quality", "director", "gemini_api_key", "max_jobs", "memory_limit_mb",
            "import_when_done"} <= set(seen["preferences"])
    assert seen["key_subtype"] == "PASSWORD"


def test_stage_buttons_come_from_the_engine(session) -> None:
    from engine.stages import STAGES

    assert session[0]["refresh_stages"] == ["FINISHED"]
    assert session[0]["stages"] == [s.name for s in STAGES]


def test_each_operator_runs_headless(session) -> None:
    seen, project = session[0], session[1]
    assert seen["run_stage_plan"] == ["FINISHED"] and seen["status"] == f"Done: {project}"
    assert "plan" in seen["metrics"]
    assert seen["run_stage_unknown"][0].startswith("error: ") and "no-such-stage" in seen["run_stage_unknown"][0]
    assert seen["import_edit"] == ["FINISHED"] and seen["imported_strips"] > 10
    assert (project / "project.blend").is_file()
    assert seen["load_results"] == ["FINISHED"] and seen["decisions"] > 0 and "timeline" in seen["outputs"]
    assert seen["use_active_strip"] == ["FINISHED"] and seen["video"].endswith("talk.mp4")
    assert seen["cancel_when_idle"][0].startswith("error: ")  # nothing to cancel: its poll fails


def test_job_options_reach_the_engine(session) -> None:
    args = session[0]["job_args"]
    assert args[:2] == ["plan", str(session[1])]
    assert args[args.index("--quality") + 1] == "fast" and args[args.index("--jobs") + 1] == "1"
    assert args[args.index("--director") + 1] == "gemini"  # online access is on
    assert session[0]["job_env_memory"] == "3000"


def test_the_key_reaches_gemini_through_the_environment_only(session) -> None:
    seen, project, tmp, fake = session
    assert seen["online"] is True and seen["job_env_key"] is True and seen["key_reads_back"] is True
    assert KEY not in " ".join(seen["job_args"])
    assert fake.requests and all(r["headers"].get("x-goog-api-key") == KEY for r in fake.requests)
    assert seen["key_file_mode"] == "0o600"
    assert seen["env_key_in_blender"] is None


def test_the_key_is_never_written_to_a_project_file_or_the_preferences(session) -> None:
    seen, project = session[0], session[1]
    files = [project / name for name in ("project.blend", "run.log", "context.json", "report.json")]
    files.append(Path(seen["userpref"]))
    for path in files:
        assert path.is_file(), path
        assert KEY.encode() not in path.read_bytes(), path


def test_panels_draw_in_the_sequencer_and_the_3d_view(session) -> None:
    seen = session[0]
    assert seen["panel_spaces"] == ["SEQUENCE_EDITOR", "VIEW_3D"]
    draws = seen["draws"]
    for space in ("sequencer", "view3d"):
        assert "progress" in draws[f"running/{space}/main"]  # the progress bar with the stage's name
        assert "progress" not in draws[f"results/{space}/main"]
        assert draws[f"results/{space}/metrics"].count("row") >= 3  # header, a stage, the total
        assert "template_list" in draws[f"results/{space}/results"]  # the decisions
