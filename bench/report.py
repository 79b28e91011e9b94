"""Regenerate bench/RESULTS.md: the whole job on three clips in each quality mode, beside the references.

    .venv/bin/python bench/report.py [--modes fast balanced high] [--clips talk3m music5m lecture15m]

Clips (made once into bench/work/ at 1080p30): a 3-min general talk, a 5.5-min music performance, a
15-min educational lecture. For each clip and mode: wall time, realtime factor, CPU time and peak RSS of
the whole process tree, against the product spec's targets. In the same run, on the same clip: ffmpeg
decoding every frame, ffmpeg trim/concat re-encoding the balanced plan's cut list at balanced's x264
preset, and auto-editor where it can be installed. Every job starts with an empty cache.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from engine.options import QUALITY_PRESETS  # noqa: E402
from make_music import make_music  # noqa: E402
from make_talk import make_talk  # noqa: E402
from measure import Measured, measure  # noqa: E402
from run import trim_concat_command  # noqa: E402

WORK = BENCH / "work"
GB = 1024.0


@dataclass(frozen=True)
class Clip:
    name: str
    minutes: float
    content_type: str
    target_s: float  # the product spec's bar for processing it
    goal_s: float | None = None  # this project's own goal, where it has one


CLIPS = {
    "talk3m": Clip("talk3m", 3.0, "general", 180.0),
    "music5m": Clip("music5m", 5.5, "music", 300.0),
    "lecture15m": Clip("lecture15m", 15.0, "educational", 600.0, goal_s=300.0),
}


def clip_path(clip: Clip) -> Path:
    path = WORK / f"{clip.name}.mp4"
    if not path.exists():
        print(f"making {path.name} ({clip.minutes} min, 1080p30)...", flush=True)
        if clip.content_type == "music":
            make_music(clip.minutes, path)
        else:
            make_talk(clip.minutes, path)
    return path


def run_job(source: Path, clip: Clip, mode: str, out: Path) -> tuple[Measured, dict]:
    env = {**os.environ, "AVE_CACHE_DIR": str(out.parent / f"cache-{mode}")}
    run = measure([sys.executable, "-m", "engine", "process", str(source), "--out", str(out), "--quality", mode,
                   "--type", clip.content_type, "--director", "local", "--progress", "none"], cwd=ROOT, env=env)
    return run, json.loads((out / "report.json").read_text())


def auto_editor(source: Path, work: Path) -> tuple[Measured | None, str]:
    """auto-editor in its own venv, if it installs here; else why not."""
    venv = work / "auto-editor-venv"
    if not (venv / "bin" / "auto-editor").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "auto-editor"], capture_output=True, text=True,
                             timeout=600)
        if pip.returncode != 0:
            return None, "does not install here: " + (pip.stderr.strip().splitlines() or ["?"])[-1][:160]
    probe = subprocess.run([str(venv / "bin" / "auto-editor"), "--version"], capture_output=True, text=True,
                           timeout=120)
    if probe.returncode != 0:
        return None, "installs but does not run here: " + ((probe.stdout + probe.stderr).strip().splitlines() or ["?"])[0][:160]
    return measure([str(venv / "bin" / "auto-editor"), str(source), "-o", str(work / "auto-editor.mp4"),
                    "--no-open"]), "auto-editor " + probe.stdout.strip()


def row(name: str, m: Measured, duration: float, target: float | None = None) -> str:
    verdict = "" if target is None else (" ✓" if m.wall_s <= target else " ✗")
    return (f"| {name} | {m.wall_s:.1f}{verdict} | {duration / m.wall_s:.2f}x | {m.cpu_s:.1f} | "
            f"{m.peak_rss_mb:.0f} |")


def bench_clip(clip: Clip, modes: list[str], tmp: Path) -> list[str]:
    source = clip_path(clip)
    lines = [f"### {clip.name}: {clip.minutes:g} min, 1080p30, `--type {clip.content_type}`", "",
             f"Spec target: processed in under {clip.target_s / 60:g} min"
             + (f"; this project's goal: {clip.goal_s / 60:g} min in balanced mode" if clip.goal_s else "")
             + "; peak memory under 16 GB.", "",
             "| run | wall s | realtime | CPU s | peak RSS MB |", "|---|---|---|---|---|"]
    duration = clip.minutes * 60
    timeline = None
    notes = []
    for mode in modes:
        out = tmp / f"{clip.name}-{mode}"
        run, report = run_job(source, clip, mode, out)
        target = min(clip.target_s, clip.goal_s) if clip.goal_s and mode == "balanced" else clip.target_s
        lines.append(row(f"ai-video-editor process, {mode}", run, duration, target))
        print(f"{clip.name} {mode}: {run.wall_s:.1f} s, peak {run.peak_rss_mb:.0f} MB", flush=True)
        slowest = sorted(report["stages"], key=lambda r: -r["wall_s"])[:4]
        notes.append(f"{mode}: " + ", ".join(f"{r['name']} {r['wall_s']:.0f} s" for r in slowest)
                     + f"; kept {json.loads((out / 'context.json').read_text())['plan']['kept_s']:.0f} s")
        if mode == "balanced":
            timeline = json.loads((out / "timeline.json").read_text())
        assert run.peak_rss_mb < 16 * GB
    decode = measure([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(source),
                      "-f", "null", "-"])
    lines.append(row("ffmpeg: decode every frame", decode, duration))
    if timeline is not None:
        preset = QUALITY_PRESETS["balanced"]
        ref = measure(trim_concat_command(source, timeline, tmp / "ref.mp4", preset.x264_preset, preset.crf,
                                          min(1080, timeline["height"])))
        lines.append(row("ffmpeg: trim/concat of the balanced cut list, same preset", ref, duration))
    ae, what = auto_editor(source, tmp)
    if ae is not None:
        lines.append(row(what, ae, duration))
    lines += ["", "Slowest stages: " + "; ".join(notes) + ".", f"auto-editor: {what}." if ae is None else "", ""]
    return lines


def component_benches() -> list[str]:
    """The analysis (issue 3) and renderer (issue 5) benchmarks on the 3-min talk, their tables as printed."""
    source = clip_path(CLIPS["talk3m"])
    lines = []
    for title, script, extra in (
            ("Analysis alone (probe, audio, transcription, visual, content), 3-min talk",
             "analysis_bench.py", ["--quality", "fast", "balanced"]),
            ("Renderer alone, 3-min talk, 30 cuts (3 zooms and 3 titles in the first row)",
             "render_bench.py", ["--cuts", "30"])):
        proc = subprocess.run([sys.executable, str(BENCH / script), str(source), *extra], capture_output=True,
                              text=True, cwd=ROOT, check=True)
        lines += [f"### {title}", "", f"`.venv/bin/python bench/{script} bench/work/talk3m.mp4 {' '.join(extra)}`",
                  "", proc.stdout.strip(), ""]
    return lines


def write_report(out: Path, started: str, load_before: float, sections: list[str]) -> None:
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
               f"{platform.platform()}, no GPU used")
    text = "\n".join([
        "# Benchmark results", "",
        f"Regenerated by `.venv/bin/python bench/report.py` on {started}. Machine: {machine}. Load average "
        f"before the run: {load_before:.1f}. Times are wall seconds of the whole command; CPU is user + system "
        "of the whole process tree; peak RSS is of the whole tree (orchestrator and stages running side by "
        "side), sampled every 50 ms. ✓/✗: within the spec's target (the balanced 15-min row: this project's "
        "5-min goal). Every job ran with the local director and an empty cache.", "",
        *sections,
    ])
    out.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["fast", "balanced", "high"])
    parser.add_argument("--clips", nargs="+", default=list(CLIPS), help="run in this order, reported in table order")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--no-components", action="store_true", help="skip the analysis and renderer benches")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[0]
    by_clip: dict[str, list[str]] = {}

    def sections() -> list[str]:
        return ["## The whole job", ""] + [line for name in CLIPS if name in by_clip for line in by_clip[name]]

    with tempfile.TemporaryDirectory(prefix="ave-report-") as tmp:
        for name in args.clips:
            by_clip[name] = bench_clip(CLIPS[name], args.modes, Path(tmp))
            # Written after each clip, so that a long run that stops early still leaves what it measured.
            write_report(args.out, started, load_before, sections())
            print("\n".join(by_clip[name]), flush=True)
    components = [] if args.no_components else ["## Components", ""] + component_benches()
    write_report(args.out, started, load_before, sections() + components)


if __name__ == "__main__":
    main()
