"""The cascade (issue 7): a fine-tuned tier reads the document, its confidence is calibrated, the
router decides, and Claude answers the uncertain ones.

    pages → tier → calibrate → route ─ accept ─────────────────────→ accepted
                                     ├ claude → ClaudeReader ─ ok ─→ accepted_claude (silver)
                                     │                       └ fail → awaiting_review
                                     └ review ─────────────────────→ awaiting_review

Claude failing, slow or answering garbage never loses the document: it goes to review and the
caller still gets the tier's answer (`router.choose_result`). The decision, its reason and the
calibration behind it are logged and returned.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from inference.calibration import Calibrated, calibrate_blocks, calibrate_result
from inference.claude import ClaudeAnswer, ClaudeFailed
from inference.evaluation import score_document
from inference.features.routing import FeatureReadout, calibrate_with_features, read_features
from inference.loading import PageImage, load_pages, page_limits
from inference.pipeline import extract_pages
from inference.router import RouteDecision, Status, choose_result, route
from inference.schema import TimetableData
from inference.settings import Settings
from inference.spend import SpendLedger
from inference.trace import PageTrace

if TYPE_CHECKING:
    from inference.claude import ClaudeReader
    from inference.features.client import FeatureClient

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CascadeResult:
    result: TimetableData  # the answer handed back (Claude's when accepted, else the tier's)
    status: Status
    reason: str  # why it has that status (router.FinalStatus.reason)
    decision: RouteDecision
    calibration: Calibrated
    cost_usd: float  # what Claude billed for this document (0 when not called)
    timings: dict[str, float]
    traces: list[PageTrace] = field(default_factory=list, repr=False)  # the tier's, per page
    # What the feature store gave the router (issue 17): `off` when no store was passed.
    features: FeatureReadout = field(default_factory=lambda: FeatureReadout(status="off"))

    @property
    def flagged_blocks(self) -> list[int]:
        """Indexes (in the tier's result) of the blocks a reviewer must look at: below the
        block accept threshold (router.flagged_blocks). Empty when Claude answered."""
        return [] if self.result.tier == "claude" else list(self.decision.flagged_blocks)

    @property
    def silver(self) -> bool:
        """An accepted Claude answer: stored as a silver training label."""
        return self.status == "accepted_claude"


def ocr_hint(traces: list[PageTrace]) -> str:
    """The OCR text of every page, for Claude as a spelling hint."""
    return "\n\n".join(
        f"[page {k + 1}]\n" + "\n".join(line.text for line in trace.lines)
        for k, trace in enumerate(traces)
    )


def _ask_claude(
    reader: ClaudeReader, pages: list[PageImage], hint: str, document_id: str | None
) -> ClaudeAnswer | ClaudeFailed:
    try:
        return reader.read([page.image for page in pages], hint, document_id=document_id)
    except ClaudeFailed as failed:
        return failed
    except Exception as err:  # a bug or an SDK surprise must not lose the document either
        log.exception("cascade.claude_crashed", document_id=document_id)
        return ClaudeFailed("api_error", repr(err)[:300])


def agreement(tier_result: TimetableData, claude_result: TimetableData) -> float:
    """An accepted Claude answer's confidence: how far the fine-tuned tier, reading the page
    independently, agrees with it (strict F1 with Claude's answer as the reference). Two readers
    that agree are rarely both wrong; it is not calibrated (no labelled set of Claude answers
    exists yet), and it is not the 0 it used to be."""
    return round(score_document(tier_result, claude_result).strict_f1, 4)


def run_cascade_pages(
    pages: list[PageImage],
    *,
    settings: Settings,
    ledger: SpendLedger | None = None,
    document_id: str | None = None,
    reader: ClaudeReader | None = None,
    ocr: str | None = None,
    tier: str | None = None,
    tier_lock: AbstractContextManager | None = None,
    features: FeatureClient | Future[FeatureClient | None] | None = None,
    uploader: str | None = None,
) -> CascadeResult:
    """The cascade over loaded pages. `reader` defaults to a `ClaudeReader` on `ledger`, made
    only when a document is routed to Claude; `tier` picks the first tier (`auto`, `document`,
    `classical`; the settings' when None). `features` may be a Future still opening the
    store (the CLI opens it beside the reading): it is waited for once the pages are read."""
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # Only the reading holds the caller's lock (one extraction at a time per process); the
    # Claude step below waits on the network and must not hold up other documents.
    with tier_lock or nullcontext():
        tier_result, traces = extract_pages(pages, ocr, tier=tier, settings=settings)
    timings["tier"] = time.perf_counter() - started
    if isinstance(features, Future):  # opened on another thread while the pages were read
        features = features.result()

    calibrated = calibrate_result(tier_result, settings.calibration_dir)
    # One feature-store round trip: this reading in, reading + uploader history out.
    readout = read_features(features, document_id, uploader, tier_result, calibrated.raw, traces)
    calibrated = calibrate_with_features(calibrated, readout, tier_result,
                                         settings.calibration_dir)
    blocks = calibrate_blocks(tier_result, settings.calibration_dir)
    tier_result = blocks.result.model_copy(update={"confidence": calibrated.confidence})
    decision = route(calibrated.confidence, settings, blocks.confidences)

    outcome: ClaudeAnswer | ClaudeFailed | None = None
    if decision.action == "claude":
        if reader is None:
            from inference.claude import ClaudeReader  # the SDK, only for pages that need it

            reader = ClaudeReader(settings, ledger=ledger, tracing=settings.claude_tracing)
        claude_started = time.perf_counter()  # the step's own time, not the SDK's import
        outcome = _ask_claude(reader, pages, ocr_hint(traces), document_id)
        timings["claude"] = time.perf_counter() - claude_started
    result, final = choose_result(decision, tier_result, outcome)
    if final.status == "accepted_claude":
        result = result.model_copy(update={"confidence": agreement(tier_result, result)})
    timings["total"] = time.perf_counter() - started

    cascade = CascadeResult(
        result=result,
        status=final.status,
        reason=final.reason,
        decision=decision,
        calibration=calibrated,
        cost_usd=outcome.cost_usd if outcome is not None else 0.0,
        timings={name: round(seconds, 4) for name, seconds in timings.items()},
        traces=traces,
        features=readout,
    )
    log.info(
        "cascade.done",
        document_id=document_id,
        status=cascade.status,
        reason=cascade.reason,
        route=decision.action,
        route_detail=decision.detail,
        flagged_blocks=cascade.flagged_blocks,
        raw_confidence=calibrated.raw,
        confidence=calibrated.confidence,
        calibration=calibrated.source,
        features=readout.status,
        tier=result.tier,
        cost_usd=round(cascade.cost_usd, 6),
        timings=cascade.timings,
    )
    return cascade


def run_cascade(
    data: bytes,
    *,
    settings: Settings,
    ledger: SpendLedger | None = None,
    document_id: str | None = None,
    reader: ClaudeReader | None = None,
    ocr: str | None = None,
    tier: str | None = None,
    tier_lock: AbstractContextManager | None = None,
    features: FeatureClient | None = None,
    uploader: str | None = None,
) -> CascadeResult:
    """Document bytes → CascadeResult. A refused document raises `InputRefused`."""
    with tier_lock or nullcontext():
        pages = load_pages(data, **page_limits(settings))
    return run_cascade_pages(
        pages, settings=settings, ledger=ledger, document_id=document_id, reader=reader,
        ocr=ocr, tier=tier, tier_lock=tier_lock, features=features, uploader=uploader,
    )
