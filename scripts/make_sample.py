"""Make the bundled sample talk: espeak-ng speech over a simple slide picture.

The sample is what the README's first command edits and what the tests measure
against, so every event in it is placed by this script and written, with its
exact times, to a ground-truth JSON:

- speech intervals with their text (measured from the voiced extent of each
  espeak-ng utterance, not from the nominal placement);
- pauses of several lengths between utterances;
- three filler words ("um", "uh", "hmm") said as their own short utterances;
- one abandoned retake (a sentence started, dropped, then said again);
- one scene change (the slide switches at the start of the second topic);
- three topics, for chapter detection;
- one emphasised sentence (louder and higher), for emphasis peaks.

Run: .venv/bin/python scripts/make_sample.py [--out samples]
Needs espeak-ng on PATH (Debian: apt-get install espeak-ng); nothing else
outside the venv. The output is deterministic for a given espeak-ng version.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

log = logging.getLogger("make_sample")

SAMPLE_RATE = 48000
FPS = 30
WIDTH, HEIGHT = 1280, 720
LEAD_IN_S = 1.2  # silence before the first word, as in a real recording
TAIL_S = 1.5
NOISE_DBFS = -62.0  # faint room noise, so that silence is never digital zero
VOICED_DBFS = -45.0  # threshold for measuring where an utterance really starts and ends


@dataclass(frozen=True)
class Line:
    """One utterance of the script and the silence that follows it."""

    text: str
    pause_after: float
    kind: str = "sentence"  # sentence | filler | retake_abandoned | retake_repeat
    emphasis: bool = False


@dataclass(frozen=True)
class Topic:
    title: str
    bullets: tuple[str, ...]
    lines: tuple[Line, ...]


SCRIPT: tuple[Topic, ...] = (
    Topic(
        "What is a derivative?",
        ("Rate of change", "Speed right now"),
        (
            Line("Welcome to this short lesson about derivatives.", 0.6),
            Line("Um.", 0.25, kind="filler"),
            Line("A derivative measures how fast a function changes.", 1.5),
            Line("Think of the speedometer in a car.", 0.3),
            Line("It tells you your speed at this very moment, not your average speed.", 2.5),
            Line("At one second the car has moved ten meters, at two seconds forty meters, "
                 "and at three seconds ninety meters.", 1.1),
        ),
    ),
    Topic(
        "Slope of the tangent line",
        ("Rise over run", "Zoom in on the curve"),
        (
            Line("Now let us look at the slope of a tangent line.", 0.5),
            Line("The slope of a line is rise over", 0.9, kind="retake_abandoned"),
            Line("The slope of a line is the rise divided by the run.", 1.2, kind="retake_repeat"),
            Line("Uh.", 0.25, kind="filler"),
            Line("For a curve, we zoom in until it looks perfectly straight.", 0.4),
            Line("That straight piece is the tangent line, and its slope is the derivative.", 3.0),
        ),
    ),
    Topic(
        "The power rule",
        ("x squared gives two x", "x cubed gives three x squared"),
        (
            Line("Finally, the power rule makes all of this fast.", 0.7),
            Line("This is the most important idea today!", 0.8, emphasis=True),
            Line("The derivative of x squared is two x.", 1.8),
            Line("Hmm.", 0.25, kind="filler"),
            Line("And the derivative of x cubed is three x squared.", 0.5),
            Line("Practice these rules, and you will master derivatives.", 2.0),
        ),
    ),
)


def synthesize(text: str, emphasis: bool, workdir: Path) -> np.ndarray:
    """Speak one line with espeak-ng; return float32 mono at SAMPLE_RATE."""
    wav_path = workdir / "line.wav"
    amplitude, pitch = ("190", "72") if emphasis else ("100", "50")
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "155", "-a", amplitude, "-p", pitch, "-w", str(wav_path), text],
        check=True,
    )
    with wave.open(str(wav_path), "rb") as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0
    # Resample to the output rate with linear interpolation: espeak's band is far below Nyquist.
    n_out = int(round(len(pcm) * SAMPLE_RATE / rate))
    x_out = np.arange(n_out) * (rate / SAMPLE_RATE)
    return np.interp(x_out, np.arange(len(pcm)), pcm).astype(np.float32)


def voiced_extent(samples: np.ndarray) -> tuple[int, int]:
    """First and last sample of 10 ms windows louder than VOICED_DBFS."""
    win = SAMPLE_RATE // 100
    n = len(samples) // win
    rms = np.sqrt(np.mean(samples[: n * win].reshape(n, win) ** 2, axis=1) + 1e-12)
    loud = np.nonzero(20 * np.log10(rms) > VOICED_DBFS)[0]
    return int(loud[0] * win), int((loud[-1] + 1) * win)


def build_audio(workdir: Path) -> tuple[np.ndarray, dict]:
    """Lay the utterances out on one track; return samples and the ground truth."""
    pieces: list[np.ndarray] = [np.zeros(int(LEAD_IN_S * SAMPLE_RATE), np.float32)]
    cursor = len(pieces[0])
    speech, pauses, fillers, emphasis, topics = [], [], [], [], []
    retake: dict = {}
    for topic in SCRIPT:
        topics.append({"start": round(cursor / SAMPLE_RATE, 3), "title": topic.title})
        for line in topic.lines:
            voice = synthesize(line.text, line.emphasis, workdir)
            first, last = voiced_extent(voice)
            voice = voice[first:last]
            start, end = cursor / SAMPLE_RATE, (cursor + len(voice)) / SAMPLE_RATE
            event = {"start": round(start, 3), "end": round(end, 3), "text": line.text, "kind": line.kind}
            speech.append(event)
            if line.kind == "filler":
                fillers.append(event)
            if line.kind.startswith("retake_"):
                retake[line.kind.removeprefix("retake_")] = event
            if line.emphasis:
                emphasis.append(event)
            pieces.append(voice)
            cursor += len(voice)
            gap = int(line.pause_after * SAMPLE_RATE)
            pauses.append({"start": round(cursor / SAMPLE_RATE, 3), "end": round((cursor + gap) / SAMPLE_RATE, 3)})
            pieces.append(np.zeros(gap, np.float32))
            cursor += gap
    # The last pause runs into the tail; the clip ends TAIL_S after the last word.
    pieces[-1] = np.zeros(int(TAIL_S * SAMPLE_RATE), np.float32)
    pauses[-1]["end"] = round((cursor - gap + len(pieces[-1])) / SAMPLE_RATE, 3)
    samples = np.concatenate(pieces)
    rng = np.random.default_rng(7)
    samples += rng.normal(0.0, 10 ** (NOISE_DBFS / 20), len(samples)).astype(np.float32)
    truth = {
        "speech": speech,
        "pauses": pauses,
        "fillers": fillers,
        "retake": retake,
        "emphasis": emphasis,
        "topics": topics,
        "lead_in": {"start": 0.0, "end": speech[0]["start"]},
    }
    return np.clip(samples, -1.0, 1.0), truth


def slide(topic: Topic, style: int) -> np.ndarray:
    """A static slide: two visual styles, so the scene change is a hard cut."""
    bg, accent = ((40, 30, 20), (80, 200, 255)) if style == 0 else ((235, 235, 225), (40, 90, 200))
    ink = (240, 240, 240) if style == 0 else (30, 30, 30)
    img = np.full((HEIGHT, WIDTH, 3), bg, np.uint8)
    if style == 0:
        cv2.rectangle(img, (0, 0), (WIDTH, 120), accent, -1)
        cv2.putText(img, topic.title, (60, 80), cv2.FONT_HERSHEY_DUPLEX, 1.6, (20, 20, 20), 3, cv2.LINE_AA)
    else:
        cv2.rectangle(img, (0, 0), (30, HEIGHT), accent, -1)
        cv2.putText(img, topic.title, (80, 110), cv2.FONT_HERSHEY_DUPLEX, 1.6, accent, 3, cv2.LINE_AA)
    for i, bullet in enumerate(topic.bullets):
        cv2.putText(img, "- " + bullet, (100, 260 + 90 * i), cv2.FONT_HERSHEY_DUPLEX, 1.3, ink, 2, cv2.LINE_AA)
    return img


def write_video(path: Path, samples: np.ndarray, truth: dict) -> None:
    """Encode the slides (with a slowly moving dot) and the audio to H.264 + AAC."""
    duration = len(samples) / SAMPLE_RATE
    n_frames = int(np.ceil(duration * FPS))
    scene_cut_frame = int(round(truth["topics"][1]["start"] * FPS))
    truth["scene_cuts"] = [round(scene_cut_frame / FPS, 3)]
    slides = [slide(SCRIPT[0], 0), slide(SCRIPT[1], 1)]
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        vs.options = {"crf": "30", "preset": "medium", "g": "60", "keyint_min": "60", "sc_threshold": "0"}
        aus = out.add_stream("aac", rate=SAMPLE_RATE)
        aus.layout = "stereo"
        aus.bit_rate = 96000
        for i in range(n_frames):
            img = slides[0 if i < scene_cut_frame else 1].copy()
            # The dot orbits, so frames differ and motion analysis has something to see.
            angle = 2 * np.pi * i / (FPS * 8)
            center = (int(1050 + 120 * np.cos(angle)), int(470 + 120 * np.sin(angle)))
            cv2.circle(img, center, 28, (60, 180, 60), -1, cv2.LINE_AA)
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        stereo = np.ascontiguousarray(np.stack([samples, samples]))
        step = 1024
        for pos in range(0, stereo.shape[1], step):
            chunk = np.ascontiguousarray(stereo[:, pos:pos + step])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = pos
            frame.time_base = Fraction(1, SAMPLE_RATE)
            for packet in aus.encode(frame):
                out.mux(packet)
        for packet in aus.encode():
            out.mux(packet)


def write_script(path: Path) -> None:
    lines = []
    for topic in SCRIPT:
        lines.append(f"# {topic.title}")
        for line in topic.lines:
            note = {"filler": "  [filler]", "retake_abandoned": "  [abandoned take]",
                    "retake_repeat": "  [retake]"}.get(line.kind, "")
            if line.emphasis:
                note += "  [emphasis]"
            lines.append(f"{line.text}{note}  (pause {line.pause_after:.2f} s)")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "samples")
    args = parser.parse_args()
    if not shutil.which("espeak-ng"):
        raise SystemExit("error: espeak-ng not found; install it (Debian: apt-get install espeak-ng)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        samples, truth = build_audio(Path(tmp))
    video = args.out / "talk.mp4"
    write_video(video, samples, truth)
    truth = {
        "version": 1,
        "media": "talk.mp4",
        "script": "talk_script.txt",
        "duration": round(len(samples) / SAMPLE_RATE, 3),
        "fps": f"{FPS}/1",
        "sample_rate": SAMPLE_RATE,
        **truth,
    }
    (args.out / "talk_truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    write_script(args.out / "talk_script.txt")
    log.info("wrote %s (%.1f s, %.2f MB)", video, truth["duration"], video.stat().st_size / 1e6)


if __name__ == "__main__":
    main()
