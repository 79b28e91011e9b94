"""Gemini and Imagen through google-genai: structured output, cache, budget, rate limit, retries.

Every call is counted (calls, tokens, retries, errors, cost) into the stage's
counters for report.json. The API key comes from the environment only
(GEMINI_API_KEY, or GOOGLE_API_KEY), never from argv, and is never logged.
Any failure raises GeminiUnavailable; callers fall back to their local path.
"""
from __future__ import annotations

import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..cache import TTL_API_RESPONSE, Cache, make_key
from ..errors import EngineError
from ..metrics import Counters
from .ledger import BudgetExceeded, Ledger
from .pricing import image_cost, text_cost

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}
SCHEMA_ATTEMPTS = 2  # an answer that breaks the schema is asked for once more


class GeminiUnavailable(EngineError):
    """Gemini could not give a usable answer; the caller uses its local path."""


@dataclass(frozen=True)
class GeminiSettings:
    api_key: str
    model: str = "gemini-2.5-flash"
    # Imagen's generate_images works only on Vertex AI (express mode takes an API key) in google-genai 3.6;
    # with a Gemini API key, images come from Gemini's image model through generate_content.
    image_model: str = "gemini-2.5-flash-image"
    vertex: bool = False
    base_url: str | None = None  # tests point this at a local fake server
    timeout_s: float = 60.0
    attempts: int = 4
    backoff_s: float = 1.0
    min_interval_s: float = 0.5  # rate limit: at most one request started every this many seconds
    max_output_tokens: int = 8192

    def __repr__(self) -> str:  # the key must never reach a log line
        return f"GeminiSettings(model={self.model!r}, base_url={self.base_url!r}, key=***)"


def api_key_from_env() -> str | None:
    return os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY") or None


def settings_from_env(model: str) -> GeminiSettings | None:
    key = api_key_from_env()
    if not key:
        return None
    env = os.environ
    vertex = env.get("GOOGLE_GENAI_USE_VERTEXAI", "").lower() in ("1", "true", "yes")
    return GeminiSettings(
        api_key=key, model=model, base_url=env.get("AVE_GEMINI_BASE_URL") or None, vertex=vertex,
        image_model=env.get("AVE_IMAGE_MODEL") or ("imagen-4.0-fast-generate-001" if vertex else "gemini-2.5-flash-image"),
        timeout_s=float(env.get("AVE_GEMINI_TIMEOUT_S", 60.0)),
        backoff_s=float(env.get("AVE_GEMINI_BACKOFF_S", 1.0)),
        min_interval_s=float(env.get("AVE_GEMINI_MIN_INTERVAL_S", 0.5)),
    )


class _RateLimiter:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.next_at = 0.0

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            delay = self.next_at - now
            self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            time.sleep(delay)


class GeminiClient:
    def __init__(self, settings: GeminiSettings, ledger: Ledger, counters: Counters, cache: Cache | None) -> None:
        from google import genai
        from google.genai import types

        self.settings = settings
        self.ledger = ledger
        self.counters = counters
        self.cache = cache
        self.types = types
        self._lock = threading.Lock()  # counters and cache are shared by the request threads
        self._limiter = _RateLimiter(settings.min_interval_s)
        options = types.HttpOptions(
            timeout=int(settings.timeout_s * 1000),  # milliseconds, not seconds
            retry_options=types.HttpRetryOptions(attempts=1),  # we retry ourselves, to count and budget each try
            base_url=settings.base_url,
        )
        self.client = genai.Client(api_key=settings.api_key, http_options=options, vertexai=settings.vertex or None)

    # -- text -----------------------------------------------------------------------------------------------
    def generate(self, prompt: str, schema: type[M], system: str, namespace: str,
                 ttl_s: float | None = TTL_API_RESPONSE) -> M:
        """One structured answer; cached by model, prompt and schema for `ttl_s`."""
        key = make_key(self.settings.model, system, prompt, schema.model_json_schema())
        cached = self.cache.get(namespace, key) if self.cache else None
        if cached is not None:
            with self._lock:
                self.counters.cache_hits += 1
            return schema.model_validate_json(cached)
        if self.cache:
            with self._lock:
                self.counters.cache_misses += 1
        config = self.types.GenerateContentConfig(
            system_instruction=system, response_mime_type="application/json", response_schema=schema,
            max_output_tokens=self.settings.max_output_tokens, temperature=0.2,
        )
        for attempt in range(1, SCHEMA_ATTEMPTS + 1):
            # Worst case: one token per prompt byte, and the whole output allowance.
            reserve = text_cost(self.settings.model, len((system + prompt).encode()), self.settings.max_output_tokens)
            self.ledger.reserve(reserve)
            actual = 0.0
            try:
                response = self._with_retries(lambda: self.client.models.generate_content(
                    model=self.settings.model, contents=prompt, config=config))
                actual = self._account_tokens(response)
                text = response.text or ""
                parsed = schema.model_validate_json(text)
            except ValidationError as exc:
                # Malformed JSON or an answer that breaks the schema: ask once more, then give up.
                with self._lock:
                    self.counters.api_errors += 1
                    if attempt < SCHEMA_ATTEMPTS:
                        self.counters.api_retries += 1
                if attempt == SCHEMA_ATTEMPTS:
                    raise GeminiUnavailable(f"answer does not fit the schema ({exc.errors()[0]['msg']})") from None
                log.info("Gemini answer does not fit the schema; asking again")
                continue
            finally:
                self.ledger.settle(reserve, actual)
            if self.cache:
                self.cache.put(namespace, key, text, ttl_s)
            return parsed
        raise AssertionError("unreachable")

    def _account_tokens(self, response) -> float:
        usage = response.usage_metadata
        tokens_in = (usage.prompt_token_count or 0) if usage else 0
        tokens_out = ((usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)) if usage else 0
        cost = text_cost(self.settings.model, tokens_in, tokens_out)
        with self._lock:
            self.counters.tokens_in += tokens_in
            self.counters.tokens_out += tokens_out
            self.counters.cost_usd += cost
        return cost

    # -- images ---------------------------------------------------------------------------------------------
    def generate_image(self, prompt: str, aspect_ratio: str = "16:9") -> bytes:
        """One image (PNG or JPEG bytes). Not cached here: the caller caches the file it makes."""
        reserve = image_cost(self.settings.image_model, 1)
        self.ledger.reserve(reserve)
        actual = 0.0
        try:
            images = self._imagen(prompt, aspect_ratio) if self.settings.image_model.startswith("imagen") \
                else self._gemini_image(prompt, aspect_ratio)
            if not images:
                with self._lock:
                    self.counters.api_errors += 1
                raise GeminiUnavailable("Imagen returned no image (filtered or empty)")
            actual = reserve
            with self._lock:
                self.counters.cost_usd += actual
            return images[0]
        finally:
            self.ledger.settle(reserve, actual)

    def _imagen(self, prompt: str, aspect_ratio: str) -> list[bytes]:
        config = self.types.GenerateImagesConfig(number_of_images=1, aspect_ratio=aspect_ratio)
        response = self._with_retries(lambda: self.client.models.generate_images(
            model=self.settings.image_model, prompt=prompt, config=config))
        return [g.image.image_bytes for g in (response.generated_images or []) if g.image and g.image.image_bytes]

    def _gemini_image(self, prompt: str, aspect_ratio: str) -> list[bytes]:
        config = self.types.GenerateContentConfig(response_modalities=["IMAGE"],
                                                  image_config=self.types.ImageConfig(aspect_ratio=aspect_ratio))
        response = self._with_retries(lambda: self.client.models.generate_content(
            model=self.settings.image_model, contents=prompt, config=config))
        parts = response.candidates[0].content.parts if response.candidates and response.candidates[0].content else []
        return [p.inline_data.data for p in (parts or []) if p.inline_data and p.inline_data.data]

    # -- retries --------------------------------------------------------------------------------------------
    def _with_retries(self, call):
        from google.genai import errors

        for attempt in range(1, self.settings.attempts + 1):
            self._limiter.wait()
            with self._lock:
                self.counters.api_calls += 1
            try:
                return call()
            except errors.APIError as exc:
                retryable, reason, wait = exc.code in RETRYABLE_STATUS, f"HTTP {exc.code}", _retry_after(exc)
            except Exception as exc:  # noqa: BLE001 - transport errors come from several HTTP libraries
                retryable = "timeout" in type(exc).__name__.lower() or "connect" in type(exc).__name__.lower()
                reason, wait = type(exc).__name__, None
                if not retryable:
                    with self._lock:
                        self.counters.api_errors += 1
                    raise GeminiUnavailable(f"request failed ({reason})") from None
            with self._lock:
                self.counters.api_errors += 1
            if not retryable or attempt == self.settings.attempts:
                raise GeminiUnavailable(f"request failed after {attempt} tries ({reason})")
            delay = wait if wait is not None else self.settings.backoff_s * 2 ** (attempt - 1) * (0.5 + random.random())
            log.info("Gemini %s; retrying in %.2f s (try %d of %d)", reason, delay, attempt + 1, self.settings.attempts)
            with self._lock:
                self.counters.api_retries += 1
            time.sleep(min(delay, 30.0))
        raise AssertionError("unreachable")


def _retry_after(exc) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def open_client(model: str, ledger: Ledger, counters: Counters, cache: Cache | None) -> GeminiClient | None:
    """A client when a key is set; None otherwise (offline work needs no key)."""
    settings = settings_from_env(model)
    return GeminiClient(settings, ledger, counters, cache) if settings else None


__all__ = ["GeminiClient", "GeminiSettings", "GeminiUnavailable", "BudgetExceeded", "open_client",
           "api_key_from_env"]
