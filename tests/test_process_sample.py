"""The whole job on the bundled sample, checked the way a user would check it."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio

from conftest import SAMPLE, run_cli, stream_facts
from engine.stages import STAGES

STAGE_KEYS = {"name", "wall_s", "cpu_s", "peak_rss_mb", "api_calls", "cache_hits", "cache_misses", "cost_usd"}


def load(project: Path, name: str) -> dict:
    return json.loads((project / name).read_text())


def kept_ranges_s(timeline: dict) -> list[tuple[float, float]]:
    rate = Fraction(timeline["rate"])
    video = next(t for t in timeline["tracks"] if t["kind"] == "video")
    return [(float(c["source_in"] / rate), float(c["source_out"] / rate)) for c in video["clips"]]


def kept_within(ranges: list[tuple[float, float]], start: float, end: float) -> float:
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in ranges)


def test_outputs_exist(processed: Path) -> None:
    for name in ("edited.mp4", "edit.otio", "timeline.json", "context.json", "report.json", "run.log"):
        assert (processed / name).is_file(), name
    # No temporary file is left behind under any name.
    assert not [p.name for p in processed.iterdir() if ".part" in p.name]


def test_duration_is_sum_of_kept_ranges(processed: Path) -> None:
    timeline = load(processed, "timeline.json")
    rate = Fraction(timeline["rate"])
    kept_frames = sum(c["source_out"] - c["source_in"] for c in timeline["tracks"][0]["clips"])
    facts = stream_facts(processed / "edited.mp4")
    assert facts["video"]["count"] == kept_frames
    assert abs(facts["video"]["end"] - float(kept_frames / rate)) <= float(1 / rate)
    # The cut removed something real from a 68 s clip with about 16 s of pauses.
    assert 45 < float(kept_frames / rate) < 60


def test_audio_and_video_end_together(processed: Path) -> None:
    facts = stream_facts(processed / "edited.mp4")
    frame = 1 / 30
    assert abs(facts["audio"]["end"] - facts["video"]["end"]) <= frame


def test_all_speech_is_kept(processed: Path, truth: dict) -> None:
    ranges = kept_ranges_s(load(processed, "timeline.json"))
    sentences = [s for s in truth["speech"] if s["kind"] in ("sentence", "retake_repeat")]
    assert len(sentences) == 14
    for speech in sentences:
        inside = kept_within(ranges, speech["start"], speech["end"])
        assert inside >= speech["end"] - speech["start"] - 1e-6, f"speech cut: {speech}"


def test_fillers_and_the_abandoned_take_are_removed(processed: Path, truth: dict) -> None:
    ranges = kept_ranges_s(load(processed, "timeline.json"))
    for unwanted in truth["fillers"] + [truth["retake"]["abandoned"]]:
        assert kept_within(ranges, unwanted["start"], unwanted["end"]) == 0.0, unwanted


def test_long_pauses_are_shortened(processed: Path, truth: dict) -> None:
    ranges = kept_ranges_s(load(processed, "timeline.json"))
    long_pauses = [p for p in truth["pauses"] + [truth["lead_in"]] if p["end"] - p["start"] > 1.0]
    assert len(long_pauses) >= 5
    total = removed = 0.0
    for pause in long_pauses:
        length = pause["end"] - pause["start"]
        kept = kept_within(ranges, pause["start"], pause["end"])
        assert kept <= 0.35, f"pause {pause} keeps {kept:.2f} s"
        total, removed = total + length, removed + length - kept
    assert removed / total >= 0.9


def test_short_natural_pauses_stay(processed: Path, truth: dict) -> None:
    ranges = kept_ranges_s(load(processed, "timeline.json"))
    removed = truth["fillers"] + [truth["retake"]["abandoned"]]
    for pause in truth["pauses"]:
        # A pause next to a removed filler or take goes with it; every other short pause stays whole.
        beside_removed = any(abs(pause["start"] - r["end"]) < 0.01 or abs(pause["end"] - r["start"]) < 0.01
                             for r in removed)
        if pause["end"] - pause["start"] < 0.35 and not beside_removed:
            assert kept_within(ranges, pause["start"], pause["end"]) >= pause["end"] - pause["start"] - 1e-6


def test_frame_at_known_time_is_the_expected_source_frame(processed: Path) -> None:
    timeline = load(processed, "timeline.json")
    # A frame no overlay, zoom or transition touches: there the edit shows the source frame as it is.
    touched = {f for track in timeline["tracks"] for item in track.get("layers", []) + track.get("effects", [])
               for f in range(item["start"], item["end"])}
    touched |= {f for track in timeline["tracks"] for x in track.get("transitions", [])
                for f in range(x["at"] - x["duration"], x["at"] + x["duration"])}
    clip = next(c for c in timeline["tracks"][0]["clips"]
                if c["source_out"] - c["source_in"] > 20 and c["start"] + 10 not in touched)
    out_index = clip["start"] + 10
    src_index = clip["source_in"] + 10
    edited = decode_frames(processed / "edited.mp4", {out_index})
    source = decode_frames(SAMPLE, {src_index - 6, src_index, src_index + 6})
    match = np.abs(edited[out_index] - source[src_index]).mean()
    neighbours = min(np.abs(edited[out_index] - source[i]).mean() for i in (src_index - 6, src_index + 6))
    assert match < 2.0
    assert match < neighbours / 2


def decode_frames(path: Path, indexes: set[int]) -> dict[int, np.ndarray]:
    found = {}
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i in indexes:
                found[i] = frame.to_ndarray(format="gray").astype(np.float32)
            if len(found) == len(indexes):
                break
    return found


def test_otio_matches_the_render(processed: Path) -> None:
    timeline = otio.adapters.read_from_file(str(processed / "edit.otio"))
    kinds = [t.kind for t in timeline.tracks]
    assert kinds == [otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio]
    ours = load(processed, "timeline.json")
    ranges = [(c["source_in"], c["source_out"]) for c in ours["tracks"][0]["clips"]]
    for track in timeline.tracks:
        clips = list(track.find_clips())
        assert [(round(c.source_range.start_time.value), round(c.source_range.end_time_exclusive().value))
                for c in clips] == ranges
        assert all(Path(c.media_reference.target_url.removeprefix("file://")).name == "talk.mp4" for c in clips)
    facts = stream_facts(processed / "edited.mp4")
    assert abs(timeline.duration().to_seconds() - facts["video"]["end"]) <= 1 / 30


def test_report_lists_every_stage(processed: Path) -> None:
    report = load(processed, "report.json")
    assert report["complete"] is True
    names = [row["name"] for row in report["stages"]]
    assert names == [stage.name for stage in STAGES]
    for row in report["stages"]:
        assert STAGE_KEYS <= row.keys()
        assert row["wall_s"] > 0 and row["peak_rss_mb"] > 10
    assert STAGE_KEYS - {"name"} | {"realtime_factor"} <= report["totals"].keys()
    assert report["totals"]["realtime_factor"] > 0
    assert report["context_bytes"] == (processed / "context.json").stat().st_size


def test_context_is_versioned_and_typed(processed: Path) -> None:
    ctx = load(processed, "context.json")
    assert ctx["schema"] == "ai-video-editor/context" and ctx["version"] == 1
    assert ctx["media"]["video"]["rate"] == "30/1"
    assert set(ctx["stages"]) == {stage.name for stage in STAGES}


def test_second_process_resumes_and_skips_finished_stages(processed: Path) -> None:
    run_cli("process", str(SAMPLE), "--out", str(processed), "--progress", "none")
    report = load(processed, "report.json")
    assert all(row["skipped"] for row in report["stages"])
    assert report["complete"] is True


def test_stage_subcommand_reruns_one_stage(processed: Path, tmp_path: Path) -> None:
    before = load(processed, "timeline.json")
    run_cli("plan", str(processed), "--min-cut", "1.6", "--progress", "none")
    after = load(processed, "timeline.json")
    # Only pauses of 1.6 s and more are cut now, so fewer cuts.
    assert len(after["tracks"][0]["clips"]) < len(before["tracks"][0]["clips"])
    report = load(processed, "report.json")
    plan_row = next(r for r in report["stages"] if r["name"] == "plan")
    assert plan_row["skipped"] is False
    # Restore the default plan for other tests that share this folder.
    run_cli("plan", str(processed), "--min-cut", "0.4", "--progress", "none")
    assert load(processed, "timeline.json") == before


def test_json_progress_lines(tmp_path: Path) -> None:
    proc = run_cli("process", str(SAMPLE), "--out", str(tmp_path / "out"), "--progress", "json", "--quality", "fast")
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["event"] == "done"
    progress = [e for e in events if e["event"] == "progress"]
    assert progress and {"stage", "fraction", "message", "metrics"} <= progress[0].keys()
    assert {e["stage"] for e in events if e["event"] == "stage_end"} == {stage.name for stage in STAGES}
    overall = [e["overall"] for e in events]
    assert overall == sorted(overall) and overall[-1] == 1.0
    # Fast mode renders at most 720p: the sample is 720p already, so its size stays.
    with av.open(str(tmp_path / "out" / "edited.mp4")) as c:
        assert c.streams.video[0].codec_context.height == 720


def test_second_job_on_the_same_input_uses_the_cache(processed: Path, tmp_path: Path) -> None:
    # `processed` filled the cache; a new folder must not redo the analysis.
    run_cli("process", str(SAMPLE), "--out", str(tmp_path / "again"), "--progress", "none")
    report = load(tmp_path / "again", "report.json")
    audio = next(r for r in report["stages"] if r["name"] == "audio")
    assert audio["cache_hits"] == 1 and audio["cache_misses"] == 0 and not audio["skipped"]
    assert report["totals"]["cache_hits"] >= 1
    assert load(tmp_path / "again", "timeline.json")["tracks"] == load(processed, "timeline.json")["tracks"]


def test_cache_is_readable_by_its_owner_only(processed: Path) -> None:
    import os
    import stat

    cache = Path(os.environ["AVE_CACHE_DIR"])
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in files), files
