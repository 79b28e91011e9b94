"""Stage: export the timeline to other editors' formats (OTIO, FCP 7 XML, FCPXML)."""
from __future__ import annotations

import logging
from pathlib import Path

from ..export.fcp_xml import FCP_XML_FILE, write_fcp_xml
from ..export.fcpxml import FCPXML_FILE, UnsupportedRate, write_fcpxml
from ..export.otio_export import OTIO_FILE, write_otio
from ..timeline import load_timeline
from .base import StageJob, StageResult

log = logging.getLogger(__name__)


def run(job: StageJob) -> StageResult:
    timeline = load_timeline(job.project)
    name = Path(job.ctx.input).stem
    write_otio(timeline, job.project, name)
    outputs = {"otio": OTIO_FILE}
    warnings = []
    if timeline.track("video") is None:
        warnings.append("no video: edit.xml and edit.fcpxml (video editors' formats) are not written")
        return StageResult(outputs=outputs, warnings=warnings)
    # edit.otio is the contract; the editor formats come from third-party adapters, so a timeline one of
    # them cannot take (an exotic frame rate, say) costs that file and a warning, not the job.
    for key, file, write in (("fcp_xml", FCP_XML_FILE, write_fcp_xml), ("fcpxml", FCPXML_FILE, write_fcpxml)):
        try:
            write(timeline, job.project, name)
            outputs[key] = file
        except UnsupportedRate as exc:
            warnings.append(f"{exc}: {file} is not written")
        except (ValueError, KeyError, SyntaxError, TypeError, AttributeError) as exc:
            log.warning("%s failed", file, exc_info=True)
            warnings.append(f"{file} could not be written ({type(exc).__name__}: {exc})")
    return StageResult(outputs=outputs, warnings=warnings)
