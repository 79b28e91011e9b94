"""Which audio the recogniser hears: the speech, with long dead air shortened, packed into windows.

Whisper encodes every window as 30 s whatever it holds, so the encoder's cost (about
half of all transcription time) is the number of windows. Dead air carries no words,
so each silence longer than `max_gap_s` is shortened to it; a short pause stays, since
it tells Whisper where sentences end. Windows end at the longest pauses, so a window
never cuts a word, and the recogniser's own voice-activity filter is never used
(it drops "um" and "uh").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Span = tuple[float, float]

WINDOW_S = 29.0  # under Whisper's 30 s so a window's last word is never clipped
SPLIT_FROM = 0.6  # a span too long for a window is cut at its quietest moment after this share of it
LEVEL_HOP_S = 0.01  # resolution of the search for that moment
PAUSE_CAP_S = 2.0  # pauses longer than this are all equally good places to end a window


@dataclass(frozen=True)
class Plan:
    """The shortened audio (as pieces of the original, never copied whole), where its times came from,
    and the windows to transcribe."""

    audio: np.ndarray  # the original audio
    rate: int
    pieces: list[tuple[int, int, int]]  # (sample in the shortened audio, sample in the original, length)
    knots_compact: np.ndarray  # span edges in the shortened audio (seconds)...
    knots_audio: np.ndarray  # ...and the same edges in the original audio
    windows: list[Span]  # in seconds of the shortened audio

    def to_audio_time(self, t: float) -> float:
        """A time in the shortened audio as a time in the original; inside a shortened gap, in proportion."""
        return float(np.interp(t, self.knots_compact, self.knots_audio))

    def shortened(self, start: float, end: float) -> np.ndarray:
        """Samples of the shortened audio from `start` to `end` seconds."""
        first, last = int(round(start * self.rate)), int(round(end * self.rate))
        parts = []
        for at, source, length in self.pieces:
            lo, hi = max(first, at), min(last, at + length)
            if lo < hi:
                parts.append(self.audio[source + lo - at:source + hi - at])
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    @property
    def heard_s(self) -> float:
        return sum(end - start for start, end in self.windows)


def speech_spans(sound: list[Span], duration: float, pad_s: float) -> list[Span]:
    """Sound widened by `pad_s` on each side (a word's onset needs a little lead-in), joined where
    the widened spans overlap."""
    spans: list[list[float]] = []
    for start, end in sound:
        start, end = max(0.0, start - pad_s), min(duration, end + pad_s)
        if end <= start:
            continue
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(s, e) for s, e in spans]


def split_long(spans: list[Span], audio: np.ndarray, rate: int, max_s: float = WINDOW_S) -> list[Span]:
    """Cut spans longer than a window at their quietest 10 ms (speech that never pauses for long)."""
    hop = int(LEVEL_HOP_S * rate)
    out: list[Span] = []
    for start, end in spans:
        while end - start > max_s:
            first = int(round((start + SPLIT_FROM * max_s) * rate))
            search = audio[first:int(round((start + max_s) * rate))]
            count = len(search) // hop
            if count == 0:
                break
            energy = np.mean(search[:count * hop].reshape(count, hop).astype(np.float64) ** 2, axis=1)
            cut = (first + int(np.argmin(energy)) * hop) / rate
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out


def plan_windows(audio: np.ndarray, rate: int, spans: list[Span], max_gap_s: float,
                 window_s: float = WINDOW_S) -> Plan:
    """Shorten the gaps between `spans` (each at most a window long, see split_long) to at most
    `max_gap_s` and pack the result into windows."""
    pieces: list[tuple[int, int, int]] = []
    knots_c: list[float] = []
    knots_a: list[float] = []
    gaps: list[float] = []  # original length of the gap before each span
    position = 0  # samples in the shortened audio so far
    previous_end = 0
    for index, (start, end) in enumerate(spans):
        first, last = int(round(start * rate)), min(len(audio), int(round(end * rate)))
        if index:
            keep = min(first - previous_end, int(round(max_gap_s * rate)))
            pieces.append((position, previous_end, keep))
            position += keep
        gaps.append(start - spans[index - 1][1] if index else 0.0)
        knots_c += [position / rate, (position + last - first) / rate]
        knots_a += [first / rate, last / rate]
        pieces.append((position, first, last - first))
        position += last - first
        previous_end = last
    starts, ends = knots_c[0::2], knots_c[1::2]
    return Plan(audio, rate, pieces, np.array(knots_c), np.array(knots_a), _pack(starts, ends, gaps, window_s))


def _pack(starts: list[float], ends: list[float], gaps: list[float], window_s: float) -> list[Span]:
    """Windows of whole spans: as few as possible, and among those, the ones that end at the longest
    pauses (a long pause is most likely a sentence end). Dynamic programming from the last span back."""
    count = len(starts)
    # best[i]: (windows, -pause score) for spans i.. ; cut[i]: last span of the window starting at i.
    best: list[tuple[int, float]] = [(0, 0.0)] * (count + 1)
    cut = [0] * count
    for first in range(count - 1, -1, -1):
        choice: tuple[int, float] | None = None
        last = first
        while last < count and (last == first or ends[last] - starts[first] <= window_s):
            rest = best[last + 1]
            pause = min(gaps[last + 1], PAUSE_CAP_S) if last + 1 < count else 0.0
            option = (rest[0] + 1, rest[1] - pause)
            if choice is None or option < choice:
                choice, cut[first] = option, last
            last += 1
        best[first] = choice
    windows = []
    first = 0
    while first < count:
        windows.append((starts[first], ends[cut[first]]))
        first = cut[first] + 1
    return windows
