"""Transcription of the bundled sample: words, fillers and the retake, against its script and ground truth."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from engine.context import Word
from engine.media.audio import read_mono
from engine.transcribe.acoustic import Signal, measure, speaker_voice
from engine.transcribe.fillers import CONFIRM, DISCOVER, filler_score, find_fillers
from engine.transcribe.recognizer import SpeechModelError, load_model, resolve_model
from engine.transcribe.retakes import find_retakes
from engine.transcribe.windows import WINDOW_S, plan_windows, speech_spans, split_long
from engine.transcribe.words import join_runs, sentences

from conftest import ROOT, SAMPLE
from speech_sample import transcribed_sample

SCRIPT = ROOT / "samples" / "talk_script.txt"
ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SPELLINGS = {"umm": "um", "uhh": "uh", "hm": "hmm", "mm": "hmm", "mmm": "hmm"}


def number_words(n: int) -> str:
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    return number_words(n // 100) + " hundred" + ("" if n % 100 == 0 else " " + number_words(n % 100))


def normalise(text: str) -> list[str]:
    """Lower case, no punctuation, numbers as words ("2x" is "two x"), one spelling per filler."""
    text = re.sub(r"(\d+)([a-z])", r"\1 \2", text.lower())
    text = re.sub(r"\d+", lambda m: number_words(int(m.group())), text)
    return [SPELLINGS.get(w, w) for w in re.sub(r"[^a-z' ]", " ", text).split()]


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        diagonal, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (ref != hyp))
    return row[-1] / len(reference)


def script_words() -> list[str]:
    """Every word the sample says, fillers and the abandoned take included."""
    lines = [re.sub(r"\s*(\[[^]]*\]|\(pause[^)]*\))", "", line)
             for line in SCRIPT.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return normalise(" ".join(lines))


def overlaps(a_start: float, a_end: float, b_start: float, b_end: float) -> bool:
    return min(a_end, b_end) > max(a_start, b_start)


@pytest.fixture(scope="module")
def transcript():
    return transcribed_sample().transcript


@pytest.fixture(scope="module")
def signal() -> Signal:
    return Signal(read_mono(SAMPLE, 16000), 16000, 0.0)


def test_word_error_rate(transcript) -> None:
    wer = word_error_rate(script_words(), normalise(" ".join(w.text for w in transcript.words)))
    assert wer <= 0.15, f"WER {wer:.1%}: {transcript.text}"


def test_words_are_ordered_and_timed_in_source_time(transcript, truth) -> None:
    words = transcript.words
    assert transcript.model == "tiny.en" and transcript.language == "en"
    assert all(0.0 <= w.start <= w.end <= truth["duration"] for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    # Every word lies in speech: none starts in the lead-in or in a long pause.
    for pause in [truth["lead_in"]] + [p for p in truth["pauses"] if p["end"] - p["start"] >= 1.0]:
        inside = [w.text for w in words if pause["start"] + 0.1 < w.start < pause["end"] - 0.1]
        assert not inside, f"{inside} start inside the pause {pause}"
    first = truth["speech"][0]
    assert words[0].text.lower().startswith("welcome") and abs(words[0].start - first["start"]) < 0.15


def test_sentences_cover_the_words(transcript) -> None:
    segments = transcript.segments
    assert segments[0].first_word == 0 and segments[-1].last_word == len(transcript.words) - 1
    for a, b in zip(segments, segments[1:]):
        assert b.first_word == a.last_word + 1
    for s in segments:
        part = transcript.words[s.first_word:s.last_word + 1]
        assert s.text == " ".join(w.text for w in part) and s.start == part[0].start and s.end == part[-1].end
    assert len(segments) >= 12  # the sample has 17 sentences and 3 fillers


def test_fillers_are_found(transcript, truth) -> None:
    fillers = transcript.fillers
    hits = [t for t in truth["fillers"] if any(overlaps(f.start, f.end, t["start"], t["end"]) for f in fillers)]
    false = [f for f in fillers if not any(overlaps(f.start, f.end, t["start"], t["end"]) for t in truth["fillers"])]
    assert len(hits) >= 0.8 * len(truth["fillers"]), f"found {fillers}"
    assert len(false) <= max(1.0, truth["duration"] / 60.0), f"false fillers {false}"
    for filler in fillers:
        word = transcript.words[filler.word]
        assert word.filler and (word.start, word.end, word.text) == (filler.start, filler.end, filler.text)
    assert sum(w.filler for w in transcript.words) == len(fillers)


def test_found_fillers_are_confirmed_by_their_sound(transcript, truth) -> None:
    for t in truth["fillers"]:
        found = [f for f in transcript.fillers if overlaps(f.start, f.end, t["start"], t["end"])]
        for filler in found:
            assert filler.acoustic and filler.confidence >= 0.5
            # The filler's times are its sound's, so cutting it cuts neither silence nor the next word.
            assert abs(filler.start - t["start"]) <= 0.05 and abs(filler.end - t["end"]) <= 0.05


def test_acoustic_check_tells_hesitations_from_words(signal, truth) -> None:
    runs = join_runs([(s["start"], s["end"]) for s in truth["speech"]])
    usual = speaker_voice(signal, runs)
    assert usual is not None and 80 < usual.pitch_hz < 140  # the espeak-ng voice speaks at about 100 Hz
    for filler in truth["fillers"]:
        assert filler_score(measure(signal, filler["start"], filler["end"]), usual) >= DISCOVER, filler
    # Short sentences and a lone word said between pauses are words, not hesitations.
    short = [s for s in truth["speech"] if s["kind"] != "filler" and s["end"] - s["start"] < 2.5]
    assert short
    for speech in short:
        assert filler_score(measure(signal, speech["start"], speech["end"]), usual) < CONFIRM, speech
    finally_word = (48.01, 48.54)  # "Finally," with a pause after it
    assert filler_score(measure(signal, *finally_word), usual) < CONFIRM


def test_acoustic_check_finds_a_filler_the_recogniser_swallowed(transcript, signal, truth) -> None:
    """Whisper once heard "Hmm. And the derivative" as "and the derivative", with "and" starting in the
    "Hmm": without the filler word, the sound alone must bring it back and give "and" its own start."""
    hmm = next(t for t in truth["fillers"] if t["text"] == "Hmm.")
    words = [w.model_copy(update={"filler": False}) for w in transcript.words
             if not overlaps(w.start, w.end, hmm["start"], hmm["end"])]
    after = next(i for i, w in enumerate(words) if w.start >= hmm["end"])
    words[after] = words[after].model_copy(update={"start": hmm["start"] + 0.2})
    runs = join_runs([(s.start, s.end) for s in transcribed_sample().ctx.audio.sound])
    out, fillers = find_fillers(words, runs, signal)
    found = [f for f in fillers if overlaps(f.start, f.end, hmm["start"], hmm["end"])]
    assert len(found) == 1 and found[0].acoustic and out[found[0].word].filler
    swallower = out[found[0].word + 1]
    assert swallower.start >= hmm["end"], swallower


def test_retake_is_found(transcript, truth) -> None:
    abandoned, repeat = truth["retake"]["abandoned"], truth["retake"]["repeat"]
    found = [r for r in transcript.retakes if overlaps(r.abandoned.start, r.abandoned.end, abandoned["start"],
                                                       abandoned["end"])]
    assert len(found) == 1, transcript.retakes
    retake = found[0]
    assert overlaps(retake.repeat.start, retake.repeat.end, repeat["start"], repeat["end"])
    assert retake.abandoned.end <= retake.repeat.start  # cutting the take leaves the repeat whole
    assert retake.confidence >= 0.6
    assert len(transcript.retakes) == 1


def _words(text: str, start: float, step: float = 0.3) -> list[Word]:
    return [Word(text=t, start=start + i * step, end=start + i * step + step * 0.8, probability=0.9)
            for i, t in enumerate(text.split())]


def test_parallel_sentences_are_not_retakes() -> None:
    words = (_words("The derivative of x squared is 2x.", 0.0)
             + _words("The derivative of x cubed is 3x squared.", 3.0)
             + _words("It is fast.", 7.0) + _words("It is also cheap to run.", 8.5))
    assert find_retakes(words, sentences(words)) == []


def test_a_restart_after_a_pause_is_a_retake() -> None:
    words = _words("So the first thing we", 0.0) + _words("So the first thing we do is measure the slope.", 2.5)
    retakes = find_retakes(words, sentences(words))
    assert len(retakes) == 1
    assert retakes[0].abandoned_text == "So the first thing we"
    assert retakes[0].repeat_text.startswith("So the first thing we do")


def test_windows_skip_dead_air_and_fit_whisper() -> None:
    rate = 16000
    sound = [(1.0, 3.0), (13.0, 20.0), (20.2, 28.0), (40.0, 44.0), (44.5, 60.0)]
    audio = np.zeros(rate * 62, np.float32)
    spans = speech_spans(sound, 62.0, 0.1)
    plan = plan_windows(audio, rate, spans, 0.3)
    assert all(end - start <= WINDOW_S for start, end in plan.windows)
    assert plan.heard_s < 40.0  # 36.3 s of sound: the 10 s and 12 s of dead air are gone
    assert len(plan.windows) == 2
    # Times in the shortened audio map back to the original exactly at span edges, in order within.
    for start, _ in spans:
        assert any(abs(plan.to_audio_time(t) - start) < 1e-6 for t in plan.knots_compact)
    assert plan.to_audio_time(plan.knots_compact[2] + 0.5) == pytest.approx(spans[1][0] + 0.5)


def test_speech_without_pauses_is_cut_at_its_quietest_moment() -> None:
    rate = 16000
    audio = np.full(70 * rate, 0.1, np.float32)  # 70 s of sound
    audio[25 * rate:25 * rate + 160] = 0.0  # a breath at 25 s
    pieces = split_long([(0.0, 70.0)], audio, rate)
    assert pieces[0] == (0.0, 25.0)
    assert all(end - start <= WINDOW_S for start, end in pieces)
    assert pieces[-1][1] == 70.0 and all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))


def test_progress_is_reported() -> None:
    fractions = [e["fraction"] for e in transcribed_sample().progress]
    assert len(fractions) >= 3 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)


def test_model_setting() -> None:
    assert (Path(resolve_model("tiny.en")) / "model.bin").is_file()
    with pytest.raises(SpeechModelError, match="not found"):
        resolve_model("./no-such-model")


def test_a_folder_that_is_no_model_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError) as info:
        load_model(str(tmp_path))
    assert "cannot load speech model" in str(info.value) and "\n" not in str(info.value)
