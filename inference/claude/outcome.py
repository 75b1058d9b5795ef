"""What one Claude read ends in: a `ClaudeAnswer`, or `ClaudeFailed` with a short
machine-readable reason (and what was billed before giving up), including how an SDK error
becomes such a reason."""

from __future__ import annotations

from typing import Literal

import anthropic
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


def failure_reason(err: anthropic.APIError) -> FailureReason:
    """An SDK error (after its own retries) → our reason."""
    if isinstance(err, anthropic.APITimeoutError):
        return "timeout"
    if isinstance(err, anthropic.APIConnectionError):
        return "connection_error"
    if isinstance(err, anthropic.APIStatusError):
        status = err.status_code
        if status == 429:
            return "rate_limited"
        if status == 529:
            return "overloaded"
        if status in (408, 504):
            return "timeout"
        if status >= 500:
            return "server_error"
        if status in (401, 403):
            return "auth_error"
        if status in (400, 404, 413, 422):
            return "bad_request"
    return "api_error"
