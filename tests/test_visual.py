"""Visual analysis on real media: the sample, and clips whose truth is known, made here with numpy + PyAV (libx264)
and, for other containers, codecs and a rotation, remuxed or re-encoded with imageio-ffmpeg's ffmpeg."""
from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import imageio_ffmpeg
import numpy as np
import pytest
from conftest import SAMPLE

from engine.analysis.visual import analyse
from engine.context import ContentContext, VisualAnalysis
from engine.media.probe import probe
from engine.options import QUALITY_PRESETS, JobOptions
from engine.stages import visual as visual_stage
from engine.stages.base import EventWriter, StageJob

W, H, RATE = 640, 360, 30
DATA = Path(__file__).parent / "data"
QUALITIES = ["fast", "balanced"]

# The astronaut photo is cropped to 300x300 around her face and pasted at (FACE_X, FACE_Y) of the clip;
# in the photo her face box is (177, 66, 95, 95) and her eyes are at EYES.
CROP_X, CROP_Y, CROP = 80, 0, 300
FACE_X, FACE_Y = 170, 30
FACE_BOX = ((FACE_X + 177 - CROP_X) / W, (FACE_Y + 66 - CROP_Y) / H, 95 / W, 95 / H)
EYES = ((201, 101), (247, 104))


def encode(path: Path, seconds: float, frame_at: Callable[[float], np.ndarray], scenecut: bool = True) -> Path:
    """An H.264 clip (2 s GOP, B-frames) of the RGB frames frame_at(t)."""
    params = "keyint=60" if scenecut else "keyint=60:scenecut=0"
    height, width = frame_at(0.0).shape[:2]
    with av.open(str(path), "w") as out:
        options = {"preset": "veryfast", "crf": "20", "x264-params": params}
        stream = out.add_stream("libx264", rate=RATE, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(round(seconds * RATE)):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(frame_at(i / RATE), format="rgb24")))
        out.mux(stream.encode())
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def blocks(seed: int, mean: float = 128, spread: float = 80) -> np.ndarray:
    """A scene: hard-edged blocks of random colour, distinct for every seed."""
    grid = np.random.default_rng(seed).uniform(mean - spread, mean + spread, (9, 16, 3))
    return cv2.resize(grid, (W, H), interpolation=cv2.INTER_NEAREST).clip(0, 255).astype(np.uint8)


def orbiting_disc(scene: np.ndarray, t: float) -> np.ndarray:
    frame = scene.copy()
    center = (int(W / 2 + 110 * np.cos(2 * np.pi * t / 3)), int(H / 2 + 110 * np.sin(2 * np.pi * t / 3)))
    cv2.circle(frame, center, 25, (250, 250, 40), -1)
    return frame


def slide(seed: int) -> np.ndarray:
    """Something like a slide: a title bar and lines of 'text' on a dark background."""
    rng = np.random.default_rng(seed)
    frame = np.full((H, W, 3), (20, 30, 45), np.uint8)
    cv2.rectangle(frame, (0, 0), (W, 50), (240, 190, 60), -1)
    for row in range(5):
        y = 90 + 45 * row
        cv2.rectangle(frame, (40, y), (40 + int(rng.uniform(200, 520)), y + 14), (235, 235, 235), -1)
    return frame


def faces_photo(eyes_closed: bool) -> np.ndarray:
    """The astronaut, cropped; for a blink her eyes are painted shut with her own skin tone and a lid line."""
    photo = cv2.cvtColor(cv2.imread(str(DATA / "astronaut.jpg")), cv2.COLOR_BGR2RGB)
    if eyes_closed:
        skin = [int(v) for v in np.median(photo[120:135, 195:215].reshape(-1, 3), axis=0)]
        for center in EYES:
            cv2.ellipse(photo, center, (12, 7), 0, 0, 360, skin, -1)
            cv2.ellipse(photo, (center[0], center[1] - 2), (11, 4), 0, 20, 160, (70, 50, 40), 2)
    return photo[CROP_Y:CROP_Y + CROP, CROP_X:CROP_X + CROP]


# Truth of the clips, in source seconds.
CUTS = [3.4, 7.9, 12.25, 16.6]
CUTS_END = 20.0
STATIC_SHOT = (3.4, 7.9)  # nothing moves
MOVING_SHOT = (0.0, 3.4)  # a disc orbits
DARK, BRIGHT, FLAT, EXPOSURE_END = (4.0, 8.0), (10.0, 13.5), (15.0, 18.0), 18.0
FACE, BLINK, BLUR, FACES_END = (3.0, 13.5), (6.5, 8.5), (11.0, 13.5), 16.0


@pytest.fixture(scope="module")
def cuts_clip(tmp_path_factory) -> Path:
    """Five shots, the cuts inside GOPs (no keyframe at a cut); one shot still, one with a large fast sweep."""
    scenes = [blocks(seed, mean) for seed, mean in zip(range(5), (120, 100, 150, 130, 90))]

    def frame_at(t: float) -> np.ndarray:
        shot = sum(t >= c for c in CUTS)
        if shot == 1:
            return scenes[1]
        if shot == 2:  # a large square sweeping back and forth: samples differ like a cut, frames do not
            frame = scenes[2].copy()
            x = int(20 + 400 * abs(((t - 7.9) / 1.1) % 2 - 1))
            cv2.rectangle(frame, (x, 80), (x + 200, 280), (0, 0, 0), -1)
            return frame
        return orbiting_disc(scenes[shot], t)

    return encode(tmp_path_factory.mktemp("cuts") / "cuts.mp4", CUTS_END, frame_at, scenecut=False)


@pytest.fixture(scope="module")
def exposure_clip(tmp_path_factory) -> Path:
    scene = blocks(7, 128, 90).astype(np.float32)
    normal, dark = scene, scene * 0.2
    bright = scene * 2.5 + 60
    flat = 120 + (scene - 128) * 0.15

    def frame_at(t: float) -> np.ndarray:
        look = normal
        for (start, end), version in ((DARK, dark), (BRIGHT, bright), (FLAT, flat)):
            if start <= t < end:
                look = version
        return orbiting_disc(look.clip(0, 255).astype(np.uint8), t)

    return encode(tmp_path_factory.mktemp("exposure") / "exposure.mp4", EXPOSURE_END, frame_at)


def faces_frames() -> Callable[[float], np.ndarray]:
    """Slides, then a face (eyes closed for a while, then out of focus), then slides again."""
    open_eyes, closed_eyes = faces_photo(False), faces_photo(True)
    background = np.full((H, W, 3), 110, np.uint8)
    before, after = slide(1), slide(2)

    def frame_at(t: float) -> np.ndarray:
        if t < FACE[0]:
            return before
        if t >= FACE[1]:
            return after
        frame = background.copy()
        x = FACE_X + int(round(4 * np.sin(t)))  # the head sways a little
        photo = closed_eyes if BLINK[0] <= t < BLINK[1] else open_eyes
        frame[FACE_Y:FACE_Y + CROP, x:x + CROP] = photo
        return cv2.GaussianBlur(frame, (0, 0), 3) if t >= BLUR[0] else frame

    return frame_at


@pytest.fixture(scope="module")
def faces_clip(tmp_path_factory) -> Path:
    return encode(tmp_path_factory.mktemp("faces") / "faces.mp4", FACES_END, faces_frames())


@pytest.fixture(scope="module")
def phone_clip(tmp_path_factory) -> Path:
    """The start of the faces clip as a phone stores it: frames turned a quarter clockwise, upright on playback."""
    upright = faces_frames()
    folder = tmp_path_factory.mktemp("phone")
    stored = encode(folder / "stored.mp4", BLINK[0], lambda t: np.ascontiguousarray(np.rot90(upright(t), -1)))
    rotated = folder / "phone.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(stored), "-c", "copy", str(rotated))
    return rotated


def run_analysis(path: Path, quality: str) -> VisualAnalysis:
    media = probe(path)
    assert media.video is not None
    return analyse(path, media.video, media.duration_s, QUALITY_PRESETS[quality].visual_fps, lambda f, message: None)


def within(t: float, span: tuple[float, float]) -> bool:
    return span[0] <= t <= span[1]


@pytest.mark.parametrize("quality", QUALITIES)
def test_cuts_found_to_half_a_second_and_no_false_ones(cuts_clip, quality):
    found = run_analysis(cuts_clip, quality).shot_changes
    assert len(found) == len(CUTS), found
    for got, want in zip(found, CUTS):
        assert abs(got - want) <= 0.5, (found, CUTS)


def test_motion_is_measured(cuts_clip):
    frames = run_analysis(cuts_clip, "balanced").frames

    def mean_motion(span: tuple[float, float]) -> float:
        # The first sample of a shot differs from the last of the one before: that is the cut, not motion.
        values = [f.motion for f in frames if span[0] + 1.1 < f.t < span[1]]
        assert values
        return float(np.mean(values))

    still, moving = mean_motion(STATIC_SHOT), mean_motion(MOVING_SHOT)
    assert still < 0.5
    assert moving > 1.0 and moving > 4 * still


def test_sample_has_one_scene_change_no_faces_no_exposure_issues(truth):
    for quality in QUALITIES:
        result = run_analysis(SAMPLE, quality)
        assert len(result.shot_changes) == 1 and abs(result.shot_changes[0] - truth["scene_cuts"][0]) <= 0.5
        assert all(f.faces == 0 for f in result.frames)
        # Its first slide is dark blue with white text, its second pale: neither is an exposure problem.
        assert result.exposure_issues == []
        assert result.frames[0].t == 0.0 and result.frames[-1].t < truth["duration"]
        assert result.width == 384 and result.height == 216
        best = result.thumbnail_candidates[0]
        assert best.face_box is None and "sharp" in best.reasons
        assert all(abs(c.t - truth["scene_cuts"][0]) >= 0.5 for c in result.thumbnail_candidates)


@pytest.mark.parametrize("quality", QUALITIES)
def test_exposure_problems_as_time_ranges(exposure_clip, quality):
    issues = run_analysis(exposure_clip, quality).exposure_issues
    assert [i.kind for i in issues] == ["dark", "bright", "low_contrast"], issues
    for issue, (start, end) in zip(issues, (DARK, BRIGHT, FLAT)):
        assert abs(issue.start - start) <= 0.6 and abs(issue.end - end) <= 0.6, issues


@pytest.mark.parametrize("quality", QUALITIES)
def test_faces_found_where_they_are(faces_clip, quality):
    frames = run_analysis(faces_clip, quality).frames
    with_face = [f for f in frames if FACE[0] <= f.t < BLUR[0]]
    assert with_face and all(f.faces == 1 for f in with_face)
    assert all(0.02 < f.face_area < 0.06 for f in with_face)  # the face is 95x95 px of 640x360
    assert all(f.faces == 0 for f in frames if f.t < FACE[0] or f.t >= FACE[1])


@pytest.mark.parametrize("quality", QUALITIES)
def test_blur_lowers_sharpness_and_best_thumbnail_is_a_sharp_open_eyed_face(faces_clip, quality):
    result = run_analysis(faces_clip, quality)
    sharp = [f.sharpness for f in result.frames if FACE[0] < f.t < BLUR[0]]
    blurred = [f.sharpness for f in result.frames if BLUR[0] <= f.t < BLUR[1]]
    assert blurred and max(blurred) < 0.5 * min(sharp)

    best = result.thumbnail_candidates[0]
    assert within(best.t, FACE) and not within(best.t, BLINK) and not within(best.t, BLUR), result.thumbnail_candidates
    assert "eyes open" in best.reasons
    assert best.face_box is not None
    x, y, w, h = best.face_box
    assert abs(x - FACE_BOX[0]) < 0.03 and abs(y - FACE_BOX[1]) < 0.05
    assert abs(w - FACE_BOX[2]) < 0.04 and abs(h - FACE_BOX[3]) < 0.07
    # Every candidate that shows a sharp, open-eyed face ranks above every blinking or blurred one.
    good = [c.score for c in result.thumbnail_candidates if within(c.t, FACE) and not within(c.t, BLINK)
            and not within(c.t, BLUR)]
    poor = [c.score for c in result.thumbnail_candidates if within(c.t, BLINK) or within(c.t, BLUR)]
    assert not poor or min(good) > max(poor)


def test_rotated_phone_video_is_analysed_upright(phone_clip):
    assert probe(phone_clip).video.rotation == 90
    result = run_analysis(phone_clip, "balanced")
    assert (result.width, result.height) == (384, 216)
    assert all(f.faces == 0 for f in result.frames if f.t < FACE[0])
    assert all(f.faces == 1 for f in result.frames if f.t > FACE[0])
    best = result.thumbnail_candidates[0]
    assert "eyes open" in best.reasons
    assert best.face_box is not None and abs(best.face_box[0] - FACE_BOX[0]) < 0.03
    assert abs(best.face_box[1] - FACE_BOX[1]) < 0.05


def test_mpeg_ts_without_index_and_with_a_start_offset(tmp_path, truth):
    """MPEG-TS has no index (no GOP is cut short, seeking is rough) and its first frame is not at time zero."""
    ts = tmp_path / "talk.ts"
    ffmpeg("-i", str(SAMPLE), "-c", "copy", str(ts))
    assert probe(ts).video.start_s > 0
    result = run_analysis(ts, "fast")
    assert result.frames[0].t == 0.0
    assert len(result.shot_changes) == 1 and abs(result.shot_changes[0] - truth["scene_cuts"][0]) <= 0.5


@pytest.mark.parametrize("codec", ["libx265", "libvpx-vp9"])
def test_other_codecs(faces_clip, tmp_path, codec):
    """HEVC and VP9 skip only unreferenced frames; WebM holds no frame count."""
    if codec == "libx265":
        other, extra = tmp_path / "faces.mp4", ["-preset", "ultrafast", "-x265-params", "log-level=error"]
    else:
        other, extra = tmp_path / "faces.webm", ["-deadline", "realtime", "-cpu-used", "8"]
    ffmpeg("-i", str(faces_clip), "-c:v", codec, "-g", "60", *extra, str(other))
    result = run_analysis(other, "fast")
    assert len(result.shot_changes) == 2
    assert all(abs(got - want) <= 0.5 for got, want in zip(result.shot_changes, FACE))
    assert result.thumbnail_candidates[0].face_box is not None


def test_thumbnail_candidates_are_spread_and_clear_of_cuts(cuts_clip):
    result = run_analysis(cuts_clip, "balanced")
    times = sorted(c.t for c in result.thumbnail_candidates)
    assert len(times) >= 4
    assert all(b - a >= 2.0 for a, b in zip(times, times[1:]))
    assert all(abs(t - cut) >= 0.5 for t in times for cut in result.shot_changes)
    assert all(c.reasons and 0.0 <= c.score <= 1.0 for c in result.thumbnail_candidates)


def run_stage(path: Path) -> dict:
    ctx = ContentContext(engine_version="test", input=str(path), options=JobOptions(quality="fast"), media=probe(path))
    job = StageJob("visual", path.parent, ctx, EventWriter(io.StringIO()))
    return visual_stage.run(job).sections


def test_stage_returns_the_visual_section(tmp_path):
    clip = tmp_path / "talk.mp4"
    clip.write_bytes(SAMPLE.read_bytes())
    section = run_stage(clip)["visual"]
    assert isinstance(section, VisualAnalysis) and section.shot_changes


def test_stage_without_video_returns_none(tmp_path):
    path = tmp_path / "tone.m4a"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=48000)
        samples = (0.2 * np.sin(2 * np.pi * 440 * np.arange(48000) / 48000)).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 48000
        out.mux(stream.encode(frame))
        out.mux(stream.encode())
    assert run_stage(path) == {"visual": None}
