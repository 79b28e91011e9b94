"""Stage: speech to text with word times; fillers and retakes marked."""
from __future__ import annotations

from pathlib import Path

from ..context import Transcript
from ..media.audio import read_mono
from ..options import QUALITY_PRESETS
from ..transcribe.acoustic import Signal
from ..transcribe.fillers import find_fillers
from ..transcribe.recognizer import BATCH_SIZE, SMALL_BATCH_SIZE, load_model, recognise
from ..transcribe.retakes import find_retakes
from ..transcribe.windows import plan_windows, speech_spans, split_long
from ..transcribe.words import join_runs, sentences, to_words
from .base import StageJob, StageResult

RATE = 16000  # what Whisper hears
# What the recogniser hears: each sound with PAD_S of lead-in and tail, and between two sounds at
# most MAX_GAP_S more of the silence. Chosen by measurement (word error rate and windows on the sample
# and a 3-minute talk); the word error rate moves by a few points with any change to the windows.
PAD_S = 0.1
MAX_GAP_S = 0.3


LOW_MEMORY_MB = 600


def run(job: StageJob) -> StageResult:
    media = job.ctx.require_media()
    if media.audio is None or job.ctx.audio is None:
        return StageResult(sections={"transcript": None})
    options = job.ctx.options
    job.progress(0.0, "reading audio")
    samples = read_mono(Path(media.path), RATE)
    offset = media.audio_offset_s  # source time of the first sample
    sound = [(s.start, s.end) for s in job.ctx.audio.sound]

    spans = speech_spans([(s - offset, e - offset) for s, e in sound], len(samples) / RATE, PAD_S)
    plan = plan_windows(samples, RATE, split_long(spans, samples, RATE), MAX_GAP_S)
    job.progress(0.05, "loading the speech model")
    model = load_model(options.whisper_model)
    # Under a tight memory bound, decode one window at a time (about 150 MB less at the peak).
    batch = BATCH_SIZE if job.memory_budget_mb >= LOW_MEMORY_MB else SMALL_BATCH_SIZE
    recognised = recognise(model, plan, QUALITY_PRESETS[options.quality].whisper_beam,
                           lambda done: job.progress(0.1 + 0.85 * done, "transcribing"), batch_size=batch)

    runs = join_runs(sound)
    words = to_words(recognised.words, offset, runs)
    words, fillers = find_fillers(words, runs, Signal(samples, RATE, offset))
    segments = sentences(words)
    transcript = Transcript(model=options.whisper_model, language=recognised.language, words=words,
                            segments=segments, fillers=fillers, retakes=find_retakes(words, segments))
    job.progress(1.0, f"{len(words)} words, {len(fillers)} fillers, {len(transcript.retakes)} retakes")
    return StageResult(sections={"transcript": transcript})
