"""Bad input ends in one clear line naming the file, a non-zero exit, and no finished-looking output."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLE, run_cli


def assert_one_line_error(proc, path: Path, words: str) -> None:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and str(path) in lines[0] and words in lines[0], lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def make_empty(tmp: Path) -> Path:
    path = tmp / "empty.mp4"
    path.write_bytes(b"")
    return path


def make_text(tmp: Path) -> Path:
    path = tmp / "notes.mp4"
    path.write_text("these are my lecture notes, not a video\n" * 20)
    return path


def make_truncated(tmp: Path) -> Path:
    path = tmp / "truncated.mp4"
    path.write_bytes(SAMPLE.read_bytes()[:200_000])
    return path


@pytest.mark.parametrize("make, words", [
    (lambda tmp: tmp / "does-not-exist.mp4", "file not found"),
    (make_empty, "file is empty"),
    (make_text, "not a readable media file"),
])
def test_bad_input_is_refused(tmp_path: Path, make, words: str) -> None:
    path = make(tmp_path)
    out = tmp_path / "out"
    proc = run_cli("process", str(path), "--out", str(out), check=False)
    assert_one_line_error(proc, path, words)
    assert not (out / "edited.mp4").exists()


def test_truncated_file_fails_cleanly(tmp_path: Path) -> None:
    path = make_truncated(tmp_path)
    out = tmp_path / "out"
    proc = run_cli("process", str(path), "--out", str(out), check=False)
    # The MP4 index sits at the end of this file, so a cut-off copy has none: refused before any output.
    assert_one_line_error(proc, path, "not a readable media file")
    assert not (out / "edited.mp4").exists()


def test_stage_on_a_folder_without_a_project(tmp_path: Path) -> None:
    proc = run_cli("render", str(tmp_path), check=False)
    assert_one_line_error(proc, tmp_path, "no context.json")


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    out = blocker / "out"
    proc = run_cli("process", str(SAMPLE), "--out", str(out), check=False)
    assert_one_line_error(proc, out, "cannot write to the output folder")
