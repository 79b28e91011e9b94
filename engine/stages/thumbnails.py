"""Stage: thumbnails/ (variants, contact sheet), each paired with a title variant of the metadata."""
from __future__ import annotations

import io
import logging
from pathlib import Path

from PIL import Image

from ..ai.gemini import GeminiClient, GeminiUnavailable
from ..ai.ledger import BudgetExceeded
from ..ai.session import ai_client
from ..cache import TTL_FOREVER, cache_dir, make_key
from ..context import ThumbnailCandidate, ThumbnailSet, ThumbnailVariant
from ..errors import ProjectError
from ..publish import thumbnails as thumbs
from ..timeline import SourceToTimeline, load_timeline
from .base import StageJob, StageResult

log = logging.getLogger(__name__)

FOLDER = "thumbnails"
KEPT_NAMESPACE = "thumbnail_template"
MAX_VARIANTS = 5
MIN_SPACING_S = 3.0  # variants show different moments


def kept_templates(job: StageJob) -> list[dict]:
    return job.cache.values(KEPT_NAMESPACE) if job.cache else []


def keep_template(cache, template: dict) -> None:
    """Remember a template forever: later jobs draw it first."""
    cache.put(KEPT_NAMESPACE, make_key(template), template, ttl_s=TTL_FOREVER)


def pick_frames(job: StageJob, count: int) -> list[ThumbnailCandidate]:
    """The best-ranked candidates that the edit keeps, spread out in time."""
    timeline = load_timeline(job.project)
    mapping = SourceToTimeline.of(timeline)
    if job.ctx.visual is not None:
        ranked = sorted(job.ctx.visual.thumbnail_candidates, key=lambda c: -c.score)
    else:  # no visual analysis: the middles of the longest kept parts
        clips = sorted(timeline.track("video").clips, key=lambda c: -c.length) if timeline.track("video") else []
        ranked = [ThumbnailCandidate(t=timeline.frames_to_s((c.source_in + c.source_out) // 2), score=0.5,
                                     reasons=["middle of a long kept part"]) for c in clips]
    chosen: list[ThumbnailCandidate] = []
    for candidate in ranked:
        if not mapping.keeps(candidate.t):
            continue  # the moment was cut
        if all(abs(candidate.t - c.t) >= MIN_SPACING_S for c in chosen):
            chosen.append(candidate)
        if len(chosen) == count:
            break
    return chosen


def imagen_background(job: StageJob, client: GeminiClient, topic: str) -> Image.Image | None:
    """An Imagen background for the topic, cached as a file in the user's cache (no second charge)."""
    prompt = (f"Abstract, colourful background for a YouTube thumbnail about {topic}; bold shapes, soft light, "
              "empty space on the left for text; no text, no letters, no people")
    key = make_key(client.settings.image_model, prompt)
    folder = cache_dir()
    cached = job.cache.get("imagen", key) if job.cache else None
    if cached and folder and (folder / "images" / cached["file"]).is_file():
        job.counters.cache_hits += 1
        return Image.open(folder / "images" / cached["file"]).convert("RGB")
    if job.cache:
        job.counters.cache_misses += 1
    data = client.generate_image(prompt)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    if job.cache and folder:
        (folder / "images").mkdir(exist_ok=True, mode=0o700)
        image.save(folder / "images" / f"{key}.png")
        job.cache.put("imagen", key, {"file": f"{key}.png"}, ttl_s=TTL_FOREVER)
    return image


def run(job: StageJob) -> StageResult:
    ctx = job.ctx
    if ctx.metadata is None:
        raise ProjectError("no metadata yet: run the metadata stage first", job.project)
    media = ctx.require_media()
    templates = [thumbs.template_from_dict(t) for t in kept_templates(job)][:MAX_VARIANTS - 3]
    templates += list(thumbs.DEFAULT_TEMPLATES)
    kept_count = len(templates) - len(thumbs.DEFAULT_TEMPLATES)
    frames = pick_frames(job, len(templates)) if media.video is not None else []
    warnings = [] if frames or media.video is None else ["no thumbnail candidate frame survives the edit: "
                                                         "backgrounds only"]
    background = None
    if ctx.options.quality == "high":
        client, notes = ai_client(job)
        warnings += notes
        if client is not None:
            topic = ctx.content.concepts[0].text if ctx.content and ctx.content.concepts else ctx.metadata.titles[0]
            try:
                background = imagen_background(job, client, topic)
            except (GeminiUnavailable, BudgetExceeded) as exc:
                warnings.append(f"Imagen background unavailable ({exc}): a procedural one is used")
                job.counters.fallbacks += 1
    folder = job.project / FOLDER
    folder.mkdir(exist_ok=True)
    variants, images, labels = [], [], []
    grabbed: dict[float, thumbs.Frame] = {}
    for i, template in enumerate(templates):
        title_index = i % len(ctx.metadata.titles)
        hook, title = ctx.metadata.hooks[title_index], ctx.metadata.titles[title_index]
        frame = None
        if frames:
            candidate = frames[i % len(frames)]
            if candidate.t not in grabbed:
                subject = None
                if candidate.face_box:
                    x, y, w, h = candidate.face_box
                    subject = (x + w / 2, y + h / 2)
                grabbed[candidate.t] = thumbs.Frame(candidate.t, thumbs.grab_frame(
                    Path(media.path), candidate.t, media.video.start_s, media.video.rotation), subject)
            frame = grabbed[candidate.t]
        uses_imagen = template.layout == "gradient" and background is not None
        image, box, crop = thumbs.compose(frame, hook, template, background if uses_imagen else None)
        name = f"{FOLDER}/thumb_{i + 1}.jpg"
        thumbs.save_jpeg(image, job.project / name)
        kind = "kept" if i < kept_count else ("imagen" if uses_imagen else
                                               "procedural" if template.layout == "gradient" or frame is None else "frame")
        variants.append(ThumbnailVariant(file=name, hook=hook, title=title, frame_t=frame.t if frame else -1.0,
                                         frame_box=box, frame_crop=crop, template=thumbs.template_dict(template),
                                         background=kind))
        images.append(image)
        labels.append(f"{i + 1}: {hook}  <->  {title}")
        job.progress((i + 1) / len(templates), f"thumbnail {i + 1}")
    sheet = f"{FOLDER}/contact_sheet.png"
    thumbs.contact_sheet(images, labels, job.project / sheet)
    outputs = {f"thumbnail_{i + 1}": v.file for i, v in enumerate(variants)}
    outputs["contact_sheet"] = sheet
    return StageResult(sections={"thumbnails": ThumbnailSet(variants=variants, contact_sheet=sheet)},
                       outputs=outputs, warnings=warnings)
