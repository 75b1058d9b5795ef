"""The extraction seam: `run_extraction`, the one extraction every entry point runs (the
cascade), and its `ExtractionOutcome`: the route status (`awaiting_review` for the review
queue), the reason, the cost and the timings."""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from inference.features.routing import FeatureReadout
from inference.schema import TimetableData
from inference.settings import Settings
from inference.store.repository import Store
from inference.store.status import DONE, DocumentStatus, document_status

if TYPE_CHECKING:
    from inference.features.client import FeatureClient


@dataclass
class ExtractionOutcome:
    """What one extraction produced. `status` is the document's next status: `done`, or
    `awaiting_review` when the router sends it to the human review queue."""

    result: TimetableData
    status: DocumentStatus = DONE
    route_reason: str | None = None
    cost_usd: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    # Indexes of the result's blocks below the block accept threshold (a reviewer looks at
    # these; the stored result's calibrated `timeblocks[].confidence` says the same).
    flagged_blocks: list[int] = field(default_factory=list)
    # What the feature store gave the routing (`off` without a store).
    features: FeatureReadout = field(default_factory=lambda: FeatureReadout(status="off"))


def run_extraction(data: bytes, settings: Settings,
                   tier_lock: AbstractContextManager | None = None,
                   features: FeatureClient | None = None,
                   uploader: str | None = None) -> ExtractionOutcome:
    """THE extraction used by every entry point: the cascade (tier, calibrated confidence,
    Claude for the uncertain ones, review queue), with the store as Claude's spend ledger.
    `tier_lock` is held while the pages are decoded and read, not while Claude answers;
    `features` (the service's feature client) and `uploader` feed the routing's features."""
    from inference.cascade import run_cascade

    store = Store.from_settings(settings)
    try:
        outcome = run_cascade(data, settings=settings, ledger=store,
                              document_id=hashlib.sha256(data).hexdigest(),
                              tier_lock=tier_lock, features=features, uploader=uploader)
    finally:
        store.dispose()
    return ExtractionOutcome(
        result=outcome.result,
        status=document_status(outcome.status),
        route_reason=outcome.reason,
        cost_usd=outcome.cost_usd,
        timings=outcome.timings,
        flagged_blocks=outcome.flagged_blocks,
        features=outcome.features,
    )
