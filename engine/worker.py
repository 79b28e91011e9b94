"""A stage's own process: `python -m engine.worker STAGE PROJECT [FINGERPRINT]`.

Protocol with the orchestrator: JSON lines on stdout (progress, then one
`result` or `error`), log lines on stderr. Anything a library prints to stdout
is sent to stderr instead, so it can never break the protocol. The worker reads
context.json but never writes it; it returns its sections in the result.
A cacheable stage whose fingerprint is in the cache replays the cached result
instead of running (see engine.cache).
"""
from __future__ import annotations

import errno
import importlib
import logging
import os
import sys
from pathlib import Path

from .cache import open_cache
from .context import load_context
from .errors import EngineError
from .stages import BY_NAME
from .stages.base import EventWriter, StageJob

log = logging.getLogger("engine.worker")

# The orchestrator parses this to re-log each line under its level and logger (see pipeline._copy_log).
LOG_FORMAT = "%(levelname)s|%(name)s|%(message)s"
USER_FACING_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}


def _die_with_parent() -> None:
    """If the orchestrator is killed (SIGKILL leaves it no time to clean up), this worker dies too, so a
    job run again on the same folder never races an orphan still writing there."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the call above
            os._exit(1)


def _private_stdout() -> EventWriter:
    """Keep the real stdout for events; point fd 1 (and sys.stdout) at stderr."""
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return EventWriter(os.fdopen(events_fd, "w", encoding="utf-8", buffering=1))


def main(argv: list[str]) -> int:
    _die_with_parent()
    events = _private_stdout()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=LOG_FORMAT)
    if len(argv) not in (2, 3) or argv[0] not in BY_NAME:
        events.emit("error", message=f"usage: python -m engine.worker {{{','.join(BY_NAME)}}} PROJECT [FINGERPRINT]")
        return 2
    name, project = argv[0], Path(argv[1])
    fingerprint = argv[2] if len(argv) == 3 else None
    spec = BY_NAME[name]
    replay = spec.cacheable and fingerprint is not None
    cache = open_cache() if replay or spec.uses_ai else None
    try:
        ctx = load_context(project)
        job = StageJob(name, project, ctx, events, cache)
        payload = cache.get(f"stage:{name}", fingerprint) if cache and replay else None
        if payload is not None:
            job.counters.cache_hits += 1
            log.info("stage %s: cached result %s", name, fingerprint)
        else:
            if cache and replay:
                job.counters.cache_misses += 1
            result = importlib.import_module(spec.module).run(job)
            payload = {
                "sections": {k: (None if v is None else v.model_dump(mode="json", by_alias=True))
                             for k, v in result.sections.items()},
                "outputs": result.outputs,
                "warnings": result.warnings,
            }
            if cache and replay and not result.outputs:  # only results held wholly in the context replay
                cache.put(f"stage:{name}", fingerprint, payload)
        events.emit("result", **payload, counters=vars(job.counters))
        return 0
    except EngineError as exc:
        log.error("%s", exc)
        events.emit("error", message=str(exc), exit_code=exc.exit_code)
        return exc.exit_code
    except OSError as exc:
        if exc.errno not in USER_FACING_ERRNOS:
            return _internal_error(events, name, exc)
        # A full disk, a lost permission: the user's to fix, so one line naming the file.
        log.error("stage %s: %s", name, exc, exc_info=True)
        events.emit("error", message=f"{exc.filename or project}: {exc.strerror}", exit_code=2)
        return 2
    except Exception as exc:  # an engine bug: full traceback to run.log, one line to the user
        return _internal_error(events, name, exc)
    finally:
        if cache:
            cache.close()


def _internal_error(events: EventWriter, name: str, exc: BaseException) -> int:
    log.error("stage %s failed", name, exc_info=exc)
    events.emit("error", message=f"internal error in stage {name}: {type(exc).__name__}: {exc} "
                                 f"(details in run.log)", exit_code=3)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
