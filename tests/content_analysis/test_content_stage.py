"""The content stage: its section from whatever the other stages found, and its cost in a fresh process."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from engine.context import ContentAnalysis, Loudness, MusicAnalysis, save_context
from engine.stages.base import EventWriter, StageJob
from engine.stages.content import run

from .inputs import SAMPLE_DURATION, context, lecture, slides, speech_audio

ROOT = Path(__file__).resolve().parents[2]


def _run(ctx, tmp_path: Path) -> ContentAnalysis:
    result = run(StageJob("content", tmp_path, ctx, EventWriter(io.StringIO())))
    assert set(result.sections) == {"content"}
    return result.sections["content"]


def test_the_sample(sample_transcript, truth, tmp_path):
    ctx = context(sample_transcript, SAMPLE_DURATION, speech_audio(SAMPLE_DURATION), slides([26.5]))
    content = _run(ctx, tmp_path)
    assert content.content_type == "educational" and content.type_confidence > 0.55
    assert [c.start for c in content.chapters][0] == 0.0
    assert len(content.chapters) == len(truth["topics"])
    assert abs(content.chapters[1].start - 26.5) <= 10.0 and abs(content.chapters[2].start - 48.0) <= 10.0
    assert all(a.end == b.start for a, b in zip(content.chapters, content.chapters[1:]))
    assert content.chapters[-1].end == SAMPLE_DURATION
    assert 140.0 <= content.speech_rate_wpm <= 200.0  # espeak-ng at 155 wpm, pauses inside sentences excluded
    assert "derivative" in [k.text for k in content.keywords[:5]]
    assert content.concepts and content.peaks
    ContentAnalysis.model_validate_json(content.model_dump_json())  # what context.json will hold


def test_the_users_choice_of_type_stands(tmp_path):
    talk = lecture("lecture_photo.txt")
    content = _run(context(talk.transcript, talk.duration, content_type="music"), tmp_path)
    assert (content.content_type, content.type_confidence) == ("music", 1.0)
    assert "chosen with --type music" in content.type_reason and "educational" in content.type_reason
    assert content.chapters == []  # songs get no chapters, and the user says this is one


def test_a_silent_video_has_no_speech_to_analyse(tmp_path):
    content = _run(context(None, 30.0, None, slides([10.0])), tmp_path)
    assert content.content_type == "general"
    assert content.speech_rate_wpm is None
    assert (content.keywords, content.concepts, content.chapters, content.peaks) == ([], [], [], [])


def test_audio_only_music(tmp_path):
    duration = 90.0
    beats = [i * 0.5 for i in range(180)]
    levels = [-18.0 + (5.0 if 40 <= i < 45 else 0.0) for i in range(88)]
    audio = speech_audio(duration, music=MusicAnalysis(tempo_bpm=120.0, beats=beats, downbeats=beats[::4],
                                                       confidence=0.85),
                         loudness=Loudness(integrated_lufs=-17.5, true_peak_dbtp=-1.0, loudness_range_lu=5.0,
                                           short_term_hop_s=1.0, short_term_lufs=levels))
    content = _run(context(None, duration, audio, None), tmp_path)
    assert content.content_type == "music"
    assert content.peaks and all(p.kind == "emotion" for p in content.peaks)


def test_three_minutes_take_well_under_two_seconds_in_a_fresh_process(tmp_path):
    talk = lecture("lecture_photo.txt")  # 3.5 minutes of lecture
    assert talk.duration > 180.0
    save_context(tmp_path, context(talk.transcript, talk.duration, speech_audio(talk.duration), slides([44.0])))
    # The whole cost of the stage's process: interpreter start, imports, reading the context, the analysis.
    script = (
        "import io, json, resource, sys\n"
        "from pathlib import Path\n"
        "from engine.context import load_context\n"
        "from engine.stages.base import EventWriter, StageJob\n"
        "from engine.stages.content import run\n"
        "project = Path(sys.argv[1])\n"
        "result = run(StageJob('content', project, load_context(project), EventWriter(io.StringIO())))\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        # Linux keeps ru_maxrss across exec, so a child forked from a big pytest would inherit its size:
        # VmHWM is this program's own high-water mark. macOS has no /proc and counts ru_maxrss in bytes.
        "try:\n"
        "    peak_kb = int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
        "except OSError:\n"
        "    peak_kb = usage.ru_maxrss // 1024\n"
        "print(json.dumps({'cpu_s': usage.ru_utime + usage.ru_stime, 'peak_rss_mb': peak_kb / 1024,\n"
        "                  'chapters': len(result.sections['content'].chapters)}))\n")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=True)
    cost = json.loads(proc.stdout.strip().splitlines()[-1])
    assert cost["chapters"] >= 3
    assert cost["cpu_s"] < 2.0, cost  # CPU time, so a busy machine does not fail it
    assert cost["peak_rss_mb"] < 150.0, cost
