"""Captions to burn in: from captions.srt (times of the edited video) or from caption text layers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..timeline import TextLayer, Timeline, seconds_to_frame

CAPTIONS_FILE = "captions.srt"
_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{3})\s*-->\s*(\d+):(\d{2}):(\d{2})[,.](\d{3})")


@dataclass(frozen=True)
class Caption:
    start: int  # timeline frames
    end: int
    text: str


def read_srt(path: Path, rate: Fraction, total: int) -> list[Caption]:
    """Cues of an SRT file as timeline frames, clipped to the edit; cues without text are skipped."""
    captions = []
    for block in re.split(r"\r?\n\s*\r?\n", path.read_text(encoding="utf-8-sig")):
        lines = [line.strip() for line in block.strip().splitlines()]
        timing = next((i for i, line in enumerate(lines) if _TIME.search(line)), None)
        if timing is None:
            continue
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in _TIME.search(lines[timing]).groups())
        text = " ".join(line for line in lines[timing + 1:] if line)
        text = re.sub(r"<[^>]+>", "", text)  # SRT allows simple markup such as <i>
        start = seconds_to_frame(h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, rate)
        end = min(total, seconds_to_frame(h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, rate))
        if text and end > start:
            captions.append(Caption(start, end, text))
    return _without_overlaps(sorted(captions, key=lambda c: c.start))


def caption_layers(timeline: Timeline) -> list[Caption]:
    layers = [layer for track in timeline.tracks for layer in track.layers
              if isinstance(layer, TextLayer) and layer.kind == "caption"]
    return _without_overlaps(sorted((Caption(x.start, x.end, x.text) for x in layers), key=lambda c: c.start))


def captions_for(timeline: Timeline, project: Path) -> list[Caption]:
    """captions.srt when the project has one (it follows the transcript closely), else caption layers."""
    srt = project / CAPTIONS_FILE
    if srt.is_file():
        return read_srt(srt, timeline.rate, timeline.duration_frames)
    return caption_layers(timeline)


def _without_overlaps(captions: list[Caption]) -> list[Caption]:
    """One caption at a time: a cue that starts before the previous ends cuts the previous short."""
    result: list[Caption] = []
    for caption in captions:
        if result and caption.start < result[-1].end:
            previous = result[-1]
            if caption.start <= previous.start:
                continue
            result[-1] = Caption(previous.start, caption.start, previous.text)
        result.append(caption)
    return result
