"""The extraction seam: `run_extraction`, the one extraction every entry point runs (the
cascade), and its `ExtractionOutcome`: the route status (`awaiting_review` for the review
queue), the reason, the cost and the timings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from inference.schema import TimetableData
from inference.settings import Settings
from inference.store.repository import Store
from inference.store.status import DONE, DocumentStatus, document_status


@dataclass
class ExtractionOutcome:
    """What one extraction produced. `status` is the document's next status: `done`, or
    `awaiting_review` when the router sends it to the human review queue."""

    result: TimetableData
    status: DocumentStatus = DONE
    route_reason: str | None = None
    cost_usd: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def run_extraction(data: bytes, settings: Settings) -> ExtractionOutcome:
    """THE extraction used by every entry point: the cascade (tier, calibrated confidence,
    Claude for the uncertain ones, review queue), with the store as Claude's spend ledger."""
    from inference.cascade import run_cascade

    store = Store.from_settings(settings)
    try:
        outcome = run_cascade(data, settings=settings, ledger=store,
                              document_id=hashlib.sha256(data).hexdigest())
    finally:
        store.dispose()
    return ExtractionOutcome(
        result=outcome.result,
        status=document_status(outcome.status),
        route_reason=outcome.reason,
        cost_usd=outcome.cost_usd,
        timings=outcome.timings,
    )
