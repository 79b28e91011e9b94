"""Markdown for the README, generated from the option and stage tables (the single source of truth).

`python -m engine.docs` prints it; a test checks that README.md holds the current text.
"""
from __future__ import annotations

from .options import option_fields
from .stages import STAGES


def options_table() -> str:
    rows = ["| flag | default | what it does | re-runs |", "|---|---|---|---|"]
    for _, info in option_fields():
        default = "auto" if info["default"] is None else info["default"]
        rows.append(f"| `{info['flag']}` | `{default}` | {info['help']} | {', '.join(info['stages'])} |")
    return "\n".join(rows)


def stages_table() -> str:
    rows = ["| stage | needs | what it does |", "|---|---|---|"]
    for stage in STAGES:
        rows.append(f"| `{stage.name}` | {', '.join(stage.needs) or '-'} | {stage.help} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(options_table())
    print()
    print(stages_table())
