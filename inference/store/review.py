"""The reviewers' side of the store: the review queue, claims on documents, and gold labels
written only against the version the reviewer saw.

- **Queue**: documents `awaiting_review`, most uncertain first (the document confidence of
  their latest answer, lowest first), oldest first among equals, then by id; paged by keyset
  (`QueueCursor`, opaque to callers) so a page never repeats or skips a document while others
  are added.
- **Claims**: a reviewer holds a document for a lease (`documents.review_claimed_by` and
  `review_claim_expires_at`). One conditional UPDATE takes it: free, expired, or already the
  same reviewer's (which extends it); anyone else learns who holds it and until when.
- **Versions**: what a reviewer sees of a document is its latest gold label, else its latest
  answer; `l<label id>` or `e<extraction id>` names it. A correction names the version it was
  made on; inside one transaction that holds the document's row (PostgreSQL `FOR UPDATE`,
  SQLite's `BEGIN IMMEDIATE`), a different current version refuses it (`StaleVersion`).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from inference.store.status import AWAITING_REVIEW, DONE, FAILED, GOLD
from inference.store.tables import Document, Extraction, Label, utcnow


def version_of(gold_label_id: int | None, extraction_id: int | None) -> str | None:
    """The version a reviewer sees: the latest gold label's, else the latest answer's."""
    if gold_label_id is not None:
        return f"l{gold_label_id}"
    return f"e{extraction_id}" if extraction_id is not None else None


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of the queue ended (its last document's sort key)."""

    confidence: float
    created_at: datetime
    document_id: str

    def encode(self) -> str:
        raw = json.dumps([self.confidence, self.created_at.isoformat(), self.document_id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> QueueCursor:
        """Raises ValueError when `text` is not a cursor this store wrote."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            confidence, created_at, document_id = json.loads(raw)
            moment = datetime.fromisoformat(created_at)
            if not isinstance(confidence, int | float) or not isinstance(document_id, str) or \
                    moment.tzinfo is None or not math.isfinite(confidence):
                raise ValueError("not a queue cursor")
            moment = moment.astimezone(UTC)  # as stored; overflows near year 1 are garbage too
        except Exception as error:  # noqa: BLE001 - any garbage is the same refusal
            raise ValueError("not a queue cursor") from error
        return cls(float(confidence), moment, document_id)


@dataclass(frozen=True)
class QueueEntry:
    """A document in the queue with the answer the reviewer will correct."""

    document: Document
    extraction: Extraction

    @property
    def confidence(self) -> float:
        return self.extraction.confidence or 0.0

    @property
    def cursor(self) -> QueueCursor:
        return QueueCursor(self.confidence, self.document.created_at, self.document.id)


@dataclass(frozen=True)
class ReviewClaim:
    """Who holds a document after a claim, until when, and whether the caller got it."""

    reviewer: str | None
    expires_at: datetime | None
    granted: bool


class ClaimedByOther(Exception):
    def __init__(self, reviewer: str, expires_at: datetime) -> None:
        super().__init__(f"claimed by {reviewer} until {expires_at.isoformat()}")
        self.reviewer = reviewer
        self.expires_at = expires_at


class StaleVersion(Exception):
    def __init__(self, current: str | None) -> None:
        super().__init__(f"the document is now at version {current}")
        self.current = current


def live_claim(document: Document, now: datetime) -> tuple[str | None, datetime | None]:
    """Who holds the document and until when; (None, None) when nobody does any more."""
    until = document.review_claim_expires_at
    if document.review_claimed_by is None or until is None or until <= now:
        return None, None
    return document.review_claimed_by, until


def _free_for(reviewer: str | None, now: datetime) -> Any:
    """SQL: nobody else holds the document (no claim, an expired one, or `reviewer`'s)."""
    conditions = [Document.review_claimed_by.is_(None), Document.review_claim_expires_at <= now]
    if reviewer:
        conditions.append(Document.review_claimed_by == reviewer)
    return or_(*conditions)


def _current_version(session: Session, document_id: str) -> str | None:
    gold = session.scalar(select(func.max(Label.id)).where(
        Label.document_id == document_id, Label.source == GOLD))
    answer = session.scalar(select(func.max(Extraction.id)).where(
        Extraction.document_id == document_id, Extraction.status != FAILED))
    return version_of(gold, answer)


class StoreReview:
    """`review_queue`, `claim_review`, `release_review`, `add_gold_label` over the store's
    sessions; `Store` is one."""

    _session: Any  # the owner's sessionmaker

    def review_queue(
        self, *, limit: int = 50, after: QueueCursor | None = None,
        free_for: str | None = None, only_free: bool = False,
    ) -> list[QueueEntry]:
        """One page of the review queue. `only_free`: leave out documents another reviewer
        holds (`free_for` is the asking reviewer, whose own claims stay in)."""
        latest = (
            select(Extraction.document_id, func.max(Extraction.id).label("extraction_id"))
            .where(Extraction.status != FAILED)
            .group_by(Extraction.document_id)
            .subquery()
        )
        confidence = func.coalesce(Extraction.confidence, 0.0)
        query = (
            select(Document, Extraction)
            .join(latest, latest.c.document_id == Document.id)
            .join(Extraction, Extraction.id == latest.c.extraction_id)
            .where(Document.status == AWAITING_REVIEW)
            .order_by(confidence, Document.created_at, Document.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(or_(
                confidence > after.confidence,
                (confidence == after.confidence) & (Document.created_at > after.created_at),
                (confidence == after.confidence) & (Document.created_at == after.created_at)
                & (Document.id > after.document_id),
            ))
        if only_free:
            query = query.where(_free_for(free_for, utcnow()))
        with self._session() as session:
            return [QueueEntry(document, extraction)
                    for document, extraction in session.execute(query)]

    def claim_review(self, document_id: str, reviewer: str, *, lease_s: float) -> ReviewClaim:
        """Take (or extend) `reviewer`'s lease on the document unless someone else holds it."""
        now = utcnow()
        until = now + timedelta(seconds=lease_s)
        with self._session.begin() as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(Document)
                .where(Document.id == document_id, _free_for(reviewer, now))
                .values(review_claimed_by=reviewer, review_claim_expires_at=until)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                return ReviewClaim(reviewer, until, granted=True)
            row = session.get(Document, document_id)
            if row is None:
                return ReviewClaim(None, None, granted=False)
            return ReviewClaim(row.review_claimed_by, row.review_claim_expires_at, granted=False)

    def release_review(self, document_id: str, reviewer: str) -> bool:
        """Give up `reviewer`'s claim (True if there was one to give up)."""
        with self._session.begin() as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(Document)
                .where(Document.id == document_id, Document.review_claimed_by == reviewer)
                .values(review_claimed_by=None, review_claim_expires_at=None)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def add_gold_label(
        self,
        document_id: str,
        timetable: dict,
        *,
        author: str,
        corrects_extraction_id: int | None,
        diff: dict | None,
        made_on: Callable[[str | None], bool] | None = None,
    ) -> Label:
        """A reviewer's correction as a gold label: refused while another reviewer holds the
        document (`ClaimedByOther`) or when `made_on(current version)` says it was made on
        another version (`StaleVersion`; None: no check). The document leaves the queue and
        the author's claim ends."""
        now = utcnow()
        with self._session.begin() as session:
            document = session.scalars(
                select(Document).where(Document.id == document_id).with_for_update()
            ).one()
            holder, until = document.review_claimed_by, document.review_claim_expires_at
            if holder and holder != author and until is not None and until > now:
                raise ClaimedByOther(holder, until)
            if made_on is not None:
                current = _current_version(session, document_id)
                if not made_on(current):
                    raise StaleVersion(current)
            label = Label(
                document_id=document_id, timetable=timetable, source=GOLD, author=author,
                corrects_extraction_id=corrects_extraction_id, cost_usd=0.0, diff=diff,
                created_at=now,
            )
            session.add(label)
            if document.status == AWAITING_REVIEW:
                document.status = DONE
                document.updated_at = now
            if holder == author:
                document.review_claimed_by = document.review_claim_expires_at = None
        return label
