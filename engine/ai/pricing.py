"""Prices in USD, to track every call's cost and keep each project inside its budget.

List prices of the Gemini API's paid tier per million tokens (text) and per
image. An unknown model is charged at the dearest known rate, so a budget is
never exceeded by a price we did not know.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenPrice:
    input_per_m: float
    output_per_m: float  # thinking tokens are billed as output


TEXT_PRICES: dict[str, TokenPrice] = {
    "gemini-2.5-pro": TokenPrice(1.25, 10.0),
    "gemini-2.5-flash": TokenPrice(0.30, 2.50),
    "gemini-2.5-flash-lite": TokenPrice(0.10, 0.40),
    "gemini-2.0-flash": TokenPrice(0.10, 0.40),
    "gemini-2.0-flash-lite": TokenPrice(0.075, 0.30),
}
IMAGE_PRICES: dict[str, float] = {
    "gemini-2.5-flash-image": 0.039,
    "imagen-4.0-fast-generate-001": 0.02,
    "imagen-4.0-generate-001": 0.04,
    "imagen-4.0-ultra-generate-001": 0.06,
    "imagen-3.0-generate-002": 0.03,
}
_DEAREST_TEXT = max(TEXT_PRICES.values(), key=lambda p: p.output_per_m)


def text_price(model: str) -> TokenPrice:
    return TEXT_PRICES.get(model.removeprefix("models/"), _DEAREST_TEXT)


def text_cost(model: str, tokens_in: int, tokens_out: int) -> float:
    price = text_price(model)
    return (tokens_in * price.input_per_m + tokens_out * price.output_per_m) / 1e6


def image_cost(model: str, images: int) -> float:
    return images * IMAGE_PRICES.get(model.removeprefix("models/"), max(IMAGE_PRICES.values()))
