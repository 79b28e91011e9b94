"""Awkward and bad input: each gets a correct result or one clear line and a non-zero exit, never a
traceback and never a half-written output that looks finished."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import av
import pytest

from conftest import SAMPLE, run_cli, stream_facts
from media_corpus import clip_of_sample, single_frame
from test_bad_input import assert_one_line_error

FAST = ("--quality", "fast", "--progress", "none")


def load(project: Path, name: str) -> dict:
    return json.loads((project / name).read_text())


def video_size(path: Path) -> tuple[int, int]:
    with av.open(str(path)) as container:
        ctx = container.streams.video[0].codec_context
        return ctx.width, ctx.height


def test_audio_only_gives_audio_outputs_and_no_video(tmp_path: Path) -> None:
    source = clip_of_sample(tmp_path / "voice memo.m4a", 30.0, video=False)
    out = tmp_path / "out"
    run_cli("process", str(source), "--out", str(out), *FAST)
    assert not (out / "edited.mp4").exists()
    for name in ("captions.srt", "captions.vtt", "metadata.json", "description.txt", "timeline.json", "edit.otio"):
        assert (out / name).is_file(), name
    assert "derivative" in (out / "captions.srt").read_text().lower()
    report = load(out, "report.json")
    assert report["complete"] is True
    assert any("no video stream" in w for w in report["warnings"])


def test_video_without_audio_is_kept_whole(tmp_path: Path) -> None:
    source = clip_of_sample(tmp_path / "screen.mp4", 12.0, audio=False)
    out = tmp_path / "out"
    run_cli("process", str(source), "--out", str(out), *FAST)
    facts = stream_facts(out / "edited.mp4")
    assert "audio" not in facts and abs(facts["video"]["end"] - 12.0) < 0.1
    assert any("no audio stream" in w for w in load(out, "report.json")["warnings"])


def test_silent_video_has_no_cuts_and_says_why(tmp_path: Path) -> None:
    source = clip_of_sample(tmp_path / "silent.mp4", 12.0, silent=True)
    out = tmp_path / "out"
    run_cli("process", str(source), "--out", str(out), *FAST)
    assert abs(stream_facts(out / "edited.mp4")["video"]["end"] - 12.0) < 0.1
    assert not [d for d in load(out, "timeline.json")["decisions"] if d["action"] == "cut"]
    assert any("no dead air" in w for w in load(out, "report.json")["warnings"])


def test_single_frame_video(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_cli("process", str(single_frame(tmp_path / "still.mp4")), "--out", str(out), *FAST)
    assert stream_facts(out / "edited.mp4")["video"]["count"] == 1


@pytest.mark.parametrize("size, expected", [
    ((360, 640), (360, 640)),  # portrait 9:16 stays vertical
    ((853, 479), (852, 478)),  # odd sizes become even for yuv420p
])
def test_frame_shapes(tmp_path: Path, size, expected) -> None:
    source = clip_of_sample(tmp_path / "clip.mp4", 8.0, size=size)
    out = tmp_path / "out"
    run_cli("process", str(source), "--out", str(out), "--quality", "balanced", "--progress", "none")
    assert video_size(out / "edited.mp4") == expected


def test_4k_is_scaled_to_1080p_in_balanced(tmp_path: Path) -> None:
    source = clip_of_sample(tmp_path / "uhd.mp4", 3.0, size=(3840, 2160))
    out = tmp_path / "out"
    run_cli("process", str(source), "--out", str(out), "--quality", "balanced", "--progress", "none")
    assert video_size(out / "edited.mp4") == (1920, 1080)


def test_variable_frame_rate_stays_in_sync(tmp_path: Path) -> None:
    source = clip_of_sample(tmp_path / "phone.mp4", 15.0, vfr=True)
    with av.open(str(source)) as container:
        assert container.streams.video[0].average_rate != 30  # really variable: frames were dropped
    out = tmp_path / "out"
    run_cli("process", str(source), "--out", str(out), *FAST)
    assert load(out, "context.json")["media"]["video"]["variable_rate"] is True
    facts = stream_facts(out / "edited.mp4")
    assert abs(facts["audio"]["end"] - facts["video"]["end"]) <= 1 / 30


def test_paths_with_spaces_accents_and_quotes(tmp_path: Path) -> None:
    folder = tmp_path / "Vidéos d'été \"final\""
    folder.mkdir()
    source = folder / "my talk – ñ 'v2'.mp4"
    shutil.copy(SAMPLE, source)
    out = folder / "out put ü"
    run_cli("process", str(source), "--out", str(out), *FAST)
    assert (out / "edited.mp4").stat().st_size > 100_000


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through a read-only mode")
def test_read_only_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    proc = run_cli("process", str(SAMPLE), "--out", str(out), check=False)
    assert_one_line_error(proc, out, "cannot write to the output folder")


def test_read_only_output_folder_by_mount_or_chattr(tmp_path: Path) -> None:
    """As root a mode bit does not stop writes, so a read-only bind mount does (where the test may mount)."""
    out = tmp_path / "locked"
    out.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", "-o", "ro", str(out), str(out)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot make a read-only mount here")
    try:
        proc = run_cli("process", str(SAMPLE), "--out", str(out), check=False)
        assert_one_line_error(proc, out, "cannot write to the output folder")
    finally:
        subprocess.run(["umount", str(out)], capture_output=True)


def test_full_disk_fails_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "small"
    out.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(out)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        proc = run_cli("process", str(SAMPLE), "--out", str(out), *FAST, check=False)
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "No space left on device" in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr
        assert not (out / "edited.mp4").exists()
        assert not [p for p in out.rglob("*") if ".part" in p.name]
    finally:
        subprocess.run(["umount", str(out)], capture_output=True)


def test_phone_video_recorded_rotated_is_rendered_upright(tmp_path: Path) -> None:
    import imageio_ffmpeg
    import numpy as np

    from engine.media.frames import quarter_turns

    landscape = clip_of_sample(tmp_path / "landscape.mp4", 6.0)
    phone = tmp_path / "phone.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-display_rotation", "90", "-i", str(landscape),
                    "-c", "copy", str(phone)], check=True)
    out = tmp_path / "out"
    run_cli("process", str(phone), "--out", str(out), "--quality", "balanced", "--progress", "none")
    rotation = load(out, "context.json")["media"]["video"]["rotation"]
    assert quarter_turns(rotation) % 2 == 1
    assert video_size(out / "edited.mp4") == (720, 1280)  # upright portrait
    clip = load(out, "timeline.json")["tracks"][0]["clips"][0]
    with av.open(str(out / "edited.mp4")) as edited, av.open(str(landscape)) as source:
        shown = next(iter(edited.decode(video=0))).to_ndarray(format="gray").astype(float)
        original = [f for i, f in zip(range(clip["source_in"] + 1), source.decode(video=0))][-1]
        upright = np.rot90(original.to_ndarray(format="gray"), quarter_turns(rotation)).astype(float)
    assert np.abs(shown - upright).mean() < 4.0
