"""Export the timeline as OpenTimelineIO (`edit.otio`): one video and one audio track of source ranges."""
from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from ..fsutil import atomic_path
from ..timeline import Timeline, resolve_media_path

OTIO_FILE = "edit.otio"


def to_otio(timeline: Timeline, project: Path, name: str) -> otio.schema.Timeline:
    rate = float(timeline.rate)
    result = otio.schema.Timeline(name=name)
    result.global_start_time = otio.opentime.RationalTime(0, rate)
    references = {ref.id: ref for ref in timeline.media}
    for track in timeline.tracks:
        if track.kind == "overlay":
            continue  # text and B-roll layers are not source ranges; other editors get the cut itself
        kind = otio.schema.TrackKind.Video if track.kind == "video" else otio.schema.TrackKind.Audio
        otrack = otio.schema.Track(name=track.id, kind=kind)
        position = 0
        for clip in sorted(track.clips, key=lambda c: c.start):
            if clip.start > position:
                otrack.append(otio.schema.Gap(
                    source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(clip.start - position, rate))))
            ref = references[clip.media]
            media_path = resolve_media_path(ref, project).resolve()
            media_ref = otio.schema.ExternalReference(
                target_url=media_path.as_uri(),
                available_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(ref.duration_frames, rate)),
            )
            otrack.append(otio.schema.Clip(
                name=_display_name(f"{media_path.name} {clip.id}"),
                media_reference=media_ref,
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(clip.source_in, rate), otio.opentime.RationalTime(clip.length, rate)),
                metadata={"ai_video_editor": {"clip_id": clip.id, "rate": f"{timeline.rate}"}},
            ))
            position = clip.end
        result.tracks.append(otrack)
    return result


def _display_name(name: str) -> str:
    """A clip's name with typographic quotes: the FCPXML adapter looks clips up by name in an XPath
    predicate, which a straight quote breaks. Paths (target_url) keep their exact characters."""
    return name.replace("'", "\u2019").replace('"', "\u201d")


def write_otio(timeline: Timeline, project: Path, name: str) -> Path:
    final = project / OTIO_FILE
    with atomic_path(final) as tmp:
        otio.adapters.write_to_file(to_otio(timeline, project, name), str(tmp), adapter_name="otio_json")
    return final
