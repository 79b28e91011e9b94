"""EditPlan: what a director decides, in source seconds and plain words.

Both directors (local and Gemini) produce this; Gemini's structured output uses
its JSON schema as the response schema. `plan.compile` turns it into the frame-
exact Timeline, applying the safety floor (never cut inside a spoken word).
Every item carries its reason and a confidence, so a person can review it.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..timeline import BrollSpec

CutKind = Literal["dead_air", "filler", "retake", "silence", "other"]


class PlanItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="Why, in one short sentence a person reviewing the edit understands.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure, from 0 to 1.")


class PlanCut(PlanItem):
    start: float = Field(ge=0.0, description="Source seconds where the removed part starts.")
    end: float = Field(ge=0.0, description="Source seconds where the removed part ends.")
    kind: CutKind
    transition: Literal["none", "crossfade", "dip_to_black"] = "none"


class PlanZoom(PlanItem):
    start: float = Field(ge=0.0)
    end: float = Field(ge=0.0)
    scale: float = Field(ge=1.0, le=2.0, description="1.15 shows the middle 87% of the frame.")
    center_x: float = Field(0.5, ge=0.0, le=1.0)
    center_y: float = Field(0.45, ge=0.0, le=1.0)
    kind: Literal["emphasis", "accent", "other"] = "emphasis"


class PlanTitle(PlanItem):
    at: float = Field(ge=0.0, description="Source seconds where the text appears.")
    duration: float = Field(ge=0.1, le=20.0)
    kind: Literal["title_card", "lower_third", "keyword_card"]
    text: str = Field(min_length=1, max_length=80)
    subtitle: str | None = Field(None, max_length=120)


class PlanBroll(PlanItem):
    at: float = Field(ge=0.0)
    duration: float = Field(ge=0.1, le=30.0)
    placement: Literal["fullscreen", "picture_in_picture"] = "picture_in_picture"
    spec: BrollSpec


class EditPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["educational", "music", "general"]
    cuts: list[PlanCut] = Field(default_factory=list)
    zooms: list[PlanZoom] = Field(default_factory=list)
    titles: list[PlanTitle] = Field(default_factory=list)
    broll: list[PlanBroll] = Field(default_factory=list)
    notes: str = ""
