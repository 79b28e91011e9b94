"""The project's API budget: reserve before a call, settle after, never exceed.

Stages that call paid APIs may run in parallel processes, so the ledger is a
JSON file in the project's work folder guarded by an exclusive file lock.
A call reserves its worst-case cost first (prompt bytes as tokens, the output
token limit, or the image price); if that does not fit what is left, the call
is refused before anything is sent.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import EngineError

LEDGER_FILE = "api_ledger.json"


class BudgetExceeded(EngineError):
    """A call would take the project past its API budget."""


class Ledger:
    def __init__(self, work_dir: Path, budget_usd: float) -> None:
        work_dir.mkdir(parents=True, exist_ok=True)
        self.path = work_dir / LEDGER_FILE
        self.budget = budget_usd

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as fh:
            if os.name == "posix":
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_EX)
            text = fh.read()
            state = json.loads(text) if text.strip() else {"spent_usd": 0.0, "reserved_usd": 0.0}
            yield state
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(state))
            fh.flush()

    def reserve(self, amount: float) -> None:
        with self._locked() as state:
            left = self.budget - state["spent_usd"] - state["reserved_usd"]
            if amount > left + 1e-12:
                raise BudgetExceeded(
                    f"API budget of {self.budget:.2f} USD would be exceeded (needs up to {amount:.4f}, "
                    f"{max(0.0, left):.4f} left)")
            state["reserved_usd"] += amount

    def settle(self, reserved: float, actual: float) -> None:
        with self._locked() as state:
            state["reserved_usd"] = max(0.0, state["reserved_usd"] - reserved)
            state["spent_usd"] += actual

    def spent(self) -> float:
        with self._locked() as state:
            return state["spent_usd"]
