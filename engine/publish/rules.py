"""YouTube's limits, checked and enforced in one place.

Title at most 100 characters (the best at most 60, so it is not cut off in
search results); description at most 5,000; chapters start at 0:00, at least
3, each at least 10 s, ascending, and written into the description as
timestamps; tags at most 500 characters in total (a tag with a space counts
two more, for the quotes YouTube adds); at most 3 hashtags.
"""
from __future__ import annotations

import re

TITLE_MAX = 100
TITLE_BEST = 60
DESCRIPTION_MAX = 5000
CHAPTERS_MIN = 3
CHAPTER_MIN_S = 10.0
TAGS_MAX_CHARS = 500
HASHTAGS_MAX = 3
HOOK_MAX_WORDS = 5
CATEGORIES = {"educational": ("Education", 27), "music": ("Music", 10), "general": ("People & Blogs", 22)}


def tag_chars(tags: list[str]) -> int:
    """How YouTube counts tags: their characters, commas between them, quotes around those with spaces."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1)


def fit_tags(tags: list[str]) -> list[str]:
    kept: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        tag = re.sub(r"[<>,]", "", tag).strip()
        if not tag or tag.lower() in seen or len(tag) > 100:
            continue
        if tag_chars(kept + [tag]) > TAGS_MAX_CHARS:
            continue
        kept.append(tag)
        seen.add(tag.lower())
    return kept


def fit_title(title: str) -> str:
    title = re.sub(r"\s+", " ", title.replace("<", "").replace(">", "")).strip()
    if len(title) <= TITLE_MAX:
        return title
    cut = title[:TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(",:;-– ")
    return cut + "…"


def order_titles(titles: list[str]) -> list[str]:
    """Distinct titles, those that fit in 60 characters first, each group in its given order."""
    unique = list(dict.fromkeys(fit_title(t) for t in titles if t.strip()))
    return [t for t in unique if len(t) <= TITLE_BEST] + [t for t in unique if len(t) > TITLE_BEST]


def fit_hashtags(words: list[str]) -> list[str]:
    tags = []
    for word in words:
        body = "".join(part[:1].upper() + part[1:] for part in re.findall(r"[A-Za-z0-9]+", word))
        if body and f"#{body}" not in tags:
            tags.append(f"#{body}")
    return tags[:HASHTAGS_MAX]


def clock(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fit_chapters(chapters: list[tuple[float, str]], duration: float) -> list[tuple[float, str]]:
    """Chapters YouTube accepts, or none: first at 0:00, ascending, each at least 10 s, at least 3."""
    fitted: list[tuple[float, str]] = []
    for start, title in sorted(chapters):
        start = 0.0 if not fitted else start
        if fitted and (start - fitted[-1][0] < CHAPTER_MIN_S):
            continue  # too close to the one before: it joins it
        fitted.append((start, title.strip() or f"Part {len(fitted) + 1}"))
    while fitted and duration - fitted[-1][0] < CHAPTER_MIN_S:
        fitted.pop()  # the last chapter must last 10 s too
    return fitted if len(fitted) >= CHAPTERS_MIN else []


def problems(meta: dict, duration: float) -> list[str]:
    """Every rule a metadata dict breaks (empty when it is publish-ready)."""
    found = []
    for title in meta["titles"]:
        if not 0 < len(title) <= TITLE_MAX:
            found.append(f"title of {len(title)} characters: {title[:40]}")
    if meta["titles"] and len(meta["titles"][0]) > TITLE_BEST:
        found.append("the best title is longer than 60 characters")
    if len(meta["description"]) > DESCRIPTION_MAX:
        found.append(f"description of {len(meta['description'])} characters")
    chapters = meta["chapters"]
    if chapters:
        starts = [c["start"] for c in chapters]
        if starts[0] != 0.0 or len(chapters) < CHAPTERS_MIN or starts != sorted(starts):
            found.append("chapters must start at 0:00, ascend, and number at least 3")
        ends = starts[1:] + [duration]
        if any(b - a < CHAPTER_MIN_S for a, b in zip(starts, ends)):
            found.append("a chapter is shorter than 10 s")
        for c in chapters:
            if f"{clock(c['start'])} {c['title']}" not in meta["description"]:
                found.append(f"chapter {clock(c['start'])} is not in the description")
    if tag_chars(meta["tags"]) > TAGS_MAX_CHARS:
        found.append(f"tags take {tag_chars(meta['tags'])} characters")
    if len(meta["hashtags"]) > HASHTAGS_MAX:
        found.append(f"{len(meta['hashtags'])} hashtags")
    return found
