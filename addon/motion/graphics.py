"""The motion graphics: one builder per kind, each animating over the frames Blender renders.

Cards, charts and diagrams animate in over frames 1..frames and end on their final
look (the engine holds that frame, then plays the intro backwards to leave). The
visualiser's frames are a rest pose followed by `variants` pulses of `pulse_frames`
each; the engine picks one per beat.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .kit import ACCENTS, MUTED, PANEL, TEXT, Canvas, key, pop_in, slide_in

Builder = Callable[[Canvas, dict[str, Any], int], None]


def _timing(frames: int) -> Callable[[float], float]:
    """Frame at a share of the intro: 0.0 is frame 1, 1.0 the last rendered frame."""
    return lambda share: 1 + share * (frames - 1)


def _number(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{'' if unit in ('%', '') else ' '}{unit}"


def _panel(canvas: Canvas, at: Callable[[float], float], title: str) -> tuple[float, float, float, float]:
    """A rounded card filling the clip (with a margin, so its corners stay transparent) and its title.

    Returns the content area (left, bottom, width, height) under the title.
    """
    margin = 0.03
    width, height = canvas.aspect - 2 * margin, 1.0 - 2 * margin
    card = canvas.rect("card", 0.0, 0.0, width, height, PANEL, radius=0.05, z=-0.2)
    key(card, "scale", 1, (0.92, 0.92, 1.0))
    key(card, "scale", at(0.25), (1.0, 1.0, 1.0))
    title_obj = canvas.text("title", title, -width / 2 + 0.06, 0.5 - margin - 0.09, 0.085, TEXT, align="LEFT",
                            max_width=width - 0.12)
    slide_in(title_obj, at(0.05), at(0.35), dx=-0.08)
    return -width / 2 + 0.06, -0.5 + margin + 0.05, width - 0.12, height - 0.25


def bar_chart(canvas: Canvas, content: dict[str, Any], frames: int) -> None:
    at = _timing(frames)
    left, bottom, width, height = _panel(canvas, at, content["title"])
    values = [float(v) for v in content.get("values", [])] or [0.0]
    labels = list(content.get("labels", [])) + [""] * len(values)
    top = max(max(values), 1e-9)
    slot = width / len(values)
    label_h, value_h = 0.07, 0.07
    plot_h = height - label_h - value_h
    canvas.rect("axis", left + width / 2, bottom + label_h, width, 0.006, MUTED, z=0.05)
    for i, value in enumerate(values):
        x = left + slot * (i + 0.5)
        bar_h = max(plot_h * value / top, 0.004)
        bar = canvas.rect(f"bar{i}", x, bottom + label_h, slot * 0.62, bar_h, ACCENTS[i % len(ACCENTS)],
                          radius=0.012, anchor="bottom")
        grow = (0.2 + 0.5 * i / len(values), 0.55 + 0.45 * (i + 1) / len(values))
        pop_in(bar, at(grow[0]), at(grow[1]), axes="y")
        canvas.text(f"label{i}", labels[i], x, bottom + label_h / 2, 0.045, MUTED, max_width=slot * 0.95)
        number = canvas.text(f"value{i}", _number(value, content.get("unit", "")), x,
                             bottom + label_h + bar_h + value_h / 2, 0.05, TEXT, max_width=slot * 0.95)
        pop_in(number, at(grow[1] - 0.1), at(grow[1]))


def line_chart(canvas: Canvas, content: dict[str, Any], frames: int) -> None:
    at = _timing(frames)
    left, bottom, width, height = _panel(canvas, at, content["title"])
    values = [float(v) for v in content.get("values", [])] or [0.0, 0.0]
    labels = list(content.get("labels", [])) + [""] * len(values)
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    label_h = 0.07
    plot_bottom, plot_h = bottom + label_h + 0.03, height - label_h - 0.12
    canvas.rect("axis", left + width / 2, bottom + label_h, width, 0.006, MUTED, z=0.05)
    step = width / max(len(values) - 1, 1) if len(values) > 1 else 0.0
    points = [(left + step * i if len(values) > 1 else left + width / 2,
               plot_bottom + plot_h * (v - low) / span) for i, v in enumerate(values)]
    count = max(len(points) - 1, 1)
    for i, (x, y) in enumerate(points):
        arrive = 0.2 + 0.75 * i / count
        dot = canvas.disc(f"dot{i}", x, y, 0.018, ACCENTS[0], z=0.06)
        pop_in(dot, at(max(0.0, arrive - 0.08)), at(min(1.0, arrive + 0.02)))
        canvas.text(f"label{i}", labels[i], x, bottom + label_h / 2, 0.04, MUTED,
                    max_width=max(step, width / len(values)) * 0.9)
        if i + 1 < len(points):
            nx, ny = points[i + 1]
            segment = canvas.rect(f"segment{i}", x, y, math.hypot(nx - x, ny - y), 0.01, ACCENTS[0], anchor="left",
                                  z=0.04)
            segment.rotation_euler.z = math.atan2(ny - y, nx - x)
            pop_in(segment, at(arrive), at(0.2 + 0.75 * (i + 1) / count), axes="x")
    last_x, last_y = points[-1]
    tag = canvas.text("value", _number(values[-1], content.get("unit", "")), last_x, last_y + 0.06, 0.055, TEXT,
                      align="RIGHT" if len(points) > 1 else "CENTER")
    pop_in(tag, at(0.9), at(1.0))


def diagram(canvas: Canvas, content: dict[str, Any], frames: int) -> None:
    """Steps in boxes joined by arrows: a row on a wide clip, a column on a tall one or with many steps."""
    at = _timing(frames)
    left, bottom, width, height = _panel(canvas, at, content["title"])
    items = list(content.get("items", [])) or list(content.get("labels", [])) or [content["title"]]
    count = len(items)
    row = width / height >= 1.2 and count <= 5
    gap = 0.08
    if row:
        box_w, box_h = (width - gap * (count - 1)) / count, min(height * 0.55, 0.3)
        centers = [(left + box_w / 2 + i * (box_w + gap), bottom + height / 2) for i in range(count)]
    else:
        box_w, box_h = width * 0.8, min((height - gap * (count - 1)) / count, 0.16)
        centers = [(left + width / 2, bottom + height - box_h / 2 - i * (box_h + gap)) for i in range(count)]
    for i, ((x, y), item) in enumerate(zip(centers, items)):
        start = 0.15 + 0.8 * i / count
        box = canvas.rect(f"step{i}", x, y, box_w, box_h, ACCENTS[i % len(ACCENTS)], radius=0.03)
        label = canvas.text(f"step_text{i}", item, x, y, 0.05, PANEL, max_width=box_w * 0.88, z=0.15)
        for obj in (box, label):
            pop_in(obj, at(start), at(start + 0.8 / count))
        if i + 1 < count:
            nx, ny = centers[i + 1]
            if row:
                x0, y0, length, angle = x + box_w / 2 + 0.01, y, gap - 0.02, 0.0
            else:
                x0, y0, length, angle = x, y - box_h / 2 - 0.01, gap - 0.02, -math.pi / 2
            shaft = canvas.rect(f"arrow{i}", x0, y0, length * 0.7, 0.012, TEXT, anchor="left", z=0.05)
            shaft.rotation_euler.z = angle
            tip = (x0 + length * math.cos(angle), y0 + length * math.sin(angle))
            head = canvas.triangle(f"head{i}", tip[0], tip[1], length * 0.4, angle, TEXT, z=0.05)
            done = start + 0.8 / count
            pop_in(shaft, at(done - 0.05), at(done), axes="x")
            pop_in(head, at(done - 0.02), at(done))


def keyword_card(canvas: Canvas, content: dict[str, Any], frames: int) -> None:
    """A word on a pill (text layers give `text`, B-roll specs `title` and up to four keyword `items`)."""
    at = _timing(frames)
    word = content.get("text") or content.get("title") or ""
    chips = list(content.get("items", []))[:4]
    y = 0.08 if chips else 0.0
    pill = canvas.rect("pill", 0.0, y, canvas.aspect * 0.8, 0.26, ACCENTS[0], radius=0.13)
    text = canvas.text("word", word, 0.0, y, 0.15, PANEL, max_width=canvas.aspect * 0.72, z=0.15)
    for obj in (pill, text):
        pop_in(obj, at(0.0), at(0.6))
        slide_in(obj, at(0.0), at(0.6), dy=-0.1)
    slot = canvas.aspect * 0.8 / max(len(chips), 1)
    for i, chip in enumerate(chips):
        x = -canvas.aspect * 0.4 + slot * (i + 0.5)
        box = canvas.rect(f"chip{i}", x, -0.22, slot * 0.9, 0.11, PANEL, radius=0.05)
        label = canvas.text(f"chip_text{i}", chip, x, -0.22, 0.05, TEXT, max_width=slot * 0.8, z=0.15)
        for obj in (box, label):
            pop_in(obj, at(0.4 + 0.5 * i / len(chips)), at(0.6 + 0.4 * (i + 1) / len(chips)))


def title_card(canvas: Canvas, content: dict[str, Any], frames: int) -> None:
    at = _timing(frames)
    subtitle = content.get("subtitle") or ""
    band = canvas.rect("band", 0.0, 0.0, canvas.aspect, 0.34 if subtitle else 0.24, PANEL)
    pop_in(band, at(0.0), at(0.4), axes="y")
    title = canvas.text("title", content.get("text") or content.get("title") or "", 0.0, 0.04 if subtitle else 0.0,
                        0.11, TEXT, max_width=canvas.aspect * 0.85)
    slide_in(title, at(0.2), at(0.7), dy=-0.05)
    pop_in(title, at(0.2), at(0.6))
    line = canvas.rect("rule", 0.0, -0.04 if subtitle else -0.09, canvas.aspect * 0.25, 0.008, ACCENTS[0])
    pop_in(line, at(0.4), at(1.0), axes="x")
    if subtitle:
        sub = canvas.text("subtitle", subtitle, 0.0, -0.1, 0.055, MUTED, max_width=canvas.aspect * 0.8)
        pop_in(sub, at(0.5), at(1.0))


def lower_third(canvas: Canvas, content: dict[str, Any], frames: int) -> None:
    at = _timing(frames)
    subtitle = content.get("subtitle") or ""
    left = -canvas.aspect / 2 + 0.06
    width = canvas.aspect * 0.5
    y = -0.5 + 0.16
    box = canvas.rect("box", left, y, width, 0.16 if subtitle else 0.11, PANEL, anchor="left")
    accent = canvas.rect("accent", left, y, 0.012, 0.16 if subtitle else 0.11, ACCENTS[0], anchor="left", z=0.05)
    name = canvas.text("name", content.get("text") or "", left + 0.04, y + (0.03 if subtitle else 0.0), 0.06, TEXT,
                       align="LEFT", max_width=width - 0.07)
    pop_in(box, at(0.0), at(0.6), axes="x")
    slide_in(accent, at(0.0), at(0.4), dx=-0.05)
    slide_in(name, at(0.3), at(1.0), dx=-0.05)
    if subtitle:
        role = canvas.text("role", subtitle, left + 0.04, y - 0.045, 0.04, MUTED, align="LEFT", max_width=width - 0.07)
        slide_in(role, at(0.45), at(1.0), dx=-0.05)


def caption(canvas: Canvas, content: dict[str, Any], frames: int) -> None:
    at = _timing(frames)
    text = canvas.text("caption", content.get("text") or "", 0.0, -0.38, 0.05, TEXT, max_width=canvas.aspect * 0.8)
    canvas.rect("caption_box", 0.0, -0.38, min(text.dimensions.x + 0.06, canvas.aspect * 0.86), 0.09, PANEL,
                radius=0.02)
    pop_in(text, at(0.0), at(1.0))


def visualizer(canvas: Canvas, content: dict[str, Any], frames: int, pulse_frames: int, variants: int) -> None:
    """Bars that jump on a beat and fall back: frame 1 rests, then each variant's pulse, frame by frame."""
    _, bottom, width, height = _panel(canvas, lambda share: 1.0, content.get("title") or "")
    bars = 24
    slot = width / bars
    left = -width / 2
    rest = [0.08 + 0.04 * math.sin(i * 0.9) ** 2 for i in range(bars)]
    for i in range(bars):
        bar = canvas.rect(f"bar{i}", left + slot * (i + 0.5), bottom, slot * 0.7, height, ACCENTS[i % 2 + 1],
                          radius=0.008, anchor="bottom")
        poses = [rest[i]]
        for variant in range(variants):
            peak = 0.55 + 0.45 * abs(math.sin(i * 1.7 + variant * 2.3))
            for step in range(pulse_frames):
                fall = (1 - step / pulse_frames) ** 2
                poses.append(rest[i] + (peak - rest[i]) * fall)
        # A key on every rendered frame: each frame is exactly its pose, whatever the interpolation.
        for frame, pose in enumerate(poses, start=1):
            key(bar, "scale", frame, (1.0, pose, 1.0))


BUILDERS: dict[str, Builder] = {
    "bar_chart": bar_chart, "line_chart": line_chart, "diagram": diagram, "keyword_card": keyword_card,
    "title_card": title_card, "lower_third": lower_third, "caption": caption,
}
