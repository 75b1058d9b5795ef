"""What one Claude read ends in: a `ClaudeAnswer`, or `ClaudeFailed` with a short
machine-readable reason (and what was billed before giving up). Free of the SDK, so the cascade
and the router can name these without importing anthropic (≈2 CPU-s) for a page that never
reaches Claude; `reader.failure_reason` turns an SDK error into a reason."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from inference.schema import TimetableData

FailureReason = Literal[
    "no_api_key",
    "budget_exhausted",
    "ledger_error",
    "no_pages",
    "too_many_pages",
    "bad_image",
    "rate_limited",
    "overloaded",
    "server_error",
    "timeout",
    "deadline",  # the document's whole Claude step ran out of time (retries included)
    "connection_error",
    "auth_error",
    "bad_request",
    "api_error",
    "refused",
    "invalid_answer",
]


class ClaudeFailed(Exception):
    """The tier gave no usable answer. `reason` is one of `FailureReason`; `detail` is for
    people; `cost_usd` is what was billed before giving up (it is already in the ledger)."""

    def __init__(
        self, reason: FailureReason, detail: str = "", *, attempts: int = 0, cost_usd: float = 0.0
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: FailureReason = reason
        self.detail = detail
        self.attempts = attempts
        self.cost_usd = cost_usd


class ClaudeAnswer(BaseModel):
    timetable: TimetableData
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    attempts: int  # answers asked for (1, or 2 after a rejected answer); HTTP retries not counted
    latency_s: float
