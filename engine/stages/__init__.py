"""The stage table: every stage, what it needs, and the module that runs it.

The orchestrator (engine.pipeline) reads only this table; stage modules are
imported in their worker process, never in the orchestrator.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StageSpec:
    name: str
    module: str
    needs: tuple[str, ...]
    help: str
    weight: float  # share of a typical job's time, for the overall progress bar
    version: int = 1  # bump when the stage's output changes for the same inputs
    cacheable: bool = False  # its whole result lives in the context, so it can be replayed from the cache
    uses_ai: bool = False  # its result depends on whether a Gemini key is set
    memory_mb: float = 150.0  # typical peak of its process tree at 1080p, for scheduling under a memory bound


STAGES: tuple[StageSpec, ...] = (
    StageSpec("probe", "engine.stages.probe", (), "Read the input's streams, rates and duration.", 0.01),
    StageSpec("audio", "engine.stages.audio", ("probe",),
              "Find dead air, loudness (EBU R128), emphasis peaks, and tempo, beats and downbeats.", 0.04,
              version=2, cacheable=True, memory_mb=250),
    StageSpec("transcribe", "engine.stages.transcribe", ("audio",),
              "Transcribe speech with word times (faster-whisper); mark fillers and abandoned retakes.", 0.25,
              cacheable=True, memory_mb=550),
    StageSpec("visual", "engine.stages.visual", ("probe",),
              "Sample frames: shot changes, faces, sharpness, motion, exposure, thumbnail candidates.", 0.08,
              cacheable=True, memory_mb=200),
    StageSpec("content", "engine.stages.content", ("audio", "transcribe", "visual"),
              "Find the content type, keywords, concepts, chapters, peaks and speech rate.", 0.01, cacheable=True),
    StageSpec("plan", "engine.stages.plan", ("content",), "Decide the edit (local director, or Gemini with a key); "
              "write timeline.json and edit.png.", 0.01, uses_ai=True),
    StageSpec("animations", "engine.stages.animations", ("plan",),
              "Render the B-roll (charts, diagrams, keyword cards, visualiser) in Blender to assets/.", 0.08,
              memory_mb=800),
    StageSpec("captions", "engine.stages.captions", ("plan", "transcribe"),
              "Write captions.srt and captions.vtt, timed on the edited video.", 0.01),
    StageSpec("render", "engine.stages.render", ("plan", "animations", "captions"),
              "Render timeline.json to edited.mp4: cuts, zooms, transitions, titles, B-roll, loudness.", 0.45,
              version=2, memory_mb=550),
    StageSpec("export", "engine.stages.export", ("plan",),
              "Export the edit as edit.otio, edit.xml (FCP 7 XML) and edit.fcpxml (Final Cut Pro).", 0.02),
    StageSpec("metadata", "engine.stages.metadata", ("plan",),
              "Write metadata.json and description.txt: titles, description, chapters, tags (Gemini with a key).",
              0.01, uses_ai=True),
    StageSpec("thumbnails", "engine.stages.thumbnails", ("metadata",),
              "Make thumbnails/ from the best frames, each paired with a title (Imagen in high mode with a key).",
              0.02, uses_ai=True, memory_mb=250),
    StageSpec("blend", "engine.stages.blend", ("animations", "captions"),
              "Build project.blend: the edit as an editable timeline in Blender's Sequencer.", 0.03, memory_mb=400),
)

BY_NAME = {stage.name: stage for stage in STAGES}


def closure(names: list[str]) -> list[StageSpec]:
    """The named stages and everything they need, in table (topological) order."""
    wanted: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(BY_NAME[name].needs)
    return [stage for stage in STAGES if stage.name in wanted]
