"""The README's option and stage tables are the ones generated from the code's tables."""
from __future__ import annotations

import re

from conftest import ROOT
from engine.docs import options_table, stages_table


def block(name: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert match, f"README has no {name} block"
    return match.group(1)


def test_readme_options_table_is_current() -> None:
    assert block("options") == options_table()


def test_readme_stages_table_is_current() -> None:
    assert block("stages") == stages_table()


def test_readme_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    first_block = text.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert commands == ["scripts/run-sample", "scripts/test"]
