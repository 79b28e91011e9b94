"""Export the timeline as Final Cut Pro 7 XML (`edit.xml`), which Premiere Pro and DaVinci Resolve import.

Written by OpenTimelineIO's FCP XML adapter (the otio-fcp-adapter package) from the
same OTIO timeline as edit.otio, so both hold the same clip ranges.
"""
from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from ..fsutil import atomic_path
from ..timeline import Timeline
from .otio_export import to_otio

FCP_XML_FILE = "edit.xml"
ADAPTER = "fcp_xml"


def write_fcp_xml(timeline: Timeline, project: Path, name: str) -> Path:
    final = project / FCP_XML_FILE
    with atomic_path(final) as tmp:
        otio.adapters.write_to_file(to_otio(timeline, project, name), str(tmp), adapter_name=ADAPTER)
    return final
