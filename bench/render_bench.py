"""Benchmark the renderer side by side with ffmpeg on one clip, in one run.

    .venv/bin/python bench/render_bench.py bench/work/talk3m.mp4 [--cuts 30]

Builds two timelines on the clip: a cut-only plan (`--cuts` cuts, each removing 0.8-1.6 s,
at positions that ignore the GOP grid, as dead-air removal does) and the same cuts
with 3 zooms and 3 titles. Then measures, each in its own process (wall, CPU, peak RSS
of the process tree):

- ours, balanced, with the effects;
- ours, balanced, cut only;
- ffmpeg trim/concat of the same cut list at the same x264 preset and CRF (bench/run.py's reference);
- ours, fast (smart render), cut only.

Prints a Markdown table, the ratios the targets are about, the load average and the
busiest other processes (timings on a shared machine are only as good as its quiet).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine.media.probe import probe  # noqa: E402
from engine.options import QUALITY_PRESETS  # noqa: E402
from engine.timeline import (  # noqa: E402
    Clip, Effect, Keyframe, MediaRef, TextLayer, Timeline, Track, save_timeline, seconds_to_frame,
)
from measure import measure  # noqa: E402
from run import trim_concat_command  # noqa: E402

TITLES = (("title_card", "What is a derivative?", "Part 1"), ("lower_third", "Ada Lovelace", "Analyst"),
          ("keyword_card", "Rate of change", None))


def kept_ranges(frames: int, rate: Fraction, cuts: int, seed: int = 7) -> list[tuple[int, int]]:
    """`cuts` removed stretches of 0.8-1.6 s spread over the clip, off the GOP grid."""
    rng = random.Random(seed)
    spacing = frames // (cuts + 1)
    removed = []
    for index in range(1, cuts + 1):
        centre = index * spacing + rng.randint(-spacing // 4, spacing // 4)
        length = seconds_to_frame(rng.uniform(0.8, 1.6), rate)
        removed.append((centre - length // 2, centre - length // 2 + length))
    kept, position = [], 0
    for a, b in removed:
        kept.append((position, a))
        position = b
    kept.append((position, frames))
    return kept


def build(clip: Path, cuts: int, effects: bool) -> Timeline:
    media = probe(clip)
    rate, frames = media.video.rate, media.video.frame_count
    video, audio, position = [], [], 0
    for index, (a, b) in enumerate(kept_ranges(frames, rate, cuts)):
        video.append(Clip(id=f"v{index}", media="src", source_in=a, source_out=b, start=position))
        audio.append(Clip(id=f"a{index}", media="src", source_in=a, source_out=b, start=position))
        position += b - a
    tracks = [Track(id="V1", kind="video", clips=video), Track(id="A1", kind="audio", clips=audio)]
    if effects:
        second = seconds_to_frame(1.0, rate)
        for index in range(3):
            start = position * (2 * index + 1) // 7
            end = start + 3 * second
            tracks[0].effects.append(Effect(
                id=f"zoom{index}", kind="zoom", start=start, end=end,
                scale=[Keyframe(frame=start, value=1.0), Keyframe(frame=start + 8, value=1.25, interpolation="linear"),
                       Keyframe(frame=end - 8, value=1.25), Keyframe(frame=end, value=1.0)],
                center_x=[Keyframe(frame=start, value=0.5, interpolation="hold")],
                center_y=[Keyframe(frame=start, value=0.45, interpolation="hold")]))
        layers = []
        for index, (kind, text, subtitle) in enumerate(TITLES):
            start = position * (2 * index + 2) // 7
            layers.append(TextLayer(id=f"text{index}", kind=kind, start=start, end=start + 3 * second, text=text,
                                    subtitle=subtitle, animation=("pop", "slide", "fade")[index]))
        tracks.append(Track(id="T1", kind="overlay", layers=layers))
    return Timeline(rate=rate, width=media.video.width, height=media.video.height,
                    sample_rate=media.audio.sample_rate if media.audio else None,
                    media=[MediaRef(id="src", role="source", path=str(clip.resolve()), duration_frames=frames,
                                    has_video=True, has_audio=media.audio is not None)],
                    tracks=tracks)


def render_one(project: Path, clip: Path, quality: str) -> None:
    """Child process: render a project's timeline.json, as the render stage does."""
    import logging

    from engine.options import JobOptions
    from engine.render import render_timeline
    from engine.timeline import load_timeline

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    result = render_timeline(load_timeline(project), probe(clip), project, JobOptions(quality=quality))
    (project / "result.json").write_text(json.dumps({
        "frames": result.frames, "copied": result.copied_frames, "composited": result.composited_frames,
        "encoder": result.encoder, "loudness": result.loudness.integrated_lufs if result.loudness else None}))


def busiest_others(limit: int = 5) -> list[str]:
    """The processes using the most CPU over one second, as `percent command`."""
    procs = list(psutil.process_iter(["cmdline", "name"]))
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.cpu_percent(interval=None)
    time.sleep(1.0)
    rows = []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            rows.append((p.cpu_percent(interval=None), " ".join(p.info["cmdline"] or [p.info["name"]])[:90]))
    return [f"{cpu:.0f}% {cmd}" for cpu, cmd in sorted(rows, reverse=True)[:limit] if cpu > 5]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--cuts", type=int, default=30)
    parser.add_argument("--render-one", nargs=2, metavar=("PROJECT", "QUALITY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    clip = args.clip.resolve()
    if args.render_one:
        render_one(Path(args.render_one[0]), clip, args.render_one[1])
        return
    media = probe(clip)
    preset = QUALITY_PRESETS["balanced"]
    out_height = min(media.video.height, preset.max_height or media.video.height)
    load_before = os.getloadavg()
    others = busiest_others()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ave-render-bench-") as tmp:
        work = Path(tmp)
        results = {}
        for name, quality, effects in (("balanced_effects", "balanced", True), ("balanced_cuts", "balanced", False),
                                       ("fast_cuts", "fast", False)):
            project = work / name
            timeline = build(clip, args.cuts, effects)
            save_timeline(project, timeline)
            measured = measure([sys.executable, str(Path(__file__).resolve()), str(clip), "--render-one",
                                str(project), quality], cwd=ROOT)
            results[name] = (measured, json.loads((project / "result.json").read_text()), timeline)
        timeline = results["balanced_cuts"][2]
        reference = measure(trim_concat_command(clip, json.loads(timeline.to_json()), work / "ref.mp4",
                                                preset.x264_preset, preset.crf, out_height))
    load_after = os.getloadavg()
    duration = media.duration_s
    kept_s = timeline.duration_s
    fps = float(timeline.rate)
    labels = {"balanced_effects": f"ours, balanced, {args.cuts} cuts + 3 zooms + 3 titles",
              "balanced_cuts": f"ours, balanced, {args.cuts} cuts",
              "fast_cuts": f"ours, fast (smart), {args.cuts} cuts"}
    print(f"clip: {clip.name}, {duration:.1f} s, {media.video.width}x{media.video.height}, GOP "
          f"{media.video.keyframe_interval_s} s; {args.cuts} cuts, {kept_s:.1f} s kept; "
          f"balanced = x264 {preset.x264_preset} crf {preset.crf}, {out_height}p")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.platform()}")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f}; busiest other processes at the "
          f"start: {'; '.join(others) or 'none'}")
    print("| what | wall s | x realtime (input) | output frames/s | CPU s | peak RSS MB | notes |")
    print("|---|---|---|---|---|---|---|")
    for name, (m, info, _) in results.items():
        notes = f"{info['composited']} composited" + (f", {info['copied']} copied" if info["copied"] else "")
        rows.append((labels[name], m, notes))
    rows.append(("ffmpeg trim/concat, same cuts, same preset", reference, ""))
    for label, m, notes in rows:
        print(f"| {label} | {m.wall_s:.1f} | {duration / m.wall_s:.2f} | {kept_s * fps / m.wall_s:.0f} | "
              f"{m.cpu_s:.1f} | {m.peak_rss_mb:.0f} | {notes} |")
    print(f"\nbalanced cut-only throughput vs ffmpeg: {reference.wall_s / results['balanced_cuts'][0].wall_s:.2f}x "
          f"(target >= 0.9)")
    print(f"balanced with effects vs ffmpeg cut-only: {reference.wall_s / results['balanced_effects'][0].wall_s:.2f}x")
    print(f"fast smart, cut only: {duration / results['fast_cuts'][0].wall_s:.1f}x realtime (target >= 20)")
    print(f"peak RSS: {max(m.peak_rss_mb for _, m, _ in rows):.0f} MB (target <= 1024)")


if __name__ == "__main__":
    main()
