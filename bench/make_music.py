"""Make a music performance for benchmarks: two synthetic songs (drums, bass, chords) with silence before,
between and after, over a moving 1080p30 picture.

    .venv/bin/python bench/make_music.py --minutes 5.5 --out bench/work/music5m.mp4
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np

RATE = 48000
GAP_S = 3.0  # silence between the songs
EDGE_S = 2.0  # silence before the first note and after the last


def _tone(freq: float, seconds: float, decay: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.sin(2 * np.pi * freq * t) * np.exp(-t / decay)


def song(seconds: float, bpm: float, root: float, rng: np.random.Generator) -> np.ndarray:
    """Four-on-the-floor kick, snare on 2 and 4, eighth-note hi-hats, a bass line and held chords."""
    out = np.zeros(int(seconds * RATE))
    beat = 60.0 / bpm
    kick = _tone(55, 0.25, 0.06) * 0.9
    snare = rng.normal(0, 1, int(0.18 * RATE)) * np.exp(-np.arange(int(0.18 * RATE)) / RATE / 0.04) * 0.35
    hat = rng.normal(0, 1, int(0.05 * RATE)) * np.exp(-np.arange(int(0.05 * RATE)) / RATE / 0.01) * 0.12
    progression = [1.0, 4 / 3, 3 / 2, 6 / 5]
    for i in range(int(seconds / beat)):
        at = int(i * beat * RATE)
        for sound, on in ((kick, True), (snare, i % 4 in (1, 3))):
            if on:
                out[at:at + len(sound)] += sound[:len(out) - at]
        for half in (0, 1):
            h = at + int(half * beat / 2 * RATE)
            out[h:h + len(hat)] += hat[:max(0, len(out) - h)]
        chord = progression[(i // 8) % len(progression)]
        bass = _tone(root * chord, beat * 0.9, 0.3) * 0.3
        out[at:at + len(bass)] += bass[:len(out) - at]
        if i % 4 == 0:
            pad = sum(_tone(root * 2 * chord * r, beat * 4, 2.0) for r in (1.0, 1.25, 1.5)) * 0.06
            out[at:at + len(pad)] += pad[:len(out) - at]
    return out


def make_music(minutes: float, out: Path) -> Path:
    rng = np.random.default_rng(11)
    total = minutes * 60
    song_s = (total - 2 * EDGE_S - GAP_S) / 2
    audio = np.concatenate([np.zeros(int(EDGE_S * RATE)), song(song_s, 120, 110, rng), np.zeros(int(GAP_S * RATE)),
                            song(song_s, 96, 98, rng), np.zeros(int(EDGE_S * RATE))])
    audio += rng.normal(0, 10 ** (-65 / 20), len(audio))
    pcm = (np.clip(audio / max(1.0, np.abs(audio).max() * 1.1), -1, 1) * 32767).astype(np.int16)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "music.wav"
        with wave.open(str(wav), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(pcm.tobytes())
        subprocess.run([
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"gradients=s=1920x1080:r=30:speed=0.03:d={total}", "-i", str(wav),
            "-vf", "noise=alls=4:allf=t", "-c:v", "libx264", "-preset", "superfast", "-crf", "23", "-g", "60",
            "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-shortest", str(out),
        ], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.5)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "work" / "music5m.mp4")
    args = parser.parse_args()
    print(make_music(args.minutes, args.out))


if __name__ == "__main__":
    main()
