"""Extractions into the store, and the one writer of silver labels.

An accepted Claude answer is training data: it is kept as a silver label, with the Claude model
as author and what it cost, pointing at the extraction it came from. The service (for every
extraction) and the CLI (for the accepted Claude answers of `yogi extract`) both write through
here, so a silver label means the same wherever it was made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inference.schema import TimetableData
from inference.store.intake import keep_original
from inference.store.objects import ObjectStore
from inference.store.repository import Store
from inference.store.status import DONE, SILVER, DocumentStatus, document_status
from inference.store.tables import Extraction

if TYPE_CHECKING:
    from inference.cascade import CascadeResult


def record_extraction(
    store: Store,
    document_id: str,
    result: TimetableData,
    *,
    status: DocumentStatus,
    route_reason: str | None,
    timings: dict[str, float],
    latency_s: float,
    cost_usd: float,
    settings: Any,
) -> Extraction:
    """Record a successful extraction (the document moves to `status`); an accepted Claude
    answer also becomes a silver label."""
    body = result.to_json_dict()
    extraction = store.finish(
        document_id, status=status, result=body, tier=result.tier,
        confidence=result.confidence, route_reason=route_reason,
        model_versions=dict(result.model_versions), timings=timings, latency_s=latency_s,
        cost_usd=cost_usd,
    )
    if result.tier == "claude" and status == DONE:
        author = result.model_versions.get("claude") or settings.claude_model
        store.add_label(document_id, body, source=SILVER, author=author,
                        corrects_extraction_id=extraction.id, cost_usd=cost_usd)
    return extraction


def keep_silver_label(store: Store, objects: ObjectStore, data: bytes, filename: str | None,
                      outcome: CascadeResult, settings: Any) -> None:
    """A cascade's accepted Claude answer → the store as the service keeps it: the original
    (what the label is trained against), the document, the extraction, the silver label."""
    from inference.loading import sniff_format

    document_id, _ = keep_original(store, objects, data, filename, sniff_format(data))
    record_extraction(
        store, document_id, outcome.result, status=document_status(outcome.status),
        route_reason=outcome.reason, timings=outcome.timings,
        latency_s=outcome.timings["total"], cost_usd=outcome.cost_usd, settings=settings,
    )
