"""Command line: `ai-video-editor process INPUT --out DIR`, and one subcommand per stage.

Every failure the user can cause ends as one line on stderr (`error: FILE: problem`)
and a non-zero exit code; tracebacks go to run.log only.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import typing
from pathlib import Path
from typing import Any

from . import __version__
from .errors import EngineError, InputError, ProjectError
from .options import JobOptions, option_fields

log = logging.getLogger("engine")

PROGRESS_CHOICES = ("auto", "bar", "json", "log", "none")


def _add_option_flags(parser: argparse.ArgumentParser, keep_project_values: bool) -> None:
    """One flag per JobOptions field; for stage subcommands the default is 'keep the project's value'."""
    group = parser.add_argument_group("job options")
    for name, info in option_fields():
        annotation = info["annotation"]
        choices = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else None
        kwargs: dict[str, Any] = {"dest": name, "help": info["help"]}
        if choices:
            kwargs["choices"] = choices
        else:
            # float | None (an optional number) parses as float; str stays str.
            kwargs["type"] = next((t for t in (int, float, str) if t is annotation or t in typing.get_args(annotation)))
        if keep_project_values:
            kwargs["default"] = None
        else:
            kwargs["default"] = info["default"]
            if info["default"] is not None:
                kwargs["help"] += f" (default: {info['default']})"
        group.add_argument(info["flag"], **kwargs)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--progress", choices=PROGRESS_CHOICES, default="auto",
                        help="bar on a terminal, json lines for tools, log lines otherwise (default: auto)")
    parser.add_argument("--jobs", type=int, default=None, help="stages run at once at most (default: the CPU cores)")
    parser.add_argument("--max-memory", type=float, default=_env_float("AVE_MEMORY_LIMIT_MB"), metavar="MB",
                        help="bound on the job's memory: it runs fewer stages at once and smaller batches to stay "
                             "under it, never fails for it (default: 80%% of the memory free; env AVE_MEMORY_LIMIT_MB)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to the terminal too, not only run.log")


def _env_float(name: str) -> float | None:
    try:
        return float(os.environ[name]) if os.environ.get(name) else None
    except ValueError:
        return None


def build_parser() -> argparse.ArgumentParser:
    from .stages import STAGES

    parser = argparse.ArgumentParser(
        prog="ai-video-editor",
        description="Edit raw footage into a finished video package, offline by default.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    process = sub.add_parser("process", help="run the whole job on INPUT, writing everything into --out")
    process.add_argument("input", type=Path, metavar="INPUT", help="the footage (a video or audio file)")
    process.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (made if missing)")
    process.add_argument("--only", metavar="STAGE[,STAGE]", type=lambda v: [x.strip() for x in v.split(",") if x.strip()],
                         help="run just these stages and what they need (e.g. --only content: the analysis alone)")
    _add_option_flags(process, keep_project_values=False)
    _add_common(process)
    stages = sub.add_parser("stages", help="list the stages (for tools: --json)")
    stages.add_argument("--json", action="store_true", help="one JSON array of {name, needs, help}")
    keep = sub.add_parser("keep-thumbnail", help="keep thumbnail N's template: later jobs draw it first")
    keep.add_argument("project", type=Path, metavar="DIR", help="an output folder with thumbnails")
    keep.add_argument("number", type=int, metavar="N", help="the variant's number (thumb_N.jpg)")
    explain = sub.add_parser("explain", help="print every decision of the edit with its time, reason and confidence")
    explain.add_argument("project", type=Path, metavar="DIR", help="an output folder made by `process`")
    for stage in STAGES:
        cmd = sub.add_parser(stage.name, help=f"re-run one stage on an output folder: {stage.help}")
        cmd.add_argument("project", type=Path, metavar="DIR", help="an output folder made by `process`")
        _add_option_flags(cmd, keep_project_values=True)
        _add_common(cmd)
    return parser


class _OneLine(logging.Formatter):
    """Terminal lines never carry a traceback; run.log does."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging(project: Path | None, verbose: bool) -> None:
    # A log line that cannot be written (a full disk) must not print a traceback to the user.
    logging.raiseExceptions = False
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.INFO if verbose else logging.WARNING)
    console.setFormatter(_OneLine())
    console.addFilter(lambda record: not getattr(record, "from_worker", False))
    root.addHandler(console)
    if project is not None:
        handler = logging.FileHandler(project / "run.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)


def _prepare_out(out: Path) -> Path:
    out = out.expanduser().absolute()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe_file = out / ".write-test"
        probe_file.write_bytes(b"")
        probe_file.unlink()
    except OSError as exc:
        raise ProjectError(f"cannot write to the output folder ({exc.strerror or exc})", out) from None
    return out


def _absolute_paths(values: dict[str, Any]) -> dict[str, Any]:
    """File options as absolute paths: stage workers run in the project folder, not the user's."""
    if values.get("music_bed"):
        music = Path(values["music_bed"]).expanduser().absolute()
        if not music.is_file():
            raise InputError("music file not found", music)
        values["music_bed"] = str(music)
    return values


def cmd_process(args: argparse.Namespace) -> int:
    from .media.hashing import content_hash
    from .media.probe import open_media
    from .pipeline import existing_context, new_context, run_job
    from .progress import make_sink

    from .stages import BY_NAME

    unknown = [name for name in (args.only or []) if name not in BY_NAME]
    if unknown:
        raise EngineError(f"unknown stage {unknown[0]!r}; stages: {', '.join(BY_NAME)}")
    source = args.input.expanduser().absolute()
    # Fail on bad input before anything is written.
    open_media(source).close()
    options = JobOptions(**_absolute_paths({name: getattr(args, name) for name, _ in option_fields()}))
    project = _prepare_out(args.out)
    _setup_logging(project, args.verbose)
    log.info("ai-video-editor %s: %s -> %s", __version__, source, project)
    digest = content_hash(source)
    ctx = existing_context(project, source, digest) or new_context(source, options)
    ctx.options = options
    sink = make_sink(args.progress)
    try:
        run_job(project, ctx, digest, args.only, sink, max_jobs=args.jobs, max_memory_mb=args.max_memory)
    finally:
        getattr(sink, "close", lambda: None)()
    _print_outputs(project, ctx.outputs, args.progress)
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    from .context import load_context
    from .media.hashing import content_hash
    from .pipeline import run_job
    from .progress import make_sink
    from .stages import BY_NAME

    project = args.project.expanduser().absolute()
    if not project.is_dir():
        raise ProjectError("output folder not found", project)
    _setup_logging(project, args.verbose)
    ctx = load_context(project)
    missing = [n for n in BY_NAME[args.command].needs if n not in ctx.stages]
    if missing:
        raise ProjectError(f"stage {args.command} needs {', '.join(missing)} first; run `process` on this folder",
                           project)
    given = _absolute_paths({name: getattr(args, name) for name, _ in option_fields() if getattr(args, name) is not None})
    if given:
        ctx.options = ctx.options.model_copy(update=given)
        JobOptions.model_validate(ctx.options.model_dump())
    source = Path(ctx.input)
    if not source.is_file():
        raise InputError("input file is gone; run `process` again", source)
    run_job(project, ctx, content_hash(source), [args.command], make_sink(args.progress),
            force={args.command}, max_jobs=args.jobs, max_memory_mb=args.max_memory)
    _print_outputs(project, ctx.outputs, args.progress)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from .review import explain_lines
    from .timeline import load_timeline

    timeline = load_timeline(args.project.expanduser().absolute())
    print("\n".join(explain_lines(timeline)))
    kept, cut = timeline.duration_s, sum(d.source_end - d.source_start for d in timeline.decisions if d.action == "cut")
    print(f"{len(timeline.decisions)} decisions; {cut:.1f} s cut, {kept:.1f} s kept")
    return 0


def cmd_keep_thumbnail(args: argparse.Namespace) -> int:
    from .cache import open_cache
    from .context import load_context
    from .stages.thumbnails import keep_template

    project = args.project.expanduser().absolute()
    ctx = load_context(project)
    variants = ctx.thumbnails.variants if ctx.thumbnails else []
    if not 1 <= args.number <= len(variants):
        raise ProjectError(f"no thumbnail {args.number}: this project has {len(variants)}", project)
    cache = open_cache()
    if cache is None:
        raise ProjectError("the cache is off (AVE_CACHE_DIR=off): nothing can be kept", project)
    keep_template(cache, variants[args.number - 1].template)
    cache.close()
    print(f"kept the template of {variants[args.number - 1].file}; later jobs draw it first")
    return 0


def cmd_stages(args: argparse.Namespace) -> int:
    from .stages import STAGES

    if args.json:
        print(json.dumps([{"name": s.name, "needs": list(s.needs), "help": s.help} for s in STAGES]))
    else:
        for s in STAGES:
            print(f"{s.name:<12} {s.help}")
    return 0


def _print_outputs(project: Path, outputs: dict[str, str], progress: str) -> None:
    if progress == "json":
        return
    print(f"Outputs in {project}:")
    for rel in ["run.log", "report.json", "context.json", *sorted(set(outputs.values()))]:
        if (project / rel).exists():
            print(f"  {project / rel}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(None, getattr(args, "verbose", False))
    try:
        commands = {"process": cmd_process, "explain": cmd_explain, "stages": cmd_stages,
                    "keep-thumbnail": cmd_keep_thumbnail}
        return commands.get(args.command, cmd_stage)(args)
    except EngineError as exc:
        log.debug("failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, details in run.log
        log.exception("internal error")
        print(f"error: internal error: {type(exc).__name__}: {exc} (details in run.log)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
