"""YouTube metadata: the facts it is built from, the local (offline) writer, and assembly under the rules.

Chapters are placed on the EDITED video: each chapter's source start goes
through the timeline's kept ranges, so a chapter lands where that moment now is.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from ..context import ContentContext
from ..timeline import SourceToTimeline, Timeline
from . import rules

SENTENCE_MAX = 220


class MetadataDraft(BaseModel):
    """What a writer (local or Gemini) proposes; `assemble` makes it publish-ready."""

    titles: list[str] = Field(description="3 to 6 title variants, best first; the best at most 60 characters.")
    hooks: list[str] = Field(description="For each title, thumbnail text of at most 5 words that matches it.")
    summary: str = Field(description="The description's opening paragraph, 1 to 3 sentences, no timestamps.")
    tags: list[str] = Field(description="Search tags, most relevant first.")
    hashtags: list[str] = Field(description="Up to 3 hashtags, each one word starting with #.")


@dataclass
class PackageFacts:
    """Everything the writers need, gathered once from the context and the timeline."""

    content_type: str
    name: str  # the input's file name, as words
    topic: str
    concepts: list[str]
    keywords: list[str]
    chapters: list[tuple[float, str]]  # edited seconds, title; already within YouTube's rules
    duration: float  # edited seconds
    opening: str  # the first full sentence said, if any
    transcript: str
    tempo_bpm: float | None = None
    notes: list[str] = field(default_factory=list)


def gather(ctx: ContentContext, timeline: Timeline) -> PackageFacts:
    content = ctx.content
    concepts = [c.text for c in sorted(content.concepts, key=lambda c: -c.score)] if content else []
    keywords = [k.text for k in sorted(content.keywords, key=lambda k: -k.score)] if content else []
    name = re.sub(r"[_\-.]+", " ", Path(ctx.input).stem).strip().title() or "Video"
    topic = (concepts or keywords or [name])[0]
    duration = timeline.duration_s
    mapping = SourceToTimeline.of(timeline)
    notes = []
    raw = []
    for chapter in (content.chapters if content else []):
        at = mapping.seconds(chapter.start, "start")
        if at is not None:
            raw.append((at, chapter.title))
    chapters = rules.fit_chapters(raw, duration)
    if raw and not chapters:
        notes.append(f"{len(raw)} chapters found, but YouTube needs at least 3 of at least 10 s: none published")
    sentences = [s.text.strip() for s in ctx.transcript.segments] if ctx.transcript else []
    opening = next((s for s in sentences if len(s.split()) >= 5 and len(s) <= SENTENCE_MAX), "")
    tempo = ctx.audio.music.tempo_bpm if ctx.audio and ctx.audio.music else None
    return PackageFacts(
        content_type=content.content_type if content else local_type(ctx), name=name, topic=topic,
        concepts=concepts, keywords=keywords, chapters=chapters, duration=duration, opening=opening,
        transcript=" ".join(sentences), tempo_bpm=tempo, notes=notes)


def local_type(ctx: ContentContext) -> str:
    return ctx.options.content_type if ctx.options.content_type != "auto" else "general"


def _title(text: str) -> str:
    small = {"a", "an", "and", "the", "of", "in", "on", "to", "for", "vs", "with", "by", "or"}
    words = text.split()
    return " ".join(w if w.isupper() and len(w) > 1 else (w.lower() if i and w.lower() in small else w[:1].upper() + w[1:])
                    for i, w in enumerate(words))


def _hook(text: str) -> str:
    words = re.sub(r"[^\w\s'-]", " ", text).split()
    return " ".join(words[:rules.HOOK_MAX_WORDS]).upper()


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def local_draft(facts: PackageFacts) -> MetadataDraft:
    """Deterministic titles, hooks, summary and tags from the analysis."""
    topic, others = _title(facts.topic), [_title(c) for c in facts.concepts[1:4]]
    minutes = max(1, math.ceil(facts.duration / 60))
    if facts.content_type == "music":
        name = facts.name
        pairs = [(f"{name} (Live)", f"{name} live"),
                 (f"{name} — Live Performance", "live performance"),
                 (f"{name} | Live Session" + (f" at {facts.tempo_bpm:.0f} BPM" if facts.tempo_bpm else ""), "full live session")]
        summary = f"{name}, performed live" + (f" at {facts.tempo_bpm:.0f} BPM." if facts.tempo_bpm else ".")
    elif facts.content_type == "educational":
        pairs = [(f"{topic} Explained" + (f": {_join(others[:2])}" if others else ""), f"{topic} explained"),
                 (f"{topic} in {minutes} Minute{'s' if minutes > 1 else ''}", f"{topic} in {minutes} min"),
                 (f"Understanding {topic}" + (f" and {others[0]}" if others else ""), f"understand {topic}"),
                 (f"{_join(others)}: A Quick Guide to {topic}" if len(others) >= 2 else f"A Quick Guide to {topic}",
                  "quick guide")]
        covered = _join([c[1] for c in facts.chapters]) if facts.chapters else _join([topic] + others[:2])
        summary = f"A {minutes}-minute lesson on {topic.lower()}: {covered}."
    else:
        pairs = [(f"{topic}" + (f": {_join(others[:2])}" if others else ""), topic),
                 (f"All About {topic}", f"all about {topic}"),
                 (f"{topic} — What You Need to Know", "what you need to know")]
        summary = f"{topic}" + (f", {_join(others[:3]).lower()}" if others else "") + f" in {minutes} minute{'s' if minutes > 1 else ''}."
    if facts.opening:
        summary += f" \"{facts.opening}\""
    tags = [facts.topic] + facts.concepts + facts.keywords + [facts.content_type if facts.content_type != "general" else ""]
    hashtags = [facts.topic] + facts.concepts[1:3] + facts.keywords[:2]
    return MetadataDraft(titles=[p[0] for p in pairs], hooks=[_hook(p[1]) for p in pairs], summary=summary,
                         tags=[t for t in tags if t], hashtags=hashtags)


def assemble(draft: MetadataDraft, facts: PackageFacts) -> dict:
    """metadata.json's content, within every YouTube rule (see rules.problems)."""
    pairs = {}
    for i, title in enumerate(draft.titles):
        hook = draft.hooks[i] if i < len(draft.hooks) else title
        pairs.setdefault(rules.fit_title(title), _hook(hook) or _hook(title))
    titles = rules.order_titles(list(pairs))
    hashtags = rules.fit_hashtags([h.lstrip("#") for h in draft.hashtags])
    parts = [draft.summary.strip()]
    if facts.chapters:
        parts.append("Chapters:\n" + "\n".join(f"{rules.clock(s)} {t}" for s, t in facts.chapters))
    topics = list(dict.fromkeys(facts.concepts[:8] + facts.keywords[:8]))
    if topics:
        parts.append("Topics: " + ", ".join(topics))
    if hashtags:
        parts.append(" ".join(hashtags))
    description = "\n\n".join(p for p in parts if p)
    if len(description) > rules.DESCRIPTION_MAX:
        # The summary gives way; chapters, topics and hashtags stay whole.
        excess = len(description) - rules.DESCRIPTION_MAX + 1
        parts[0] = parts[0][:max(0, len(parts[0]) - excess)].rstrip() + "…"
        description = "\n\n".join(p for p in parts if p)
    category, category_id = rules.CATEGORIES.get(facts.content_type, rules.CATEGORIES["general"])
    return {
        "titles": titles,
        "hooks": [pairs[t] for t in titles],
        "description": description,
        "chapters": [{"start": round(s, 3), "title": t} for s, t in facts.chapters],
        "tags": rules.fit_tags(draft.tags),
        "hashtags": hashtags,
        "category": category,
        "category_id": category_id,
        "duration_s": round(facts.duration, 3),
    }
