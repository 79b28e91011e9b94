"""Markdown for the README, generated from the option and stage tables (the single source of truth).

`python -m engine.docs` prints it; `python -m engine.docs --write README.md` updates the README's
generated blocks in place; a test checks that README.md holds the current text.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .options import option_fields
from .stages import STAGES


def options_table() -> str:
    rows = ["| flag | default | what it does | re-runs |", "|---|---|---|---|"]
    for _, info in option_fields():
        default = info["unset"] if info["default"] is None else info["default"]
        rows.append(f"| `{info['flag']}` | `{default}` | {info['help']} | {', '.join(info['stages'])} |")
    return "\n".join(rows)


def stages_table() -> str:
    rows = ["| stage | needs | what it does |", "|---|---|---|"]
    for stage in STAGES:
        rows.append(f"| `{stage.name}` | {', '.join(stage.needs) or '-'} | {stage.help} |")
    return "\n".join(rows)


BLOCKS = {"options": options_table, "stages": stages_table}


def update(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for name, make in BLOCKS.items():
        text = re.sub(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
                      lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text, flags=re.S)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        update(Path(sys.argv[2]))
    else:
        print(options_table())
        print()
        print(stages_table())
