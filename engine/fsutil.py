"""Atomic writes: a reader never sees a half-written output under its final name."""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def temp_path_for(final: Path) -> Path:
    """A hidden sibling name for writing `final`; same folder, so the rename is atomic."""
    return final.with_name(f".{final.stem}.part{os.getpid()}{final.suffix}")


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to `final` only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(final)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: os.umask() is process-wide, so flipping it later could race with other threads.
_UMASK = _read_umask()


def write_text_atomic(final: Path, text: str, mode: int | None = None) -> None:
    """Write a text file atomically; `mode` defaults to what a plain open() would give."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    try:
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        # A write error carries no file name of its own; the user needs to know which file failed.
        raise OSError(exc.errno, exc.strerror, str(final)) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_json_atomic(final: Path, data: Any) -> None:
    write_text_atomic(final, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
