"""Paid AI services (Gemini, Imagen) behind a budget, a cache, retries and a local fallback."""
