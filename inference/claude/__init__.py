"""The Claude tier: page images (plus the OCR text as a hint) → TimetableData through one tool
call whose input schema is the contract. Failure is an ordinary outcome here: every way it can go
wrong (no key, spend cap, throttling, outage, timeout, an answer that does not validate) raises
`ClaudeFailed` with a short machine-readable reason, so the cascade can route the document to
review and keep its best answer. The names below are what the cascade and calibration use;
`ClaudeReader` (and with it the anthropic SDK, ≈2 CPU-s to import) loads on first use, so a
page the fine-tuned tier accepts never pays for it.
"""

from typing import TYPE_CHECKING, Any

from inference.claude.outcome import ClaudeAnswer, ClaudeFailed
from inference.claude.prices import price_per_mtok

if TYPE_CHECKING:
    from inference.claude.reader import ClaudeReader

__all__ = ["ClaudeAnswer", "ClaudeFailed", "ClaudeReader", "price_per_mtok"]


def __getattr__(name: str) -> Any:
    if name == "ClaudeReader":
        from inference.claude.reader import ClaudeReader

        return ClaudeReader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
