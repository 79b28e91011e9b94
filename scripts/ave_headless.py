"""Run the whole job headless inside Blender, then write project.blend (the edit as a Sequencer scene).

    blender -b -P scripts/ave_headless.py -- INPUT --out DIR [--quality Q] [--type T] [--director D] [--jobs N]
    .venv/bin/python scripts/ave_headless.py INPUT --out DIR [...]        # the same, with the bpy module

The engine runs as its own process through the add-on's runner (its background
driver: a plain loop, since timers never fire in background mode); then the
add-on's Sequencer import builds the scene here and saves it. Gemini is used only
when Blender allows online access (`blender --online-mode`) and GEMINI_API_KEY is set.
"""
import argparse
import importlib
import logging
import sys
from pathlib import Path

import bpy  # first: with the bpy module this puts Blender's own modules on sys.path

ADDON = Path(__file__).resolve().parent.parent / "addon"
sys.path.insert(0, str(ADDON.parent))
engine_env = importlib.import_module(f"{ADDON.name}.engine_env")
runner = importlib.import_module(f"{ADDON.name}.runner")
project_file = importlib.import_module(f"{ADDON.name}.project_file")

log = logging.getLogger("ave_headless")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ave_headless", description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path, help="the footage")
    parser.add_argument("--out", type=Path, required=True, help="output folder (made if missing)")
    parser.add_argument("--quality", choices=("fast", "balanced", "high"), default="balanced")
    parser.add_argument("--type", dest="content_type", choices=("auto", "educational", "music", "general"),
                        default="auto")
    parser.add_argument("--director", choices=("auto", "local", "gemini"), default="auto")
    parser.add_argument("--jobs", type=int, default=2, help="engine stages run at once at most")
    parser.add_argument("--memory-limit", type=int, default=0, metavar="MB", help="passed as AVE_MEMORY_LIMIT_MB")
    parser.add_argument("--engine-python", default="", help="Python with the engine (default: found as the add-on "
                                                            "finds it)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    args = parse(argv)
    engine = engine_env.find_engine(args.engine_python, bpy.utils.user_resource("EXTENSIONS"), sys.executable)
    trouble = engine_env.problem(engine)
    if trouble:
        log.error("%s", trouble)
        return 2
    binary = bpy.app.binary_path if bpy.app.binary_path and Path(bpy.app.binary_path).is_file() else ""
    settings = engine_env.JobSettings(
        quality=args.quality, director=args.director, content_type=args.content_type, max_jobs=args.jobs,
        memory_limit_mb=args.memory_limit, online=bool(bpy.app.online_access), blender_binary=binary,
        addon_dir=str(ADDON))
    out = args.out.expanduser().absolute()
    job = runner.EngineJob(engine.python, engine_env.process_args(args.input.expanduser().absolute(), out, settings),
                           engine_env.environment(engine, settings))
    job.start()
    seen: set[str] = set()

    def report(events: list[dict]) -> None:
        for event in events:
            if event.get("event") == "stage_end" and event.get("stage") not in seen:
                seen.add(event["stage"])
                log.info("stage %s: %s (%.0f%%)", event["stage"], event.get("message", ""),
                         100 * event.get("overall", 0.0))

    if job.wait(report) != 0:
        log.error("%s", job.error)
        return job.returncode or 1
    result = project_file.write_project_file(out, args.quality)
    for warning in result.warnings:
        log.warning("%s", warning)
    log.info("wrote %s: %d video, %d sound, %d text, %d overlay strips", out / "project.blend", result.movie,
             result.sound, result.text, result.overlay)
    print(out)
    return 0


sys.exit(main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]))
