"""Word text as the matchers compare it: lower case, no punctuation around it."""
from __future__ import annotations

import re

_EDGE_PUNCT = re.compile(r"^[^\w']+|[^\w']+$")


def normalise(text: str) -> str:
    return _EDGE_PUNCT.sub("", text.lower()).strip("'")
