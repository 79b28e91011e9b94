"""Thumbnails: 1280x720 JPEGs from the best real frames, the subject on a third, a bold hook.

Each variant follows a template (layout, palette, background source). Layouts:
- split: the frame fills the canvas, its subject on the right third; a dark
  gradient under the hook on the left;
- inset: the frame, blurred and darkened, as the background; the sharp frame
  inset on the right third; the hook on the left;
- gradient: a procedural gradient with shapes (or an Imagen background), the
  frame inset on the right third with a border; the hook on the left.
A template the user keeps (`ai-video-editor keep-thumbnail DIR N`) is cached
forever and drawn first in later jobs.
"""
from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..fsutil import atomic_path
from ..media.frames import quarter_turns

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1280, 720
MAX_BYTES = 2 * 1024 * 1024
FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "DejaVuSans-Bold.ttf"
TEXT_BOX = (60, 70, 700, 650)  # left, top, right, bottom of the hook's area on a full-frame layout
INSET_W = 620  # width of an inset frame
GUTTER = 44  # space between the hook and an inset frame


@dataclass(frozen=True)
class Template:
    layout: str  # split | inset | gradient
    colour_a: tuple[int, int, int]
    colour_b: tuple[int, int, int]
    text: tuple[int, int, int] = (255, 255, 255)
    outline: tuple[int, int, int] = (0, 0, 0)
    accent: tuple[int, int, int] = (255, 210, 0)


DEFAULT_TEMPLATES = (
    Template("split", (10, 10, 25), (10, 10, 25)),
    Template("inset", (20, 20, 30), (20, 20, 30), accent=(0, 200, 255)),
    Template("gradient", (30, 60, 160), (200, 40, 120), accent=(255, 230, 0)),
)


def template_from_dict(data: dict) -> Template:
    return Template(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


@dataclass(frozen=True)
class Frame:
    t: float
    image: Image.Image  # RGB
    subject: tuple[float, float] | None  # centre of the face, as fractions


def grab_frame(path: Path, t: float, start_s: float = 0.0, rotation: int = 0) -> Image.Image:
    """The first frame at or after source time t, as an upright RGB image."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        target = t + start_s
        container.seek(max(0, int((target - 1.0) / stream.time_base)), stream=stream)
        last = None
        for frame in container.decode(stream):
            last = frame
            if frame.time is not None and frame.time >= target - 1e-3:
                break
        if last is None:
            raise ValueError(f"no frame at {t:.2f} s")
        image = last.to_image()
        # PIL turns counter-clockwise, as FFmpeg's autorotate does for a stream's rotation.
        turns = quarter_turns(rotation)
        return image.rotate(90 * turns, expand=True) if turns else image


def _cover(image: Image.Image, width: int, height: int, focus: tuple[float, float], place_at: tuple[float, float]):
    """Scale to cover width x height, cropped so `focus` (fractions of the image) lands at `place_at`
    (fractions of the canvas). Returns the canvas-sized image and the crop box as fractions."""
    scale = max(width / image.width, height / image.height)
    sw, sh = image.width * scale, image.height * scale
    left = min(max(focus[0] * sw - place_at[0] * width, 0.0), sw - width)
    top = min(max(focus[1] * sh - place_at[1] * height, 0.0), sh - height)
    crop = (left / sw, top / sh, width / sw, height / sh)
    box = (left / scale, top / scale, (left + width) / scale, (top + height) / scale)
    return image.resize((width, height), Image.Resampling.LANCZOS, box=box), crop


def _fit_font(draw: ImageDraw.ImageDraw, text: str, box: tuple[int, int, int, int]) -> tuple[ImageFont.FreeTypeFont, str]:
    """The largest font (and line breaks) that fits the hook in the box, in at most three lines."""
    words = text.split()
    width, height = box[2] - box[0], box[3] - box[1]
    for size in range(150, 30, -6):
        font = ImageFont.truetype(str(FONT), size)
        lines, current = [], ""
        for word in words:
            trial = f"{current} {word}".strip()
            if draw.textlength(trial, font=font) <= width or not current:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
        wrapped = "\n".join(lines)
        bbox = draw.multiline_textbbox((0, 0), wrapped, font=font, spacing=size // 6, stroke_width=size // 14)
        if len(lines) <= 3 and bbox[2] - bbox[0] <= width and bbox[3] - bbox[1] <= height:
            return font, wrapped
    return ImageFont.truetype(str(FONT), 36), "\n".join(words)


def _draw_hook(canvas: Image.Image, hook: str, template: Template, box: tuple[int, int, int, int]) -> None:
    draw = ImageDraw.Draw(canvas)
    font, text = _fit_font(draw, hook, box)
    size = font.size
    bbox = draw.multiline_textbbox((0, 0), text, font=font, spacing=size // 6, stroke_width=size // 14)
    y = box[1] + (box[3] - box[1] - (bbox[3] - bbox[1])) // 2
    shadow = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    ImageDraw.Draw(shadow).multiline_text((box[0] + size // 12, y + size // 12), text, font=font,
                                          fill=(0, 0, 0, 170), spacing=size // 6)
    shadow = shadow.filter(ImageFilter.GaussianBlur(size // 10))
    canvas.paste(shadow, (0, 0), shadow)
    draw.multiline_text((box[0], y), text, font=font, fill=template.text, spacing=size // 6,
                        stroke_width=size // 14, stroke_fill=template.outline)
    # An accent bar under the hook: a strong shape guides the eye to the words.
    bar_y = min(HEIGHT - 40, y + bbox[3] - bbox[1] + size // 3)
    draw.rectangle((box[0], bar_y, box[0] + 180, bar_y + 14), fill=template.accent)


def _gradient(template: Template) -> Image.Image:
    x = np.linspace(0.0, 1.0, WIDTH)[None, :, None]
    y = np.linspace(0.0, 1.0, HEIGHT)[:, None, None]
    mix = np.clip(0.65 * x + 0.35 * y, 0, 1)
    a, b = np.array(template.colour_a, float), np.array(template.colour_b, float)
    pixels = (a * (1 - mix) + b * mix).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    draw.polygon([(WIDTH * 0.55, 0), (WIDTH, 0), (WIDTH, HEIGHT), (WIDTH * 0.35, HEIGHT)], fill=(255, 255, 255, 28))
    draw.ellipse((WIDTH * 0.78, -HEIGHT * 0.25, WIDTH * 1.15, HEIGHT * 0.35), fill=(*template.accent, 60))
    return image


def _inset(canvas: Image.Image, frame: Frame, template: Template):
    """The sharp frame inset with its centre on the right third line; returns its box and crop."""
    w = INSET_W
    h = int(round(w * frame.image.height / frame.image.width))
    if h > HEIGHT - 80:
        h = HEIGHT - 80
        w = int(round(h * frame.image.width / frame.image.height))
    x = min(WIDTH - w - 40, int(WIDTH * 2 / 3 - w / 2))
    y = (HEIGHT - h) // 2
    border = 10
    ImageDraw.Draw(canvas).rectangle((x - border, y - border, x + w + border, y + h + border), fill=template.accent)
    canvas.paste(frame.image.resize((w, h), Image.Resampling.LANCZOS), (x, y))
    return (x, y, w, h), (0.0, 0.0, 1.0, 1.0)


def compose(frame: Frame | None, hook: str, template: Template, background: Image.Image | None = None):
    """One thumbnail. Returns (image, frame_box, frame_crop): where the frame shows unaltered, and
    which part of it."""
    if frame is None:
        canvas = background.resize((WIDTH, HEIGHT)) if background else _gradient(template)
        _draw_hook(canvas, hook, template, TEXT_BOX)
        return canvas, (0, 0, 0, 0), (0.0, 0.0, 0.0, 0.0)
    focus = frame.subject or (0.5, 0.45)
    if template.layout == "split":
        canvas, crop = _cover(frame.image, WIDTH, HEIGHT, focus, (2 / 3, 0.45))
        shade = np.zeros((HEIGHT, WIDTH, 4), np.uint8)
        ramp = np.clip(1.0 - np.linspace(0.0, 1.0, WIDTH) / 0.62, 0.0, 1.0) ** 1.3
        shade[..., :3] = template.colour_a
        shade[..., 3] = (215 * ramp)[None, :].astype(np.uint8)
        canvas = Image.alpha_composite(canvas.convert("RGBA"), Image.fromarray(shade, "RGBA")).convert("RGB")
        # Where the shade is gone, the frame is shown as it is.
        clear_x = int(WIDTH * 0.62)
        box = (clear_x, 0, WIDTH - clear_x, HEIGHT)
        crop = (crop[0] + crop[2] * clear_x / WIDTH, crop[1], crop[2] * (WIDTH - clear_x) / WIDTH, crop[3])
        text_box = (TEXT_BOX[0], TEXT_BOX[1], int(WIDTH * 0.58), TEXT_BOX[3])
    elif template.layout == "inset":
        canvas, _ = _cover(frame.image, WIDTH, HEIGHT, focus, (0.5, 0.5))
        canvas = canvas.filter(ImageFilter.GaussianBlur(18))
        canvas = Image.blend(canvas, Image.new("RGB", canvas.size, template.colour_a), 0.45)
        box, crop = _inset(canvas, frame, template)
        text_box = (TEXT_BOX[0], TEXT_BOX[1], box[0] - GUTTER, TEXT_BOX[3])
    else:
        canvas = background.resize((WIDTH, HEIGHT)) if background else _gradient(template)
        box, crop = _inset(canvas, frame, template)
        text_box = (TEXT_BOX[0], TEXT_BOX[1], box[0] - GUTTER, TEXT_BOX[3])
    _draw_hook(canvas, hook, template, text_box)
    return canvas, box, crop


def save_jpeg(image: Image.Image, final: Path) -> None:
    """JPEG under YouTube's 2 MB limit: lower the quality until it fits."""
    for quality in (92, 85, 75, 60):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() < MAX_BYTES:
            break
    with atomic_path(final) as tmp:
        tmp.write_bytes(buffer.getvalue())


def contact_sheet(images: list[Image.Image], labels: list[str], final: Path) -> None:
    cols = min(3, len(images))
    rows = (len(images) + cols - 1) // cols
    cell_w, cell_h, pad, label_h = 640, 360, 16, 34
    sheet = Image.new("RGB", (cols * (cell_w + pad) + pad, rows * (cell_h + label_h + pad) + pad), (245, 245, 245))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(FONT), 18)
    for i, (image, label) in enumerate(zip(images, labels)):
        x = pad + (i % cols) * (cell_w + pad)
        y = pad + (i // cols) * (cell_h + label_h + pad)
        sheet.paste(image.resize((cell_w, cell_h), Image.Resampling.LANCZOS), (x, y))
        draw.text((x, y + cell_h + 6), label[:70], font=font, fill=(30, 30, 30))
    with atomic_path(final) as tmp:
        sheet.save(tmp, "PNG")


def template_dict(template: Template) -> dict:
    return asdict(template)
