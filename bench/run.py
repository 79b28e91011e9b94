"""Benchmark: the whole `process` on a clip, and in the same run the ffmpeg references on the same file.

    .venv/bin/python bench/run.py CLIP [--quality balanced]

References: ffmpeg decoding every frame; ffmpeg trim/concat re-encoding the same
cut list as our plan at the same x264 preset and CRF. Prints each time and the
ratios; append the table to bench/RESULTS.md by hand with the machine it ran on.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import imageio_ffmpeg
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine.options import QUALITY_PRESETS  # noqa: E402
from measure import measure  # noqa: E402


def trim_concat_command(clip: Path, timeline: dict, out: Path, preset: str, crf: int, height: int) -> list[str]:
    """The plain ffmpeg way to render a cut list: trim/atrim each kept part, concat, encode."""
    rate = Fraction(timeline["rate"])
    clips = next(t for t in timeline["tracks"] if t["kind"] == "video")["clips"]
    parts = []
    for i, c in enumerate(clips):
        a, b = float(c["source_in"] / rate), float(c["source_out"] / rate)
        parts.append(f"[0:v]trim=start_frame={c['source_in']}:end_frame={c['source_out']},setpts=PTS-STARTPTS[v{i}];"
                     f"[0:a]atrim=start={a:.6f}:end={b:.6f},asetpts=PTS-STARTPTS[a{i}]")
    joined = "".join(f"[v{i}][a{i}]" for i in range(len(clips)))
    graph = ";".join(parts) + f";{joined}concat=n={len(clips)}:v=1:a=1[cv][a];[cv]scale=-2:{height}[v]"
    script = out.with_suffix(".filter")
    script.write_text(graph)
    return [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip),
            "-/filter_complex", str(script), "-map", "[v]", "-map", "[a]", "-c:v", "libx264",
            "-preset", preset, "-crf", str(crf), "-c:a", "aac", str(out)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--quality", default="balanced", choices=sorted(QUALITY_PRESETS))
    args = parser.parse_args()
    clip = args.clip.resolve()
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    with tempfile.TemporaryDirectory(prefix="ave-bench-") as tmp:
        work = Path(tmp)
        ours = measure([sys.executable, "-m", "engine", "process", str(clip), "--out", str(work / "out"),
                        "--quality", args.quality, "--progress", "none"],
                       cwd=Path(__file__).resolve().parent.parent)
        report = json.loads((work / "out" / "report.json").read_text())
        timeline = json.loads((work / "out" / "timeline.json").read_text())
        render = next(r for r in report["stages"] if r["name"] == "render")
        duration = report["input_duration_s"]
        kept_s = sum(c["source_out"] - c["source_in"] for c in timeline["tracks"][0]["clips"]) / float(
            Fraction(timeline["rate"]))
        preset = QUALITY_PRESETS[args.quality]
        ctx = json.loads((work / "out" / "context.json").read_text())
        height = ctx["media"]["video"]["height"]
        out_height = min(height, preset.max_height or height)
        decode = measure([ffmpeg, "-hide_banner", "-loglevel", "error", "-i", str(clip), "-f", "null", "-"])
        reference = measure(trim_concat_command(clip, timeline, work / "ref.mp4", preset.x264_preset, preset.crf,
                                                out_height))
    cuts = len(timeline["tracks"][0]["clips"])
    rows = [
        ("ai-video-editor process (whole job)", ours.wall_s, ours.cpu_s, ours.peak_rss_mb),
        ("  of which: render stage", render["wall_s"], render["cpu_s"], render["peak_rss_mb"]),
        ("ffmpeg decode of every frame", decode.wall_s, decode.cpu_s, decode.peak_rss_mb),
        ("ffmpeg trim/concat, same cut list and preset", reference.wall_s, reference.cpu_s, reference.peak_rss_mb),
    ]
    print(f"clip: {clip.name}, {duration:.1f} s, {height}p; quality {args.quality} (x264 {preset.x264_preset}, "
          f"crf {preset.crf}); {cuts} kept parts, {kept_s:.1f} s kept")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.platform()}")
    print("| what | wall s | realtime x | CPU s | peak RSS MB |\n|---|---|---|---|---|")
    for name, wall, cpu, rss in rows:
        print(f"| {name} | {wall:.1f} | {duration / wall:.2f} | {cpu:.1f} | {rss:.0f} |")
    print(f"\nrender throughput vs ffmpeg trim/concat: {reference.wall_s / render['wall_s']:.2f}x "
          f"(render {kept_s * 30 / render['wall_s']:.0f} frames/s)")
    print(f"whole job: {duration / ours.wall_s:.2f}x realtime")


if __name__ == "__main__":
    main()
