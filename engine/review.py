"""Review an edit: `explain` lines for every decision, and edit.png, the edit drawn over the waveform."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .context import ContentContext
from .fsutil import atomic_path
from .media.audio import read_mono
from .timeline import Timeline

EDIT_PNG = "edit.png"
WIDTH, HEIGHT = 1800, 460
WAVE_TOP, WAVE_BOTTOM = 60, 300
LANES_TOP = 320
# BGR colours
KEPT, CUT, WAVE = (210, 235, 210), (200, 200, 235), (70, 70, 70)
MARKS = {"filler": (0, 140, 255), "retake": (180, 60, 160), "zoom": (200, 120, 0), "title": (40, 40, 200),
         "broll": (150, 150, 0), "accent": (0, 180, 180), "transition": (90, 90, 90)}


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{rest:05.2f}"


def explain_lines(timeline: Timeline) -> list[str]:
    lines = []
    for d in timeline.decisions:
        what = f"{d.action} {d.kind}".strip()
        lines.append(f"{_clock(d.source_start)}-{_clock(d.source_end)}  {what:<22} {d.confidence:4.2f}  "
                     f"[{d.director}] {d.reason}")
    return lines


def draw_edit(ctx: ContentContext, timeline: Timeline, project: Path) -> Path:
    media = ctx.require_media()
    duration = max(media.duration_s, 1e-3)
    img = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)

    def x(t: float) -> int:
        return int(round(t / duration * (WIDTH - 1)))

    img[WAVE_TOP:WAVE_BOTTOM, :] = CUT
    video = timeline.track("video") or timeline.track("audio")
    for clip in (video.clips if video else []):
        img[WAVE_TOP:WAVE_BOTTOM, x(timeline.frames_to_s(clip.source_in)):x(timeline.frames_to_s(clip.source_out)) + 1] = KEPT
    if media.audio is not None:
        samples = read_mono(Path(media.path), 4000)
        if samples.size:
            columns = np.array_split(np.abs(samples), WIDTH)
            peaks = np.array([c.max() if c.size else 0.0 for c in columns])
            peaks = peaks / max(1e-6, peaks.max())
            mid, half = (WAVE_TOP + WAVE_BOTTOM) // 2, (WAVE_BOTTOM - WAVE_TOP) // 2 - 4
            for col, p in enumerate(peaks):
                cv2.line(img, (col, int(mid - p * half)), (col, int(mid + p * half)), WAVE, 1)
    lanes = ["filler", "retake", "zoom", "title", "broll"]
    for lane, name in enumerate(lanes):
        y = LANES_TOP + lane * 26
        cv2.putText(img, name, (4, y + 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, MARKS[name], 1, cv2.LINE_AA)
    for d in timeline.decisions:
        name = d.kind if d.action == "cut" and d.kind in ("filler", "retake") else d.action
        if name == "accent":
            name = "zoom"
        if name not in lanes:
            continue
        y = LANES_TOP + lanes.index(name) * 26
        cv2.rectangle(img, (x(d.source_start), y), (max(x(d.source_end), x(d.source_start) + 2), y + 18),
                      MARKS[name], -1)
    if ctx.content:
        for chapter in ctx.content.chapters:
            cv2.line(img, (x(chapter.start), WAVE_TOP - 8), (x(chapter.start), WAVE_BOTTOM), MARKS["title"], 2)
            cv2.putText(img, chapter.title[:40], (x(chapter.start) + 4, WAVE_TOP - 12), cv2.FONT_HERSHEY_SIMPLEX,
                        0.5, MARKS["title"], 1, cv2.LINE_AA)
    kept = timeline.duration_s
    cv2.putText(img, f"{Path(media.path).name}: {_clock(duration)} -> {_clock(kept)} kept "
                     f"({100 * kept / duration:.0f}%); green kept, red cut", (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (30, 30, 30), 1, cv2.LINE_AA)
    step = max(1, int(duration / 12))
    for t in range(0, int(duration) + 1, step):
        cv2.putText(img, _clock(t)[:5], (min(x(t), WIDTH - 50), HEIGHT - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (90, 90, 90), 1, cv2.LINE_AA)
    final = project / EDIT_PNG
    with atomic_path(final) as tmp:
        ok, data = cv2.imencode(".png", img)
        tmp.write_bytes(data.tobytes())
    return final
