"""The audio stage's loudness, emphasis and beat analysis, on real files made here with numpy and PyAV.

Loudness is checked against theory and against two meters of the bundled
ffmpeg binary: its loudnorm filter (a separate EBU R128 implementation, a port
of libebur128) and its ebur128 filter (the code the stage runs through PyAV,
in another build). Beats are checked against the synthetic tracks' own timing.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
import pytest

from conftest import SAMPLE
from engine.analysis.beats import PERIODICITY_WINDOW_S
from engine.media.audio import read_mono
from engine.media.probe import probe
from engine.stages.audio import SHORT_TERM_HOP_S, analyse

RATE = 48000
BEAT_TOLERANCE_S = 0.05


def write_audio(path: Path, samples: np.ndarray, rate: int = RATE, codec: str = "pcm_s16le") -> Path:
    """Write (channels, n) float samples in [-1, 1] to a real file with PyAV."""
    samples = np.atleast_2d(samples).astype(np.float32)
    layout = {1: "mono", 2: "stereo"}[samples.shape[0]]
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        frame_size = stream.codec_context.frame_size or 1024
        for first in range(0, samples.shape[1], frame_size):
            chunk = np.ascontiguousarray(samples[:, first:first + frame_size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = first
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def place(track: np.ndarray, sound: np.ndarray, t: float) -> None:
    start = int(round(t * RATE))
    end = min(track.size, start + sound.size)
    track[start:end] += sound[:end - start]


def click(freq: float, amplitude: float) -> np.ndarray:
    t = np.arange(int(0.05 * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * freq * t) * np.exp(-t / 0.01)


def kick() -> np.ndarray:
    t = np.arange(int(0.25 * RATE)) / RATE
    freq = 50 + 100 * np.exp(-t / 0.03)  # the pitch drop of a bass drum
    return 0.9 * np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t / 0.08)


def hihat(rng: np.random.Generator, amplitude: float) -> np.ndarray:
    t = np.arange(int(0.06 * RATE)) / RATE
    noise = np.diff(rng.standard_normal(t.size + 1))  # differenced noise: bright, as a hi-hat is
    return amplitude * noise / np.abs(noise).max() * np.exp(-t / 0.015)


def click_track(bpm: float, beats_per_bar: int, seconds: float = 30.0, start: float = 0.5):
    """Clicks with an accented (louder, higher) first beat of each bar; returns audio, beats, downbeats."""
    track = np.zeros(int(seconds * RATE))
    beats = start + np.arange(int((seconds - start - 0.5) * bpm / 60)) * 60.0 / bpm
    for i, t in enumerate(beats):
        downbeat = i % beats_per_bar == 0
        place(track, click(1500, 0.8) if downbeat else click(1000, 0.35), t)
    return track, beats, beats[::beats_per_bar]


def kick_hat_groove(bpm: float, seconds: float = 30.0, start: float = 0.3):
    """Kick on every beat, a louder-than-usual hi-hat on every off-beat; returns audio and the kick times."""
    rng = np.random.default_rng(0)
    track = np.zeros(int(seconds * RATE))
    period = 60.0 / bpm
    kicks = start + np.arange(int((seconds - start - 0.5) / period)) * period
    for t in kicks:
        place(track, kick(), t)
        place(track, hihat(rng, 0.9), t + period / 2)
    return track, kicks


def nearest_distance(times: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.abs(np.asarray(times)[:, None] - np.asarray(reference)[None, :]).min(axis=1)


def analyse_file(path: Path):
    media = probe(path)
    analysis, _ = analyse(path, hop_s=0.01, offset_s=media.audio_offset_s, duration_s=media.duration_s)
    return analysis


@pytest.mark.parametrize("bpm, beats_per_bar", [(120, 4), (93, 3)])
def test_click_track_beats_tempo_and_downbeats(tmp_path: Path, bpm: float, beats_per_bar: int) -> None:
    track, beats, downbeats = click_track(bpm, beats_per_bar)
    analysis = analyse_file(write_audio(tmp_path / "clicks.m4a", track, codec="aac"))
    assert analysis.emphasis == [] and analysis.pitch_median_hz is None  # music: no speaking voice to follow
    music = analysis.music
    assert music is not None
    assert abs(music.tempo_bpm - bpm) < 1.0
    found = np.array(music.beats)
    assert nearest_distance(beats, found).max() < BEAT_TOLERANCE_S  # every beat found...
    assert nearest_distance(found, beats).max() < BEAT_TOLERANCE_S  # ...and nothing else
    assert music.beats_per_bar == beats_per_bar
    assert nearest_distance(np.array(music.downbeats), downbeats).max() < BEAT_TOLERANCE_S
    assert len(music.downbeats) >= len(downbeats) - 1
    assert music.confidence > 0.8


def test_kick_and_hihat_beats_fall_on_the_kick(tmp_path: Path) -> None:
    # librosa's tracker put every beat of such a groove on the hi-hat, half a beat early.
    bpm = 110
    track, kicks = kick_hat_groove(bpm)
    music = analyse_file(write_audio(tmp_path / "groove.m4a", track, codec="aac")).music
    assert music is not None
    assert abs(music.tempo_bpm - bpm) < 1.0
    found = np.array(music.beats)
    assert nearest_distance(kicks, found).max() < BEAT_TOLERANCE_S
    assert nearest_distance(found, kicks).max() < BEAT_TOLERANCE_S
    assert music.confidence > 0.8


def sine(seconds: float, dbfs: float, rate: int = RATE, freq: float = 1000.0) -> np.ndarray:
    """A sine whose peak is at `dbfs`."""
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)


def ffmpeg_log(path: Path, audio_filter: str) -> str:
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path),
                           "-af", audio_filter, "-f", "null", "-"], capture_output=True, text=True, check=True)
    return proc.stderr


def ffmpeg_meters(path: Path) -> dict[str, float]:
    """Integrated loudness, true peak and loudness range by the ffmpeg binary's loudnorm and ebur128."""
    log = ffmpeg_log(path, "loudnorm=print_format=json")
    loudnorm = json.loads(log[log.rindex("{"):log.rindex("}") + 1])
    log = ffmpeg_log(path, "ebur128=peak=true:framelog=quiet")
    summary = log[log.rindex("Summary:"):]
    return {
        "loudnorm_i": float(loudnorm["input_i"]),
        "loudnorm_tp": float(loudnorm["input_tp"]),
        "loudnorm_lra": float(loudnorm["input_lra"]),
        "ebur128_i": float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
        "ebur128_tp": float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)),
    }


@pytest.mark.parametrize("channels, rate, expected_lufs", [
    (2, 48000, -20.0),  # BS.1770: a 1 kHz sine at 0 dBFS in one channel reads -3.01 LUFS; two channels add 3.01
    (1, 44100, -23.01),  # mono counts as one channel, whatever the rate
])
def test_sine_loudness_matches_theory_and_a_second_meter(tmp_path: Path, channels: int, rate: int,
                                                          expected_lufs: float) -> None:
    tone = sine(12.0, -20.0, rate)
    path = write_audio(tmp_path / "sine.wav", np.tile(tone, (channels, 1)), rate)
    loudness = analyse_file(path).loudness
    assert loudness is not None
    reference = ffmpeg_meters(path)
    assert abs(loudness.integrated_lufs - expected_lufs) < 0.5
    assert abs(loudness.integrated_lufs - reference["loudnorm_i"]) < 0.5
    assert abs(loudness.integrated_lufs - reference["ebur128_i"]) < 0.5
    assert abs(loudness.true_peak_dbtp - -20.0) < 0.5  # the true peak of a -20 dBFS sine
    assert abs(loudness.true_peak_dbtp - reference["loudnorm_tp"]) < 0.5
    assert abs(loudness.true_peak_dbtp - reference["ebur128_tp"]) < 0.5
    assert loudness.loudness_range_lu < 0.5  # a steady tone has no loudness range


def test_short_term_loudness_follows_a_level_step(tmp_path: Path) -> None:
    quiet, loud = sine(10.0, -30.0), sine(10.0, -20.0)
    path = write_audio(tmp_path / "step.wav", np.tile(np.concatenate([quiet, loud]), (2, 1)))
    loudness = analyse_file(path).loudness
    assert loudness is not None and loudness.short_term_hop_s == SHORT_TERM_HOP_S
    values = np.array(loudness.short_term_lufs)
    starts = np.arange(values.size) * SHORT_TERM_HOP_S  # window i covers [starts[i], starts[i] + 3 s)
    assert values.size == int((20.0 - 3.0) / SHORT_TERM_HOP_S) + 1
    assert np.all(np.abs(values[starts + 3.0 <= 10.0] - -30.0) < 0.5)
    assert np.all(np.abs(values[starts >= 10.0] - -20.0) < 0.5)
    # Windows across the step read between the two levels, rising with their share of the loud part.
    across = values[(starts > 7.0) & (starts < 10.0)]
    assert np.all(np.diff(across) > 0) and across.min() > -30.0 and across.max() < -20.0
    assert abs(loudness.loudness_range_lu - ffmpeg_meters(path)["loudnorm_lra"]) < 1.0


def test_silence_is_measured_without_inventing_anything(tmp_path: Path) -> None:
    analysis = analyse_file(write_audio(tmp_path / "silence.wav", np.zeros((2, 5 * RATE))))
    assert analysis.loudness is not None
    assert analysis.loudness.integrated_lufs <= -70.0  # nothing passes the absolute gate
    assert analysis.loudness.true_peak_dbtp <= -100.0
    assert analysis.emphasis == []
    assert analysis.music is not None and analysis.music.confidence == 0.0


@pytest.fixture(scope="module")
def sample_audio():
    return analyse_file(SAMPLE)


def test_sample_emphasis_found_with_few_other_peaks(sample_audio, truth: dict) -> None:
    said = truth["emphasis"][0]
    overlapping = [p for p in sample_audio.emphasis if p.start < said["end"] and p.end > said["start"]]
    assert len(overlapping) == 1, sample_audio.emphasis
    peak = overlapping[0]
    overlap = min(peak.end, said["end"]) - max(peak.start, said["start"])
    assert overlap > 0.6 * (said["end"] - said["start"])
    assert peak.loudness_db > 1.0 and peak.pitch_semitones > 1.0  # espeak said it louder and higher
    assert len(sample_audio.emphasis) - 1 <= 2
    assert 70.0 < sample_audio.pitch_median_hz < 200.0  # a low speaking voice


def test_sample_talk_is_not_music(sample_audio) -> None:
    music = sample_audio.music
    assert music is not None and music.confidence < 0.2
    assert len(music.beats) < 0.1 * music.tempo_bpm / 60.0 * probe(SAMPLE).duration_s  # no pulse to follow
    loudness = sample_audio.loudness
    assert loudness is not None
    reference = ffmpeg_meters(SAMPLE)
    assert abs(loudness.integrated_lufs - reference["loudnorm_i"]) < 0.5
    assert abs(loudness.true_peak_dbtp - reference["loudnorm_tp"]) < 0.5
    assert abs(loudness.loudness_range_lu - reference["loudnorm_lra"]) < 1.0
    duration = probe(SAMPLE).duration_s
    assert len(loudness.short_term_lufs) == int((duration - 3.0) / SHORT_TERM_HOP_S) + 1


def test_stage_result_in_context(processed: Path) -> None:
    """The whole job on the sample carries the new analyses in context.json."""
    audio = json.loads((processed / "context.json").read_text())["audio"]
    assert audio["loudness"]["integrated_lufs"] < 0.0
    assert audio["emphasis"] and audio["music"]["confidence"] < 0.2


def test_beats_only_where_the_music_is(tmp_path: Path) -> None:
    """A talk that turns into music: the beat chain runs through both, but only the music's beats count."""
    speech_s = 20.0
    speech = read_mono(SAMPLE, RATE)[:int(speech_s * RATE)]
    clicks, beats, _ = click_track(120, 4, seconds=20.0)
    path = write_audio(tmp_path / "talk_then_music.m4a", np.concatenate([speech, clicks]), codec="aac")
    music = analyse_file(path).music
    assert music is not None
    found = np.array(music.beats)
    music_beats = beats + speech_s
    # Beat windows are 8 s long, so the last few seconds of talk before the music may keep theirs.
    assert found.size and found.min() > speech_s - 0.5 * PERIODICITY_WINDOW_S
    assert nearest_distance(music_beats, found).max() < BEAT_TOLERANCE_S
