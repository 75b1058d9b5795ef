"""`UploaderHistory`: what an uploader's earlier documents say about the next one — how many
documents, how many a reviewer corrected (and the correction rate), the mean share of blocks a
reviewer changed, how many went to Claude, when the uploader was first and last seen.

One fold over the uploader's events (an extraction, a correction) makes it, wherever the events
come from: the store (`events_from_store`, after every extraction and correction, and for the
batch rebuild `yogi features rebuild`) or a simulated stream (the calibration benchmark). Every
prefix of the events is one row with the time of its last event, so the offline store answers
"what was known at time t" exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from inference.evaluation import score_document
from inference.schema import TimetableData
from inference.store.repository import Store
from inference.store.status import GOLD
from inference.store.tables import Document, Extraction, Label


class UploaderHistory(BaseModel):
    """One row of the `uploader_history` feature view."""

    uploader: str
    event_timestamp: datetime
    documents: int
    corrections: int  # documents a reviewer corrected at least once
    correction_rate: float
    mean_changed_share: float  # over corrections: 1 - strict F1 of the answer it corrected
    claude_escalations: int
    first_seen: datetime
    last_seen: datetime


HISTORY_FEATURES = [name for name in UploaderHistory.model_fields
                    if name not in {"uploader", "event_timestamp"}]


@dataclass(frozen=True)
class Extracted:
    document_id: str
    at: datetime
    escalated: bool  # the router sent it to Claude


@dataclass(frozen=True)
class Corrected:
    document_id: str
    at: datetime
    changed_share: float


Event = Extracted | Corrected


def changed_share(answer: TimetableData, correction: TimetableData) -> float:
    """The share of blocks the reviewer changed: 1 - strict F1 of the answer against it."""
    return round(1.0 - score_document(answer, correction).strict_f1, 4)


def history_rows(uploader: str, events: Iterable[Event]) -> list[UploaderHistory]:
    """The uploader's history after each event, oldest first."""
    documents: set[str] = set()
    corrected: dict[str, float] = {}  # document → the share its latest correction changed
    escalations = 0
    first: datetime | None = None
    rows = []
    for event in sorted(events, key=lambda e: e.at):
        first = first or event.at
        if isinstance(event, Extracted):
            documents.add(event.document_id)
            escalations += event.escalated
        else:
            corrected[event.document_id] = event.changed_share
        count = max(len(documents), 1)
        rows.append(UploaderHistory(
            uploader=uploader, event_timestamp=event.at, documents=len(documents),
            corrections=len(corrected), correction_rate=round(len(corrected) / count, 4),
            mean_changed_share=round(sum(corrected.values()) / len(corrected), 4)
            if corrected else 0.0,
            claude_escalations=escalations, first_seen=first, last_seen=event.at,
        ))
    return rows


def escalated(extraction: Extraction) -> bool:
    """The router sent the document to Claude (answered, failed or over budget)."""
    return extraction.tier == "claude" or (extraction.route_reason or "").startswith("claude")


def events_from_store(store: Store, uploader: str) -> list[Event]:
    """The uploader's extractions and gold corrections as the store holds them."""
    with Session(store.engine) as session:
        ids = select(Document.id).where(Document.uploader == uploader)
        extractions = session.scalars(
            select(Extraction).where(Extraction.document_id.in_(ids),
                                     Extraction.result.is_not(None))).all()
        labels = session.scalars(
            select(Label).where(Label.document_id.in_(ids), Label.source == GOLD)).all()
    by_id = {extraction.id: extraction for extraction in extractions}
    events: list[Event] = [Extracted(e.document_id, e.created_at, escalated(e))
                           for e in extractions]
    for label in labels:
        answer = by_id.get(label.corrects_extraction_id or -1)
        share = changed_share(TimetableData.model_validate(answer.result),
                              TimetableData.model_validate(label.timetable)) if answer else 1.0
        events.append(Corrected(label.document_id, label.created_at, share))
    return events


def uploaders_in_store(store: Store) -> list[str]:
    with Session(store.engine) as session:
        return sorted(u for u in session.scalars(
            select(Document.uploader).where(Document.uploader.is_not(None)).distinct()) if u)


def uploader_of(store: Store, document_id: str) -> str | None:
    with Session(store.engine) as session:
        return session.scalar(select(Document.uploader).where(Document.id == document_id))
