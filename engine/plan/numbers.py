"""Numbers said in a sentence, for charts: "at one second ten meters, at two seconds forty meters..."."""
from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
TOKEN = re.compile(r"[a-z]+|\d+(?:[.,]\d+)?%?")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # the word after the number ("seconds", "meters", "percent"); "" when none


def quantities(text: str) -> list[Quantity]:
    """Numbers in reading order, each with the word that follows it as its unit."""
    tokens = TOKEN.findall(text.lower().replace("-", " "))
    found: list[Quantity] = []
    i = 0
    while i < len(tokens):
        value, used = _number_at(tokens, i)
        if used == 0:
            i += 1
            continue
        following = tokens[i + used] if i + used < len(tokens) else ""
        unit = "percent" if tokens[i + used - 1].endswith("%") else following
        found.append(Quantity(value, _singular(unit) if unit not in UNITS and unit not in TENS else ""))
        i += used
    return found


def _number_at(tokens: list[str], i: int) -> tuple[float, int]:
    token = tokens[i]
    if token[0].isdigit():
        return float(token.rstrip("%").replace(",", "")), 1
    total, current, used = 0, 0, 0
    while i + used < len(tokens):
        word = tokens[i + used]
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word in SCALES and (current or total):
            total += max(current, 1) * SCALES[word]
            current = 0
        elif word == "and" and used and i + used + 1 < len(tokens) and tokens[i + used + 1] in {**UNITS, **TENS}:
            pass  # "two hundred and five"
        else:
            break
        used += 1
    return float(total + current), used


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


@dataclass(frozen=True)
class Series:
    labels: list[str]
    values: list[float]
    label_unit: str
    value_unit: str


def paired_series(text: str, minimum: int = 3) -> Series | None:
    """Alternating (x unit-a, y unit-b) pairs, as in "one second, ten meters; two seconds, forty meters"."""
    found = quantities(text)
    if len(found) < 2 * minimum:
        return None
    for offset in (0, 1):
        pairs = list(zip(found[offset::2], found[offset + 1::2]))
        if len(pairs) < minimum:
            continue
        x_units, y_units = {p[0].unit for p in pairs}, {p[1].unit for p in pairs}
        if len(x_units) == 1 and len(y_units) == 1 and x_units != y_units:
            x_unit, y_unit = x_units.pop(), y_units.pop()
            return Series([f"{p[0].value:g} {x_unit}".strip() for p in pairs], [p[1].value for p in pairs],
                          x_unit, y_unit)
    return None
