"""The Gemini director with the real google-genai client against a fake Gemini server on 127.0.0.1.

Every scenario must leave a complete, valid plan: Gemini's merged into the local one when it answers
well, the local one alone (with a warning and a counted fallback) when it does not.
"""
from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from engine.media.audio import read_mono
from fake_gemini import FakeGemini, Reply, error_reply, generate_reply

GOOD_PLAN = {
    "content_type": "educational",
    "cuts": [{"start": 19.0, "end": 20.1, "kind": "other", "reason": "a tangent", "confidence": 0.8}],
    "zooms": [{"start": 10.0, "end": 12.0, "scale": 1.2, "center_x": 0.5, "center_y": 0.4, "kind": "emphasis",
               "reason": "the speedometer image", "confidence": 0.7}],
    "titles": [{"at": 26.6, "duration": 2.5, "kind": "title_card", "text": "Tangent Lines",
                "reason": "new topic", "confidence": 0.9}],
    "broll": [],
    "notes": "",
}


@pytest.fixture()
def project(processed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(processed, copy)
    return copy


def plan_with(project: Path, fake: FakeGemini, *args: str, **env: str):
    # Each test has its own response cache, so one test's answer is never another's cache hit.
    env = {"AVE_CACHE_DIR": str(project.parent / "cache"), **env}
    return run_cli("plan", str(project), "--director", "gemini", "--progress", "none", *args,
                   env=fake.env(**env), check=False)


def plan_row(project: Path) -> dict:
    report = json.loads((project / "report.json").read_text())
    return next(r for r in report["stages"] if r["name"] == "plan")


def timeline(project: Path) -> dict:
    return json.loads((project / "timeline.json").read_text())


def context(project: Path) -> dict:
    return json.loads((project / "context.json").read_text())


def local_cut_count(project: Path) -> int:
    return sum(1 for d in timeline(project)["decisions"] if d["action"] == "cut" and d["director"] == "local")


def assert_local_fallback(project: Path, baseline: dict, words: str) -> None:
    ctx = context(project)
    assert ctx["plan"]["director"] == "local"
    assert any(words in w and "local plan is used" in w for w in ctx["warnings"]), ctx["warnings"]
    assert plan_row(project)["fallbacks"] == 1
    assert timeline(project)["tracks"] == baseline["tracks"]


def test_good_plan_is_merged_and_cut_edges_stay_in_silence(project: Path) -> None:
    with FakeGemini([generate_reply(GOOD_PLAN)]) as fake:
        proc = plan_with(project, fake)
    assert proc.returncode == 0, proc.stderr
    assert len(fake.requests) == 1
    sent = fake.requests[0]["body"]
    assert sent["generationConfig"]["responseMimeType"] == "application/json"
    assert "responseSchema" in sent["generationConfig"] or "responseJsonSchema" in sent["generationConfig"]
    assert "0.00-" in json.dumps(sent["contents"]) or "Transcript" in json.dumps(sent["contents"])
    tl = timeline(project)
    by_director = {(d["action"], d["director"]) for d in tl["decisions"]}
    assert {("zoom", "gemini"), ("title", "gemini"), ("cut", "local")} <= by_director
    assert context(project)["plan"]["director"] == "gemini+local"
    row = plan_row(project)
    assert row["api_calls"] == 1 and row["tokens_in"] == 1200 and row["tokens_out"] == 300
    assert row["cost_usd"] == pytest.approx((1200 * 0.30 + 300 * 2.50) / 1e6)
    # The safety floor: no cut edge lands inside sound.
    ctx = context(project)
    rate = Fraction(tl["rate"])
    threshold = ctx["audio"]["threshold_db"]
    samples = read_mono(Path(ctx["input"]), 16000)
    for clip in tl["tracks"][0]["clips"]:
        for edge in (clip["source_in"], clip["source_out"]):
            t = float(edge / rate)
            if 0.05 < t < ctx["media"]["duration_s"] - 0.05:
                window = samples[int((t - 0.01) * 16000):int((t + 0.01) * 16000)]
                level = 10 * np.log10(np.mean(window.astype(np.float64) ** 2) + 1e-12)
                assert level < threshold + 3, f"cut at {t:.2f} s lands in sound ({level:.1f} dB)"
    # The key never reaches the logs, the context or the report.
    for name in ("run.log", "context.json", "report.json", "timeline.json"):
        assert "test-key-not-secret" not in (project / name).read_text()


def test_answer_is_cached_for_the_next_run(project: Path) -> None:
    with FakeGemini([generate_reply(GOOD_PLAN)]) as fake:
        plan_with(project, fake)
        plan_with(project, fake)
    assert len(fake.requests) == 1
    assert plan_row(project)["cache_hits"] == 1 and plan_row(project)["api_calls"] == 0


def local_baseline(project: Path) -> dict:
    run_cli("plan", str(project), "--director", "local", "--progress", "none")
    return timeline(project)


@pytest.mark.parametrize("answer", [
    {"content_type": "educational", "cuts": "remove the boring parts"},  # breaks the schema
    "Sure! Here is your plan: cut the boring parts.",  # not JSON at all
])
def test_unusable_answer_is_asked_again_then_falls_back(project: Path, answer) -> None:
    baseline = local_baseline(project)
    with FakeGemini([generate_reply(answer)]) as fake:
        assert plan_with(project, fake).returncode == 0
    assert len(fake.requests) == 2
    row = plan_row(project)
    assert row["api_errors"] == 2 and row["api_retries"] == 1
    assert_local_fallback(project, baseline, "does not fit the schema")


def test_unusable_answer_then_a_good_one(project: Path) -> None:
    with FakeGemini([generate_reply("not json"), generate_reply(GOOD_PLAN)]) as fake:
        assert plan_with(project, fake).returncode == 0
    assert context(project)["plan"]["director"] == "gemini+local"
    assert plan_row(project)["api_retries"] == 1 and plan_row(project)["fallbacks"] == 0


def test_rate_limit_then_success(project: Path) -> None:
    with FakeGemini([error_reply(429, retry_after="0"), generate_reply(GOOD_PLAN)]) as fake:
        assert plan_with(project, fake).returncode == 0
    row = plan_row(project)
    assert row["api_calls"] == 2 and row["api_retries"] == 1 and row["fallbacks"] == 0
    assert context(project)["plan"]["director"] == "gemini+local"


def test_server_errors_until_fallback(project: Path) -> None:
    baseline = local_baseline(project)
    with FakeGemini([error_reply(503)]) as fake:
        assert plan_with(project, fake).returncode == 0
    assert len(fake.requests) == 4
    assert plan_row(project)["api_retries"] == 3
    assert_local_fallback(project, baseline, "HTTP 503")


def test_timeout_falls_back(project: Path) -> None:
    baseline = local_baseline(project)
    with FakeGemini([Reply(200, generate_reply(GOOD_PLAN).body, delay=1.5)]) as fake:
        assert plan_with(project, fake, AVE_GEMINI_TIMEOUT_S="0.4").returncode == 0
    assert_local_fallback(project, baseline, "Timeout")


def test_budget_is_never_exceeded(project: Path) -> None:
    baseline = local_baseline(project)
    with FakeGemini([generate_reply(GOOD_PLAN)]) as fake:
        assert plan_with(project, fake, "--budget", "0.001").returncode == 0
    assert fake.requests == []  # refused before anything was sent
    assert_local_fallback(project, baseline, "budget")
    assert plan_row(project)["cost_usd"] == 0
