"""YouTube's limits, on hand-made cases: the rules module enforces what metadata.json promises."""
from __future__ import annotations

from engine.publish import rules
from engine.publish.metadata import MetadataDraft, PackageFacts, assemble, local_draft


def facts(**kw) -> PackageFacts:
    base = dict(content_type="educational", name="Lecture", topic="derivative",
                concepts=["derivative", "power rule", "tangent line", "slope"], keywords=["derivative", "slope"],
                chapters=[(0.0, "What Is a Derivative"), (20.5, "Tangent Lines"), (41.0, "The Power Rule")],
                duration=60.0, opening="A derivative measures how fast a function changes.", transcript="")
    base.update(kw)
    return PackageFacts(**base)


def test_chapters_follow_youtube_rules() -> None:
    assert rules.fit_chapters([(0.4, "A"), (5.0, "B"), (20.0, "C"), (35.0, "D")], 60.0) == [
        (0.0, "A"), (20.0, "C"), (35.0, "D")]
    # The last chapter would last under 10 s: it goes, and with it the third chapter, so none are published.
    assert rules.fit_chapters([(0.0, "A"), (20.0, "B"), (55.0, "C")], 60.0) == []


def test_tags_stay_under_500_characters_with_quotes_counted() -> None:
    tags = [f"tag number {i}" for i in range(100)]
    fitted = rules.fit_tags(tags)
    assert rules.tag_chars(fitted) <= 500 and len(fitted) > 10
    assert rules.tag_chars(["a b", "c"]) == len("a b") + 2 + 1 + 1


def test_titles_are_cut_at_100_and_short_ones_come_first() -> None:
    long = "word " * 40
    ordered = rules.order_titles([long, "Short Title"])
    assert ordered[0] == "Short Title" and len(ordered[1]) <= 100 and ordered[1].endswith("…")


def test_local_metadata_is_publish_ready() -> None:
    meta = assemble(local_draft(facts()), facts())
    assert rules.problems(meta, 60.0) == []
    assert meta["titles"][0].startswith("Derivative Explained")
    assert len(meta["hooks"]) == len(meta["titles"])
    assert all(len(h.split()) <= 5 for h in meta["hooks"])
    assert "0:00 What Is a Derivative\n0:20 Tangent Lines\n0:41 The Power Rule" in meta["description"]
    assert meta["category"] == "Education" and len(meta["hashtags"]) <= 3


def test_a_bad_draft_is_made_to_fit() -> None:
    draft = MetadataDraft(titles=["x" * 150, "Fine"], hooks=["one two three four five six seven"],
                          summary="s" * 6000, tags=["t" * 90] * 20, hashtags=["#a", "#b", "#c", "#d"])
    meta = assemble(draft, facts())
    assert rules.problems(meta, 60.0) == []
    assert len(meta["description"]) <= 5000 and "0:41 The Power Rule" in meta["description"]
