"""Which Python runs the engine, and the command line and environment a job gets. No bpy in here.

The engine is either a set-up checkout (its .venv's Python, after scripts/setup) or
the self-contained build's bundled wheels, run by Blender's own Python with the
wheels' site-packages on PYTHONPATH. Secrets (the Gemini key) go only into the
environment, never into the command line, which other users can read.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import runner

ENGINE_PYTHON_ENV = "AVE_ENGINE_PYTHON"
KEY_ENV = "GEMINI_API_KEY"
MEMORY_ENV = "AVE_MEMORY_LIMIT_MB"  # the engine's memory ceiling, for the engine to honour
SETUP_HINT = "run scripts/setup in the repository and set Engine Python to its .venv/bin/python, " \
             "or install the self-contained (bundled) build of the add-on"


@dataclass(frozen=True)
class Engine:
    python: str
    source: str  # preferences, environment, bundled, repository
    site_packages: str | None = None  # the bundled wheels, put on PYTHONPATH


def bundled_site_packages(extensions_dir: str) -> Path | None:
    """Where Blender unpacked the bundled build's wheels, when it holds the engine."""
    site = Path(extensions_dir, ".local", "lib", f"python{sys.version_info.major}.{sys.version_info.minor}",
                "site-packages")
    return site if (site / "engine" / "cli.py").is_file() else None


def find_engine(preferred: str, extensions_dir: str, blender_python: str) -> Engine | None:
    """The first of: the preference, $AVE_ENGINE_PYTHON, the bundled wheels, this checkout's .venv."""
    if preferred:
        return Engine(preferred, "preferences")
    if os.environ.get(ENGINE_PYTHON_ENV):
        return Engine(os.environ[ENGINE_PYTHON_ENV], "environment")
    site = bundled_site_packages(extensions_dir)
    if site is not None:
        return Engine(blender_python, "bundled", str(site))
    venv = runner.repo_venv_python()
    return Engine(str(venv), "repository") if venv else None


def problem(engine: Engine | None) -> str | None:
    """Why the engine cannot start, with the fix; None when it can."""
    if engine is None:
        return f"No engine found: {SETUP_HINT}"
    if not Path(engine.python).is_file():
        return f"Engine Python {engine.python} does not exist: {SETUP_HINT}"
    return None


@dataclass(frozen=True)
class JobSettings:
    quality: str = "balanced"
    director: str = "auto"  # auto, local, gemini
    content_type: str = "auto"
    max_jobs: int = 2
    memory_limit_mb: int = 0  # 0: no limit
    api_key: str = ""
    online: bool = False  # Blender's "Allow Online Access"
    blender_binary: str = ""  # a real Blender (not the bpy module) for the engine's Blender stages
    addon_dir: str = ""


def director(settings: JobSettings) -> str:
    """Gemini is a network service: with online access off, the local director plans, whatever was chosen."""
    return settings.director if settings.online else "local"


def option_args(settings: JobSettings) -> list[str]:
    return ["--quality", settings.quality, "--director", director(settings), "--type", settings.content_type,
            "--jobs", str(settings.max_jobs)]


def process_args(video: Path, out: Path, settings: JobSettings) -> list[str]:
    return ["process", str(video), "--out", str(out), *option_args(settings)]


def stage_args(stage: str, out: Path, settings: JobSettings) -> list[str]:
    return [stage, str(out), *option_args(settings)]


def environment(engine: Engine, settings: JobSettings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The engine's whole environment: Blender's, with the key only where it may be used."""
    env = dict(os.environ if base is None else base)
    env.pop(KEY_ENV, None)
    key = settings.api_key or (os.environ.get(KEY_ENV, "") if base is None else base.get(KEY_ENV, ""))
    if key and director(settings) != "local":
        env[KEY_ENV] = key
    if settings.memory_limit_mb > 0:
        env[MEMORY_ENV] = str(settings.memory_limit_mb)
    else:
        env.pop(MEMORY_ENV, None)
    if engine.site_packages:
        env["PYTHONPATH"] = os.pathsep.join([engine.site_packages, *filter(None, [env.get("PYTHONPATH")])])
        env["PYTHONNOUSERSITE"] = "1"
    if settings.blender_binary and "AVE_BLENDER" not in env:
        env["AVE_BLENDER"] = settings.blender_binary
    if settings.addon_dir:
        env["AVE_ADDON_DIR"] = settings.addon_dir
    env["PYTHONUNBUFFERED"] = "1"
    return env
