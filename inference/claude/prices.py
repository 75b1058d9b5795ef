"""What Claude costs: list prices per model family and the USD cost of one call's usage, used
for the daily spend cap and for the cost attributes on traces."""

from __future__ import annotations

# USD per million tokens (input, output), list prices for the standard Messages API (no batch
# discount). Source: Anthropic's model pages at platform.claude.com/docs/en/models/<model>/overview
# and the models overview table, read 2026-11-23. Keys are model-id prefixes; the longest match
# wins, so dated ids ("claude-haiku-4-5-20251001") price as their family.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    # Sonnet class
    "claude-sonnet-4": (3.0, 15.0),  # Sonnet 4, 4.5, 4.6
    "claude-sonnet-5": (2.0, 10.0),  # Sonnet 5 and 5.5
    # Haiku class
    "claude-haiku-4-5": (1.0, 5.0),
    # Opus class
    "claude-opus-4": (15.0, 75.0),  # Opus 4 and 4.1
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4-6": (5.0, 25.0),
    "claude-opus-4-7": (5.0, 25.0),
    "claude-opus-5": (5.0, 25.0),
    "claude-opus-5-5": (4.0, 20.0),
    "claude-fable-5-1": (10.0, 50.0),
}
# An unknown model is budgeted at the dearest known price: the daily cap must err on the side of
# stopping early, never of overspending.
FALLBACK_PRICE_PER_MTOK = max(PRICES_PER_MTOK.values())
# Prompt-cache multipliers on the input price (5-minute writes, reads). This tier does not ask
# for caching, but a proxy in front of the API might, and the usage block would then say so.
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.10


def price_per_mtok(model: str) -> tuple[float, float]:
    matches = [prefix for prefix in PRICES_PER_MTOK if model.startswith(prefix)]
    if not matches:
        return FALLBACK_PRICE_PER_MTOK
    return PRICES_PER_MTOK[max(matches, key=len)]


def cost_usd(
    model: str,
    input_tokens: int,
    output_tokens: int,
    cache_write_tokens: int = 0,
    cache_read_tokens: int = 0,
) -> float:
    price_in, price_out = price_per_mtok(model)
    billed_input = (
        input_tokens
        + CACHE_WRITE_FACTOR * cache_write_tokens
        + CACHE_READ_FACTOR * cache_read_tokens
    )
    return (billed_input * price_in + output_tokens * price_out) / 1_000_000
