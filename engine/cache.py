"""A content-addressed cache in SQLite: stage results, API responses, anything JSON.

Keys are hashes of what a value depends on (for a stage: the input's content
hash, the stage's version and options, and the fingerprints of the stages it
needs), so a value is reused across output folders and never goes stale by
itself. Entries may carry a time to live (API responses: 1 h; keyword research:
24 h; competitor analysis: 7 days; thumbnail templates: forever). Values are
JSON text, never pickle. The database file is readable by its owner only.

Location: $AVE_CACHE_DIR, else $XDG_CACHE_HOME/ai-video-editor, else
~/.cache/ai-video-editor. AVE_CACHE_DIR=off disables it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DB_NAME = "cache.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL,
    PRIMARY KEY (namespace, key)
)
"""

# Times to live, in seconds; None keeps an entry until it is deleted.
TTL_API_RESPONSE = 3600
TTL_KEYWORD_RESEARCH = 24 * 3600
TTL_COMPETITOR_ANALYSIS = 7 * 24 * 3600
TTL_FOREVER = None


def cache_dir() -> Path | None:
    configured = os.environ.get("AVE_CACHE_DIR")
    if configured:
        return None if configured.lower() == "off" else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ai-video-editor"


def make_key(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class Cache:
    """One SQLite file; safe for several processes (SQLite locks, WAL journal) and threads (a lock)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(directory, 0o700)  # also when it existed already, with looser modes
        self.path = directory / DB_NAME
        self._lock = threading.Lock()
        # Owner-only from the first byte: the database and its WAL and shared-memory files hold API answers.
        old_umask = os.umask(0o077)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(SCHEMA)
            self.db.commit()
        finally:
            os.umask(old_umask)
        for path in (self.path, self.path.with_name(DB_NAME + "-wal"), self.path.with_name(DB_NAME + "-shm")):
            if path.exists():
                os.chmod(path, 0o600)

    def get(self, namespace: str, key: str) -> Any | None:
        with self._lock:
            return self._get(namespace, key)

    def _get(self, namespace: str, key: str) -> Any | None:
        row = self.db.execute(
            "SELECT value, expires_at FROM entries WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
        if row is None:
            return None
        value, expires_at = row
        if expires_at is not None and expires_at < time.time():
            self.db.execute("DELETE FROM entries WHERE namespace = ? AND key = ?", (namespace, key))
            self.db.commit()
            return None
        return json.loads(value)

    def put(self, namespace: str, key: str, value: Any, ttl_s: float | None = TTL_FOREVER) -> None:
        now = time.time()
        with self._lock:
            self.db.execute(
                "INSERT OR REPLACE INTO entries (namespace, key, value, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (namespace, key, json.dumps(value), now, None if ttl_s is None else now + ttl_s))
            self.db.commit()

    def values(self, namespace: str) -> list[Any]:
        """Every live value of a namespace, newest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT value FROM entries WHERE namespace = ? AND (expires_at IS NULL OR expires_at >= ?) "
                "ORDER BY created_at DESC", (namespace, time.time())).fetchall()
        return [json.loads(value) for (value,) in rows]

    def close(self) -> None:
        self.db.close()


def open_cache() -> Cache | None:
    """The user's cache, or None when disabled or unusable (a broken cache never fails a job)."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        return Cache(directory)
    except (OSError, sqlite3.Error) as exc:
        log.warning("cache disabled: %s: %s", directory, exc)
        return None
