"""Pieces of the renderer on their own: keyframe easing, the audio spans at cuts, the music bed's ducking."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from engine.render.audio import build_spans
from engine.render.keyframes import value_at
from engine.render.music import DUCK_DB, Ducker
from engine.render.plan import transition_frames
from engine.timeline import Clip, Keyframe, Track, Transition


def test_keyframes_ease_linear_hold() -> None:
    keys = [Keyframe(frame=0, value=1.0), Keyframe(frame=10, value=2.0, interpolation="linear"),
            Keyframe(frame=20, value=1.0, interpolation="hold"), Keyframe(frame=30, value=3.0)]
    assert value_at(keys, -5) == 1.0 and value_at(keys, 40) == 3.0
    # ease: slow at both ends, half way in the middle
    assert value_at(keys, 1) - 1.0 < 0.1 * 1 and value_at(keys, 5) == pytest.approx(1.5)
    assert value_at(keys, 15) == pytest.approx(1.5)  # linear
    assert value_at(keys, 25) == 1.0  # hold until the next key
    samples = [value_at(keys, f / 4) for f in range(0, 41)]
    assert np.abs(np.diff(samples)).max() < 0.2  # no jumps while easing


def track_with(kind: str | None) -> Track:
    clips = [Clip(id="a", media="m", source_in=100, source_out=160, start=0),
             Clip(id="b", media="m", source_in=300, source_out=360, start=60)]
    transitions = [Transition(id="t", kind=kind, at=60, duration=12)] if kind else []
    return Track(id="A1", kind="audio", clips=clips, transitions=transitions)


def test_audio_spans_fade_every_cut_and_crossfade_with_handles() -> None:
    rate, sr = Fraction(30), 48000
    plain = build_spans(track_with(None), rate, sr)
    assert plain[0].fade_out == plain[1].fade_in == int(0.012 * sr)  # at least 10 ms each side
    assert plain[0].end == plain[1].start == 60 * 1600
    cross = build_spans(track_with("crossfade"), rate, sr)
    # Both reach 6 frames into their handles and overlap over the 12 frames of the crossfade.
    assert cross[0].end == 66 * 1600 and cross[1].start == 54 * 1600 and cross[1].source == 294 * 1600
    assert cross[0].fade_out == cross[1].fade_in == 12 * 1600
    gains = cross[0].gain(cross[0].length - 12 * 1600, cross[0].length) ** 2 + cross[1].gain(0, 12 * 1600) ** 2
    assert np.allclose(gains, 1.0, atol=1e-3)  # equal power through the crossfade
    dip = build_spans(track_with("dip_to_black"), rate, sr)
    assert dip[0].end == dip[1].start == 60 * 1600 and dip[0].fade_out == dip[1].fade_in == 6 * 1600


def test_video_crossfade_weights_are_symmetric() -> None:
    track = track_with("crossfade")
    frames = transition_frames(track, track.transitions[0])
    assert sorted(frames) == list(range(54, 66))
    shares_of_incoming = [b.weight if n < 60 else 1 - b.weight for n, (_, b) in sorted(frames.items())]
    assert np.allclose(shares_of_incoming, (np.arange(12) + 0.5) / 12)
    assert frames[59][0] == 159 and frames[59][1].other == 299  # outgoing base, incoming handle
    assert frames[60][0] == 300 and frames[60][1].other == 160  # incoming base, outgoing handle


def test_music_bed_ducks_under_speech_and_comes_back() -> None:
    sr = 48000
    speech = np.zeros((2, sr * 3), np.float32)
    speech[:, sr:2 * sr] = 0.3 * np.sin(2 * np.pi * 200 * np.arange(sr) / sr)  # one second of "speech"
    ducker = Ducker(sr, speech_lufs=-16.0)
    gain = np.concatenate([ducker.gain(speech[:, i:i + sr // 2]) for i in range(0, speech.shape[1], sr // 2)])
    low = 10 ** (DUCK_DB / 20)
    assert gain[int(0.9 * sr)] == pytest.approx(1.0)  # before speech: full bed
    assert gain[int(1.5 * sr)] == pytest.approx(low, abs=0.01)  # under speech: ducked
    assert gain[int(1.1 * sr)] < 0.5  # the dip comes within 0.1 s
    assert gain[int(2.05 * sr)] < 0.6 < gain[int(2.9 * sr)]  # and the bed returns slowly after
    assert np.abs(np.diff(gain)).max() < 0.01  # the gain itself never steps


def _write_audio(path, samples: np.ndarray, sr: int = 48000) -> None:
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=sr)
        stream.layout = "stereo"
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]), format="fltp",
                                               layout="stereo")
            frame.sample_rate, frame.pts = sr, start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _band_db(audio: np.ndarray, sr: int, hz: float, lo: float, hi: float) -> float:
    """Level of one frequency in a stretch of the audio, by correlation with it."""
    part = audio.mean(axis=0)[int(lo * sr):int(hi * sr)]
    t = np.arange(len(part)) / sr
    amplitude = 2 * abs((part * np.exp(-2j * np.pi * hz * t)).mean())
    return 20 * np.log10(amplitude + 1e-12)


def test_music_bed_is_mixed_under_the_edit_and_ducked(tmp_path) -> None:
    from pathlib import Path

    import av

    from engine.render.mix import AudioJob, render_audio
    from engine.render.settings import settings_for

    sr = 48000
    t = np.arange(8 * sr) / sr
    speech = np.where((t >= 2) & (t < 4), 0.3 * np.sin(2 * np.pi * 1000 * t), 0.0).astype(np.float32)
    _write_audio(tmp_path / "talk.m4a", np.stack([speech, speech]))
    music = (0.3 * np.sin(2 * np.pi * 300 * np.arange(3 * sr) / sr)).astype(np.float32)  # looped to length
    _write_audio(tmp_path / "bed.m4a", np.stack([music, music]))
    track = Track(id="A1", kind="audio", clips=[Clip(id="a0", media="m", source_in=0, source_out=240, start=0)])
    job = AudioJob(tmp_path / "talk.m4a", 0.0, 2, track, Fraction(30), 240, -14.0, Path(tmp_path / "bed.m4a"))
    result = render_audio(job, settings_for("balanced", 1280, 720, Fraction(30)), tmp_path / "out.m4a")
    with av.open(str(tmp_path / "out.m4a")) as container:
        out = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    assert abs(result.loudness.integrated_lufs - -14.0) <= 1.0
    bed_alone = _band_db(out, sr, 300, 1.2, 1.8)
    bed_under_speech = _band_db(out, sr, 300, 2.8, 3.6)
    speech_level = _band_db(out, sr, 1000, 2.8, 3.6)
    assert speech_level - bed_alone > 8  # the bed sits well under the speech...
    # ...and dips while it plays: 12 dB of ducking, and a few more where AAC spends fewer bits on a quiet
    # tone under a loud one (measured 17 dB in all).
    assert 10 < bed_alone - bed_under_speech < 22
    assert bed_alone - _band_db(out, sr, 300, 5.2, 5.8) < 2  # and comes back after (before its fade-out)
