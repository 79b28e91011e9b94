"""Export the timeline as FCPXML (`edit.fcpxml`) for Final Cut Pro (also read by DaVinci Resolve).

Written by OpenTimelineIO's FCPXML adapter (the otio-fcpx-xml-adapter package): the
video clips form the primary storyline, the audio clips are connected below them.
That adapter knows only the broadcast rates, looked up by their two-decimal names
(29.97 for 30000/1001), so the timeline is handed over at that nominal rate and the
times it writes (frames / 29.97) are then snapped to whole frames of the exact rate
(frames * 1001/30000 s), as Final Cut requires of every edit point.
"""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from ..fsutil import atomic_path
from ..timeline import Timeline
from .otio_export import to_otio

FCPXML_FILE = "edit.fcpxml"
ADAPTER = "fcpx_xml"
RATES = (23.98, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0)  # the adapter's table
_TIME = re.compile(r'\b(offset|start|duration)="(\d+)/(\d+)s"')


class UnsupportedRate(ValueError):
    """Final Cut Pro's XML (as the adapter writes it) has no frame duration for this rate."""


def nominal_rate(rate: Fraction) -> float:
    nominal = round(float(rate), 2)
    if nominal not in RATES:
        raise UnsupportedRate(f"FCPXML export supports {', '.join(f'{r:g}' for r in RATES)} fps, not {float(rate):g}")
    return nominal


def write_fcpxml(timeline: Timeline, project: Path, name: str) -> Path:
    final = project / FCPXML_FILE
    nominal = nominal_rate(timeline.rate)
    text = otio.adapters.write_to_string(_at_rate(to_otio(timeline, project, name), nominal), adapter_name=ADAPTER)
    if nominal != timeline.rate:
        text = _snap_times(text, Fraction(nominal).limit_denominator(1000), timeline.rate)
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return final


def _snap_times(text: str, nominal: Fraction, rate: Fraction) -> str:
    """Every time written as frames / nominal rewritten as the same frames at the exact rate."""
    def exact(match: re.Match) -> str:
        frames = round(Fraction(int(match[2]), int(match[3])) * nominal)
        value = Fraction(frames) / rate
        return f'{match[1]}="{value.numerator}/{value.denominator}s"' if frames else f'{match[1]}="0s"'

    return _TIME.sub(exact, text)


def _at_rate(result: otio.schema.Timeline, rate: float) -> otio.schema.Timeline:
    """The same frame numbers, labelled with `rate`."""
    def relabel(time_range: otio.opentime.TimeRange) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(otio.opentime.RationalTime(time_range.start_time.value, rate),
                                       otio.opentime.RationalTime(time_range.duration.value, rate))

    result.global_start_time = otio.opentime.RationalTime(result.global_start_time.value, rate)
    for track in result.tracks:
        for item in track:
            item.source_range = relabel(item.source_range)
            reference = getattr(item, "media_reference", None)
            if reference is not None and reference.available_range is not None:
                reference.available_range = relabel(reference.available_range)
    return result
