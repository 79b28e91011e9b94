"""The YouTube package on the sample: metadata within YouTube's rules, thumbnails that show their frames,
and the Gemini and Imagen paths through the real google-genai client against the fake server."""
from __future__ import annotations

import io
import json
import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE, run_cli
from engine.publish import rules
from engine.publish.thumbnails import grab_frame
from fake_gemini import FakeGemini, Reply, error_reply, gemini_image_reply, generate_reply, image_reply


def load(project: Path, name: str) -> dict:
    return json.loads((project / name).read_text())


def test_metadata_is_publish_ready(processed: Path) -> None:
    meta = load(processed, "metadata.json")
    assert {"titles", "description", "chapters", "tags", "hashtags", "category"} <= meta.keys()
    assert rules.problems(meta, meta["duration_s"]) == []
    assert len(meta["titles"]) >= 3 and len(meta["titles"][0]) <= 60
    assert (processed / "description.txt").read_text().strip() == meta["description"]


def test_chapters_land_where_their_moment_now_is(processed: Path) -> None:
    meta, ctx = load(processed, "metadata.json"), load(processed, "context.json")
    chapters = meta["chapters"]
    assert len(chapters) >= 3 and chapters[0]["start"] == 0.0
    rate = Fraction(ctx["media"]["video"]["rate"])
    for chapter, source in zip(chapters[1:], ctx["content"]["chapters"][1:]):
        # The frame of the edited video at the chapter's time is the source frame at the chapter's start.
        edited = frame_at(processed / "edited.mp4", round(chapter["start"] * rate))
        original = frame_at(SAMPLE, round(source["start"] * rate))
        assert np.abs(edited - original).mean() < 3.0, chapter


def frame_at(path: Path, index: int) -> np.ndarray:
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i >= index:
                return frame.to_ndarray(format="gray").astype(np.float32)
    raise AssertionError(f"{path} has no frame {index}")


def test_thumbnails_are_the_right_size_and_show_their_frames(processed: Path) -> None:
    ctx = load(processed, "context.json")
    variants = ctx["thumbnails"]["variants"]
    assert len(variants) >= 3
    meta = load(processed, "metadata.json")
    for variant in variants:
        path = processed / variant["file"]
        assert path.stat().st_size < 2 * 1024 * 1024
        image = Image.open(path)
        assert image.format == "JPEG" and image.size == (1280, 720)
        # Its hook belongs with its title.
        assert variant["hook"] == meta["hooks"][meta["titles"].index(variant["title"])]
        assert len(variant["hook"].split()) <= 5
        x, y, w, h = variant["frame_box"]
        assert w > 200 and h > 200
        source = grab_frame(SAMPLE, variant["frame_t"])
        cx, cy, cw, ch = variant["frame_crop"]
        expected = source.crop((cx * source.width, cy * source.height, (cx + cw) * source.width,
                                (cy + ch) * source.height)).resize((w, h))
        shown = image.convert("RGB").crop((x, y, x + w, y + h))
        # Compare away from the hook text, which may overlap the frame's left edge.
        diff = np.abs(np.asarray(shown, float) - np.asarray(expected, float))[:, w // 3:]
        assert diff.mean() < 12, f"{variant['file']} does not show its frame ({diff.mean():.1f})"
    assert (processed / ctx["thumbnails"]["contact_sheet"]).is_file()
    pairs = load(processed, "report.json")["thumbnail_pairs"]
    assert [p["thumbnail"] for p in pairs] == [v["file"] for v in variants]


@pytest.fixture()
def project(processed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(processed, copy)
    return copy


def gemini_env(project: Path, fake: FakeGemini) -> dict:
    return fake.env(AVE_CACHE_DIR=str(project.parent / "cache"))


GOOD_DRAFT = {"titles": ["Derivatives in One Minute", "The Power Rule, Simply"],
              "hooks": ["DERIVATIVES FAST", "POWER RULE"], "summary": "What a derivative is, and how to take one.",
              "tags": ["derivatives", "calculus", "power rule"], "hashtags": ["#calculus", "#math"]}


def test_gemini_metadata_with_its_research_caches(project: Path) -> None:
    routes = {'"keywords"': [generate_reply({"keywords": ["derivative explained", "calculus basics"]})],
              '"title_patterns"': [generate_reply({"title_patterns": ["X in N minutes"], "common_tags": ["calculus"]})],
              '"hooks"': [generate_reply(GOOD_DRAFT)]}
    def metadata_requests(fake: FakeGemini) -> int:
        return sum(any(k in json.dumps(r["body"]) for k in routes) for r in fake.requests)

    with FakeGemini([error_reply(400)], routes=routes) as fake:
        run_cli("metadata", str(project), "--director", "gemini", "--progress", "none", env=gemini_env(project, fake))
        assert metadata_requests(fake) == 3
        meta = load(project, "metadata.json")
        assert meta["titles"][0] == "Derivatives in One Minute"
        assert rules.problems(meta, meta["duration_s"]) == []
        assert load(project, "context.json")["metadata"]["director"] == "gemini"
        run_cli("metadata", str(project), "--director", "gemini", "--progress", "none", env=gemini_env(project, fake))
        assert metadata_requests(fake) == 3  # research (24 h, 7 days) and the draft (1 h) came from the cache


def gemini_routes(image: Reply) -> dict:
    """Answers by what is asked: the plan, the metadata research and draft, and the image."""
    return {'"cuts"': [generate_reply({"content_type": "educational"})],
            '"title_patterns"': [generate_reply({"title_patterns": [], "common_tags": []})],
            '"keywords"': [generate_reply({"keywords": ["derivatives"]})],
            '"hooks"': [generate_reply(GOOD_DRAFT)],
            '"IMAGE"': [image], ":predict": [image]}


def magenta_png() -> bytes:
    png = io.BytesIO()
    Image.new("RGB", (1280, 720), (250, 20, 200)).save(png, "PNG")
    return png.getvalue()


@pytest.mark.parametrize("vertex, image, endpoint, price", [
    (False, gemini_image_reply(magenta_png()), ":generateContent", 0.039),  # a Gemini API key: Gemini's image model
    (True, image_reply(magenta_png()), ":predict", 0.02),  # Vertex AI express mode: Imagen's generate_images
])
def test_ai_background_in_high_mode(project: Path, vertex: bool, image, endpoint: str, price: float) -> None:
    env_extra = {"GOOGLE_GENAI_USE_VERTEXAI": "true"} if vertex else {}
    with FakeGemini([error_reply(400)], routes=gemini_routes(image)) as fake:
        run_cli("thumbnails", str(project), "--director", "gemini", "--quality", "high", "--progress", "none",
                env={**gemini_env(project, fake), **env_extra})
    image_requests = [r for r in fake.requests if "IMAGE" in json.dumps(r["body"]) or r["path"].endswith(":predict")]
    assert len(image_requests) == 1 and image_requests[0]["path"].endswith(endpoint)
    variants = load(project, "context.json")["thumbnails"]["variants"]
    imagen = [v for v in variants if v["background"] == "imagen"]
    assert imagen
    corner = np.asarray(Image.open(project / imagen[0]["file"]).convert("RGB"))[690:715, 5:40].mean(axis=(0, 1))
    assert corner[0] > 150 and corner[2] > 120 and corner[1] < 120  # the magenta AI background shows
    row = next(r for r in load(project, "report.json")["stages"] if r["name"] == "thumbnails")
    assert row["api_calls"] == 1 and row["cost_usd"] == pytest.approx(price)
    # A second run takes the background from the cache: no new request, no new cost.
    with FakeGemini([error_reply(400)], routes=gemini_routes(image)) as fake:
        run_cli("thumbnails", str(project), "--progress", "none", env={**gemini_env(project, fake), **env_extra})
    assert not [r for r in fake.requests if "IMAGE" in json.dumps(r["body"]) or r["path"].endswith(":predict")]


def test_spent_budget_refuses_the_request(project: Path) -> None:
    with FakeGemini([error_reply(500)]) as fake:
        run_cli("metadata", str(project), "--director", "gemini", "--budget", "0", "--progress", "none",
                env=gemini_env(project, fake))
    assert fake.requests == []
    ctx = load(project, "context.json")
    assert ctx["metadata"]["director"] == "local"
    assert any("budget" in w for w in ctx["warnings"])


def test_kept_template_is_drawn_first_in_later_jobs(project: Path, tmp_path: Path) -> None:
    env = {"AVE_CACHE_DIR": str(tmp_path / "kept-cache")}
    run_cli("thumbnails", str(project), "--progress", "none", env=env)
    third = load(project, "context.json")["thumbnails"]["variants"][2]["template"]
    run_cli("keep-thumbnail", str(project), "3", env=env)
    run_cli("thumbnails", str(project), "--progress", "none", env=env)
    variants = load(project, "context.json")["thumbnails"]["variants"]
    assert variants[0]["template"] == third and variants[0]["background"] == "kept"
    assert len(variants) == 4
