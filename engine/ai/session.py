"""Whether a stage may use Gemini for this job, and its client when it may."""
from __future__ import annotations

from ..stages.base import StageJob
from .gemini import GeminiClient, api_key_from_env, open_client
from .ledger import Ledger


def ai_client(job: StageJob) -> tuple[GeminiClient | None, list[str]]:
    """A client when --director is gemini, or auto with a key; warnings when gemini was asked for but cannot be."""
    options = job.ctx.options
    if options.director == "local" or (options.director == "auto" and not api_key_from_env()):
        return None, []
    client = open_client(options.gemini_model, Ledger(job.work_dir, options.budget_usd), job.counters, job.cache)
    if client is None:
        job.counters.fallbacks += 1
        return None, [f"{job.name}: Gemini chosen but GEMINI_API_KEY is not set: the local path is used"]
    return client, []
