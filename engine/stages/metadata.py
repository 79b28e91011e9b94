"""Stage: YouTube metadata (metadata.json, description.txt): local by default, Gemini with a key."""
from __future__ import annotations

from ..ai.gemini import GeminiUnavailable
from ..ai.ledger import BudgetExceeded
from ..ai.session import ai_client
from ..context import PublishMetadata
from ..fsutil import write_json_atomic, write_text_atomic
from ..publish import rules
from ..publish.metadata import assemble, gather, local_draft
from ..publish.metadata_gemini import gemini_draft
from ..timeline import load_timeline
from .base import StageJob, StageResult

METADATA_FILE = "metadata.json"
DESCRIPTION_FILE = "description.txt"


def run(job: StageJob) -> StageResult:
    facts = gather(job.ctx, load_timeline(job.project))
    warnings = list(facts.notes)
    director, meta = "local", assemble(local_draft(facts), facts)
    client, notes = ai_client(job)
    warnings += notes
    if client is not None:
        job.progress(0.2, "asking Gemini")
        try:
            candidate = assemble(gemini_draft(facts, client), facts)
            broken = rules.problems(candidate, facts.duration)
            if broken or not candidate["titles"]:
                raise GeminiUnavailable("answer breaks YouTube's rules: " + "; ".join(broken or ["no titles"]))
            director, meta = "gemini", candidate
        except (GeminiUnavailable, BudgetExceeded) as exc:
            warnings.append(f"Gemini metadata unavailable ({exc}): the local metadata is used")
            job.counters.fallbacks += 1
    write_json_atomic(job.project / METADATA_FILE, meta)
    write_text_atomic(job.project / DESCRIPTION_FILE, meta["description"] + "\n")
    section = PublishMetadata(director=director, titles=meta["titles"], hooks=meta["hooks"],
                              chapters=len(meta["chapters"]))
    return StageResult(sections={"metadata": section}, warnings=warnings,
                       outputs={"metadata": METADATA_FILE, "description": DESCRIPTION_FILE})
