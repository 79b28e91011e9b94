"""Make a long 1080p30 talk for benchmarks from the bundled sample: its speech looped, its slides
scaled up, with light film grain so the encoder works as hard as on camera footage.

    .venv/bin/python bench/make_talk.py --minutes 3 --out bench/work/talk3m.mp4
"""
from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parent.parent


def make_talk(minutes: float, out: Path, height: int = 1080) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    width = height * 16 // 9
    subprocess.run([
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-stream_loop", "-1", "-i", str(ROOT / "samples" / "talk.mp4"), "-t", str(minutes * 60),
        "-vf", f"scale={width}:{height},noise=alls=5:allf=t", "-r", "30",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-g", "60",
        "-c:a", "aac", "-b:a", "128k", str(out),
    ], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "work" / "talk3m.mp4")
    args = parser.parse_args()
    print(make_talk(args.minutes, args.out, args.height))


if __name__ == "__main__":
    main()
