"""Metadata written by Gemini: keyword research (cached 24 h), competitor analysis (7 days), then the draft (1 h)."""
from __future__ import annotations

from pydantic import BaseModel, Field

from ..ai.gemini import GeminiClient
from ..cache import TTL_API_RESPONSE, TTL_COMPETITOR_ANALYSIS, TTL_KEYWORD_RESEARCH
from .metadata import MetadataDraft, PackageFacts
from .rules import clock

TRANSCRIPT_CHARS = 12000  # enough to know the video; the description does not need every word


class KeywordResearch(BaseModel):
    keywords: list[str] = Field(description="Search phrases people type for this topic, most searched first.")


class CompetitorAnalysis(BaseModel):
    title_patterns: list[str] = Field(description="Title patterns that do well for this topic on YouTube.")
    common_tags: list[str] = Field(description="Tags popular videos on this topic use.")


SYSTEM = "You are an expert YouTube packaging editor. Answer in JSON that follows the schema exactly."


def gemini_draft(facts: PackageFacts, client: GeminiClient) -> MetadataDraft:
    topic = facts.topic
    research = client.generate(
        f"Topic: {topic}. Related: {', '.join(facts.concepts[:6])}. Content type: {facts.content_type}. "
        "List up to 15 YouTube search phrases for it.", KeywordResearch, SYSTEM, "gemini:keywords",
        ttl_s=TTL_KEYWORD_RESEARCH)
    competitors = client.generate(
        f"Topic: {topic}. Content type: {facts.content_type}. Describe title patterns and tags of successful "
        "YouTube videos on it.", CompetitorAnalysis, SYSTEM, "gemini:competitors", ttl_s=TTL_COMPETITOR_ANALYSIS)
    chapters = "\n".join(f"{clock(s)} {t}" for s, t in facts.chapters) or "(none)"
    prompt = (
        f"Write YouTube metadata for this {facts.content_type} video of {facts.duration:.0f} s.\n"
        f"Topic: {topic}\nKey concepts: {', '.join(facts.concepts[:10])}\nKeywords: {', '.join(facts.keywords[:10])}\n"
        f"Chapters (already timed, do not change):\n{chapters}\n"
        f"Search phrases: {', '.join(research.keywords[:15])}\n"
        f"Title patterns that work: {'; '.join(competitors.title_patterns[:8])}\n"
        f"Popular tags: {', '.join(competitors.common_tags[:15])}\n"
        "Rules: titles at most 100 characters, the best first and at most 60; one hook of at most 5 words per "
        "title for its thumbnail; a summary of 1 to 3 sentences without timestamps; tags most relevant first; at "
        f"most 3 hashtags.\n\nTranscript:\n{facts.transcript[:TRANSCRIPT_CHARS]}")
    return client.generate(prompt, MetadataDraft, SYSTEM, "gemini:metadata", ttl_s=TTL_API_RESPONSE)
