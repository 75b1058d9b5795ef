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
from dataclasses import dataclass, field

import structlog

from inference.calibration import Calibrated, calibrate_result
from inference.claude import ClaudeAnswer, ClaudeFailed, ClaudeReader
from inference.loading import PageImage, load_pages, page_limits
from inference.pipeline import extract_pages
from inference.router import RouteDecision, Status, choose_result, route
from inference.schema import TimetableData
from inference.settings import Settings
from inference.spend import SpendLedger
from inference.trace import PageTrace

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


def run_cascade_pages(
    pages: list[PageImage],
    *,
    settings: Settings,
    ledger: SpendLedger | None = None,
    document_id: str | None = None,
    reader: ClaudeReader | None = None,
    ocr: str | None = None,
    tier: str | None = None,
) -> CascadeResult:
    """The cascade over loaded pages. `reader` defaults to a `ClaudeReader` on `ledger`, made
    only when a document is routed to Claude; `tier` picks the first tier (`auto`, `document`,
    `classical`; the settings' when None)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()

    tier_result, traces = extract_pages(pages, ocr, tier=tier, settings=settings)
    timings["tier"] = time.perf_counter() - started

    calibrated = calibrate_result(tier_result, settings.calibration_dir)
    tier_result = tier_result.model_copy(update={"confidence": calibrated.confidence})
    decision = route(calibrated.confidence, settings)

    outcome: ClaudeAnswer | ClaudeFailed | None = None
    if decision.action == "claude":
        claude_started = time.perf_counter()
        reader = reader or ClaudeReader(settings, ledger=ledger, tracing=settings.claude_tracing)
        outcome = _ask_claude(reader, pages, ocr_hint(traces), document_id)
        timings["claude"] = time.perf_counter() - claude_started
    result, final = choose_result(decision, tier_result, outcome)
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
    )
    log.info(
        "cascade.done",
        document_id=document_id,
        status=cascade.status,
        reason=cascade.reason,
        route=decision.action,
        route_detail=decision.detail,
        raw_confidence=calibrated.raw,
        confidence=calibrated.confidence,
        calibration=calibrated.source,
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
) -> CascadeResult:
    """Document bytes → CascadeResult. A refused document raises `InputRefused`."""
    pages = load_pages(data, **page_limits(settings))
    return run_cascade_pages(
        pages, settings=settings, ledger=ledger, document_id=document_id, reader=reader,
        ocr=ocr, tier=tier,
    )
