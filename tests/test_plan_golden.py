"""A golden file pins the local director's plan for the bundled sample.

Pinned: every cut (its kind and frame-exact source range), every zoom, and the kept clips: all of them
are decided from the sound (dead air, the filler and retake spans snapped to it, emphasis), so they do
not move with the last digits of the recogniser's arithmetic. Titles and B-roll are pinned by count.
Run with UPDATE_GOLDEN=1 to rewrite the file after an intended change, and review its diff.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden" / "sample_plan.json"


def plan_facts(project: Path) -> dict:
    timeline = json.loads((project / "timeline.json").read_text())
    decisions = timeline["decisions"]
    return {
        "rate": timeline["rate"],
        "cuts": [[d["kind"], d["source_start"], d["source_end"]] for d in decisions if d["action"] == "cut"],
        "zooms": [[d["kind"], d["source_start"], d["source_end"]] for d in decisions if d["action"] == "zoom"],
        "titles": sum(d["action"] == "title" for d in decisions),
        "broll": sum(d["action"] == "broll" for d in decisions),
        "kept": [[c["source_in"], c["source_out"]] for c in timeline["tracks"][0]["clips"]],
    }


def test_local_plan_matches_the_golden_file(processed: Path) -> None:
    facts = plan_facts(processed)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(facts, indent=1) + "\n")
    assert facts == json.loads(GOLDEN.read_text())
