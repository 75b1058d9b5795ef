"""The JSON the API answers, as typed pydantic models (the one source of the response shapes:
FastAPI documents them, and HTTP and Lambda both send their `model_dump`), and the functions
that build them from the store's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from inference.router import flagged_blocks
from inference.schema import TimetableData
from inference.store.repository import DocumentView
from inference.store.review import QueueEntry, ReviewClaim, live_claim, version_of
from inference.store.status import FAILED, DocumentStatus, LabelSource
from inference.store.tables import Document, Extraction, Label
from serving.errors import ErrorBody
from serving.timestamps import iso


class ExtractResponse(BaseModel):
    documentId: str = Field(description="sha256 of the document's bytes.")
    status: DocumentStatus
    cached: bool = Field(description="True when these bytes had been processed before.")
    result: TimetableData | None


class ExtractionInfo(BaseModel):
    id: int
    status: str
    tier: str | None
    confidence: float | None
    routeReason: str | None
    modelVersions: dict[str, Any]
    timings: dict[str, Any]
    latencyS: float | None
    costUsd: float | None
    error: str | None
    createdAt: str | None


class LabelInfo(BaseModel):
    labelId: int
    source: LabelSource
    author: str
    correctsExtractionId: int | None
    costUsd: float | None
    createdAt: str | None


class DocumentResponse(BaseModel):
    documentId: str
    status: DocumentStatus
    filename: str | None
    contentType: str
    size: int
    attempts: int
    createdAt: str | None
    updatedAt: str | None
    result: TimetableData | None = Field(
        description="The best answer: the latest correction, else the latest extraction."
    )
    resultSource: Literal["gold", "extraction"] | None
    tier: str | None
    confidence: float | None
    modelVersions: dict[str, Any]
    timings: dict[str, Any]
    latencyS: float | None
    costUsd: float
    routeReason: str | None
    error: ErrorBody | None
    extractions: list[ExtractionInfo]
    labels: list[LabelInfo]
    version: str | None = Field(description="What `result` is (`l<labelId>` or `e<extraction "
                                "id>`), also the ETag; send it back as `If-Match` with a "
                                "correction.")


class CorrectionResponse(BaseModel):
    labelId: int
    documentId: str
    source: Literal["gold"]
    author: str
    correctsExtractionId: int | None
    createdAt: str | None
    timetable: TimetableData
    version: str = Field(description="The document's version now (this label's).")
    diff: dict[str, Any] | None = Field(description="What changed against the model's answer "
                                        "(inference/store/diff.py).")


class Correction(BaseModel):
    labelId: int
    documentId: str
    source: LabelSource
    author: str
    correctsExtractionId: int | None
    costUsd: float | None
    createdAt: str | None
    contentType: str
    object: str = Field(description="Where the original is (a path or an s3:// URI).")
    timetable: TimetableData
    diff: dict[str, Any] | None = Field(description="A gold label's changes against the "
                                        "model's answer (inference/store/diff.py).")


class CorrectionsPage(BaseModel):
    corrections: list[Correction]
    count: int
    nextAfter: int | None = Field(description="Pass as `after` to read the next page.")


def _dump(model: BaseModel) -> dict:
    return model.model_dump(mode="json", by_alias=True)


def best_result(view: DocumentView) -> dict | None:
    """The best answer known for a document: the latest reviewer correction, else the latest
    extraction's."""
    gold = view.latest_gold
    if gold is not None:
        return gold.timetable
    extraction = view.latest_result
    return extraction.result if extraction else None


def extract_body(document_id: str, status: str, *, cached: bool, result: dict | None) -> dict:
    return _dump(ExtractResponse.model_validate(
        {"documentId": document_id, "status": status, "cached": cached, "result": result}))


def extraction_info(extraction: Extraction) -> dict:
    return {
        "id": extraction.id,
        "status": extraction.status,
        "tier": extraction.tier,
        "confidence": extraction.confidence,
        "routeReason": extraction.route_reason,
        "modelVersions": extraction.model_versions or {},
        "timings": extraction.timings or {},
        "latencyS": extraction.latency_s,
        "costUsd": extraction.cost_usd,
        "error": extraction.error_code,
        "createdAt": iso(extraction.created_at),
    }


def document_body(view: DocumentView) -> dict:
    document = view.document
    latest = view.latest_result
    return _dump(DocumentResponse.model_validate({
        "documentId": document.id,
        "status": document.status,
        "filename": document.filename,
        "contentType": document.content_type,
        "size": document.size,
        "attempts": document.attempts,
        "createdAt": iso(document.created_at),
        "updatedAt": iso(document.updated_at),
        "result": best_result(view),
        "resultSource": "gold" if view.latest_gold else ("extraction" if latest else None),
        "tier": latest.tier if latest else None,
        "confidence": latest.confidence if latest else None,
        "modelVersions": (latest.model_versions or {}) if latest else {},
        "timings": (latest.timings or {}) if latest else {},
        "latencyS": latest.latency_s if latest else None,
        "costUsd": sum(e.cost_usd or 0.0 for e in view.extractions),
        "routeReason": latest.route_reason if latest else None,
        "error": ({"error": document.error_code, "detail": document.error_detail}
                  if document.status == FAILED else None),
        "extractions": [extraction_info(e) for e in view.extractions],
        "version": view.version,
        "labels": [
            {"labelId": label.id, "source": label.source, "author": label.author,
             "correctsExtractionId": label.corrects_extraction_id, "costUsd": label.cost_usd,
             "createdAt": iso(label.created_at)}
            for label in view.labels
        ],
    }))


def correction_body(label: Label) -> dict:
    return _dump(CorrectionResponse.model_validate({
        "labelId": label.id, "documentId": label.document_id, "source": label.source,
        "author": label.author, "correctsExtractionId": label.corrects_extraction_id,
        "createdAt": iso(label.created_at), "timetable": label.timetable,
        "version": version_of(label.id, None), "diff": label.diff}))


def corrections_page(rows: list[tuple[Label, Document]], describe: Any, after: int | None
                     ) -> dict:
    """One page of GET /corrections; `describe` says where an object key's original is."""
    items = [
        {
            "labelId": label.id,
            "documentId": label.document_id,
            "source": label.source,
            "author": label.author,
            "correctsExtractionId": label.corrects_extraction_id,
            "costUsd": label.cost_usd,
            "createdAt": iso(label.created_at),
            "contentType": document.content_type,
            "object": describe(document.object_key),
            "timetable": label.timetable,
            "diff": label.diff,
        }
        for label, document in rows
    ]
    return _dump(CorrectionsPage.model_validate({
        "corrections": items, "count": len(items),
        "nextAfter": items[-1]["labelId"] if items else after}))


class QueueItem(BaseModel):
    documentId: str
    filename: str | None
    createdAt: str | None
    confidence: float = Field(description="The document confidence of its latest answer.")
    tier: str | None
    blocks: int
    flaggedBlocks: int = Field(description="Blocks below YOGI_BLOCK_ACCEPT_THRESHOLD or "
                               "without a confidence (as the router counts them).")
    claimedBy: str | None = Field(description="The reviewer holding it (a live claim only).")
    claimExpiresAt: str | None
    version: str = Field(description="Its version (`e<extraction id>`), as If-Match takes.")


class QueuePage(BaseModel):
    documents: list[QueueItem]
    count: int
    nextAfter: str | None = Field(description="Pass as `after` for the next page; null at "
                                  "the end.")
    blockAcceptThreshold: float = Field(description="Blocks below it are flagged.")


class ClaimResponse(BaseModel):
    documentId: str
    claimedBy: str | None
    expiresAt: str | None


def queue_page(entries: list[QueueEntry], *, limit: int, block_threshold: float,
               now: datetime) -> dict:
    """One page of GET /documents?status=awaiting_review."""
    items = []
    for entry in entries:
        document, blocks = entry.document, (entry.extraction.result or {}).get("timeblocks", [])
        holder, until = live_claim(document, now)
        items.append({
            "documentId": document.id, "filename": document.filename,
            "createdAt": iso(document.created_at), "confidence": entry.confidence,
            "tier": entry.extraction.tier, "blocks": len(blocks),
            "flaggedBlocks": len(flagged_blocks([b.get("confidence") for b in blocks],
                                                block_threshold)),
            "claimedBy": holder, "claimExpiresAt": iso(until),
            "version": version_of(None, entry.extraction.id),
        })
    full = len(entries) == limit
    return _dump(QueuePage.model_validate({
        "documents": items, "count": len(items),
        "nextAfter": entries[-1].cursor.encode() if entries and full else None,
        "blockAcceptThreshold": block_threshold}))


def claim_body(document_id: str, claim: ReviewClaim) -> dict:
    return _dump(ClaimResponse.model_validate({
        "documentId": document_id, "claimedBy": claim.reviewer,
        "expiresAt": iso(claim.expires_at) if claim.reviewer else None}))
