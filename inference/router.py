"""The cascade's routing (issue 7): where a document goes given its calibrated confidence, and
its final status once the Claude tier has (or has not) answered.

By blocks (issue 18): when the blocks' confidences are calibrated, a document whose every block
clears `block_accept_threshold` is accepted even when the document's own confidence (the chance
that *nothing* on it is wrong, low for any page of many blocks) is not; otherwise it goes to
Claude or review by the document's confidence as before, with the blocks below the threshold
named (`flagged_blocks`) so a reviewer looks at those.

Pure functions over settings and outcomes; every decision carries its reason and is logged, so
a document's path can be explained afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import structlog
from pydantic import BaseModel, ConfigDict

from inference.schema import TimetableData
from inference.settings import Settings

if TYPE_CHECKING:
    from inference.claude import ClaudeAnswer, ClaudeFailed

log = structlog.get_logger(__name__)

Action = Literal["accept", "claude", "review"]
Status = Literal["accepted", "accepted_claude", "awaiting_review"]
RouteReason = Literal["high_confidence", "blocks_confident", "uncertain", "low_confidence",
                      "no_confidence"]


class RouteDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: Action
    reason: RouteReason
    detail: str
    confidence: float
    accept_threshold: float
    review_threshold: float
    # Routing by blocks: the threshold used (None: the blocks' confidences were not calibrated,
    # the document's alone decided) and the indexes of the blocks below it.
    block_accept_threshold: float | None = None
    flagged_blocks: tuple[int, ...] = ()


class FinalStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Status
    # "high_confidence", "low_confidence", "claude_answer", "claude_empty", "claude_not_called"
    # or "claude_failed:<ClaudeFailed.reason>".
    reason: str


def flagged_blocks(confidences: Sequence[float | None], threshold: float) -> tuple[int, ...]:
    """Indexes of the blocks a reviewer must look at: below the threshold, or without a
    (finite) confidence."""
    return tuple(k for k, c in enumerate(confidences)
                 if c is None or not math.isfinite(c) or c < threshold)


def route(
    confidence: float, settings: Settings, block_confidences: Sequence[float | None] | None = None
) -> RouteDecision:
    """accept when confidence ≥ accept_threshold, or when `block_confidences` (calibrated; None
    when they are not) are given, there is at least one block and none is flagged; otherwise
    Claude when review_threshold ≤ confidence, review below. Accept is tested first, so a
    misconfiguration with review above accept only empties the Claude band instead of sending
    confident pages to review."""
    accept, review = settings.accept_threshold, settings.review_threshold
    by_blocks = block_confidences is not None
    block_threshold = settings.block_accept_threshold if by_blocks else None
    flagged = flagged_blocks(block_confidences or [], settings.block_accept_threshold)
    blocks_clear = by_blocks and bool(block_confidences) and not flagged
    action: Action
    reason: RouteReason
    if not math.isfinite(confidence):
        # No usable score (a tier crashed half-way): nothing to trust, a person looks.
        action, reason, detail = "review", "no_confidence", f"confidence is {confidence}"
    elif confidence >= accept:
        action, reason = "accept", "high_confidence"
        detail = f"confidence {confidence:.3f} >= accept threshold {accept:.2f}"
    elif blocks_clear:
        action, reason = "accept", "blocks_confident"
        detail = (f"all {len(block_confidences or [])} blocks >= block accept threshold "
                  f"{settings.block_accept_threshold:.2f}")
    elif confidence >= review:
        action, reason = "claude", "uncertain"
        detail = (
            f"review threshold {review:.2f} <= confidence {confidence:.3f} "
            f"< accept threshold {accept:.2f}"
        )
    else:
        action, reason = "review", "low_confidence"
        detail = f"confidence {confidence:.3f} < review threshold {review:.2f}"
    if by_blocks and action != "accept":
        detail += (f"; {len(flagged)} of {len(block_confidences or [])} blocks below block "
                   f"accept threshold {settings.block_accept_threshold:.2f}")
    decision = RouteDecision(
        action=action,
        reason=reason,
        detail=detail,
        confidence=confidence,
        accept_threshold=accept,
        review_threshold=review,
        block_accept_threshold=block_threshold,
        flagged_blocks=flagged,
    )
    log.info("cascade.route", action=action, reason=reason, detail=detail,
             flagged_blocks=list(flagged))
    return decision


def final_status(
    decision: RouteDecision, claude_outcome: ClaudeAnswer | ClaudeFailed | None = None
) -> FinalStatus:
    """The document's status after the cascade. `claude_outcome` is the tier's answer, the
    `ClaudeFailed` it raised, or None when it was not called. Claude failing never loses the
    document: it goes to review (the caller keeps the best answer so far, see `choose_result`)."""
    if decision.action == "accept":
        status = FinalStatus(status="accepted", reason=decision.reason)
    elif decision.action == "review":
        status = FinalStatus(status="awaiting_review", reason=decision.reason)
    elif claude_outcome is None:
        status = FinalStatus(status="awaiting_review", reason="claude_not_called")
    elif isinstance(claude_outcome, BaseException):
        failed = getattr(claude_outcome, "reason", "error")
        status = FinalStatus(status="awaiting_review", reason=f"claude_failed:{failed}")
    elif not claude_outcome.timetable.timeblocks:
        # The earlier tier saw a timetable here; an empty answer is a disagreement, not a result.
        status = FinalStatus(status="awaiting_review", reason="claude_empty")
    else:
        status = FinalStatus(status="accepted_claude", reason="claude_answer")
    log.info("cascade.final", status=status.status, reason=status.reason)
    return status


def choose_result(
    decision: RouteDecision,
    tier_result: TimetableData,
    claude_outcome: ClaudeAnswer | ClaudeFailed | None = None,
) -> tuple[TimetableData, FinalStatus]:
    """The answer to hand back and its status: Claude's when it was accepted, otherwise the
    earlier tier's (the best answer so far), with a warning saying why it awaits review."""
    status = final_status(decision, claude_outcome)
    if status.status == "accepted_claude":
        assert claude_outcome is not None and not isinstance(claude_outcome, BaseException)
        return claude_outcome.timetable, status
    if status.status == "accepted":
        return tier_result, status
    note = f"awaiting review ({status.reason})"
    return tier_result.model_copy(update={"warnings": [*tier_result.warnings, note]}), status
