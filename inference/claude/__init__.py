"""The Claude tier: page images (plus the OCR text as a hint) → TimetableData through one tool
call whose input schema is the contract. Failure is an ordinary outcome here: every way it can go
wrong (no key, spend cap, throttling, outage, timeout, an answer that does not validate) raises
`ClaudeFailed` with a short machine-readable reason, so the cascade can route the document to
review and keep its best answer. The names below are what the cascade and calibration use.
"""

from inference.claude.outcome import ClaudeAnswer, ClaudeFailed
from inference.claude.prices import price_per_mtok
from inference.claude.reader import ClaudeReader

__all__ = ["ClaudeAnswer", "ClaudeFailed", "ClaudeReader", "price_per_mtok"]
