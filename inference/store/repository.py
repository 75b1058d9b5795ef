"""`Store`: the one way to read and write documents, extractions and labels (and, as a
`StoreLedger`, Claude spend). Thread-safe: one session per call.

Two requests for the same bytes meet on the documents primary key (the content hash): the first
inserts the row and owns the extraction; the other finds the row and waits for its outcome.
A failed extraction, or one whose owner died (its claim was not renewed within the lease), can
be claimed again with one conditional UPDATE, so exactly one process re-runs it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from inference.settings import Settings
from inference.store import database
from inference.store.ledger import StoreLedger
from inference.store.review import StoreReview, version_of
from inference.store.status import (
    ABANDONED,
    FAILED,
    GOLD,
    LABEL_SOURCES,
    PROCESSING,
    RETRYABLE_ERRORS,
)
from inference.store.tables import Document, Extraction, Label, utcnow


@dataclass(frozen=True)
class DocumentView:
    """A document with its whole history, detached from any session."""

    document: Document
    extractions: list[Extraction]
    labels: list[Label]

    @property
    def latest_extraction(self) -> Extraction | None:
        return self.extractions[-1] if self.extractions else None

    @property
    def latest_result(self) -> Extraction | None:
        """The newest extraction that produced an answer."""
        return next((e for e in reversed(self.extractions) if e.result is not None), None)

    @property
    def latest_gold(self) -> Label | None:
        return next((lb for lb in reversed(self.labels) if lb.source == GOLD), None)

    @property
    def version(self) -> str | None:
        """What a reviewer sees, named (`inference/store/review.py`): `l<id>` or `e<id>`."""
        gold, answer = self.latest_gold, self.latest_result
        return version_of(gold.id if gold else None, answer.id if answer else None)


class Store(StoreLedger, StoreReview):
    """Documents, extractions, labels and Claude usage; the review queue and claims."""

    def __init__(self, url: str, *, connect_timeout_s: float = 5.0,
                 statement_timeout_s: float = 30.0) -> None:
        self.url = url
        self.engine = database.make_engine(url, connect_timeout_s=connect_timeout_s,
                                           statement_timeout_s=statement_timeout_s)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls(database.database_url(settings),
                   connect_timeout_s=settings.db_connect_timeout_s,
                   statement_timeout_s=settings.db_statement_timeout_s)

    # --- schema ------------------------------------------------------------------------------

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` with alembic (idempotent; safe at every start)."""
        database.migrate(self.engine, self.url, revision)

    def downgrade(self, revision: str = "base") -> None:
        database.downgrade(self.engine, self.url, revision)

    def dispose(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    # --- documents ---------------------------------------------------------------------------

    def get_or_create_document(
        self,
        document_id: str,
        *,
        filename: str | None,
        content_type: str,
        size: int,
        object_key: str,
        uploader: str | None = None,
    ) -> tuple[Document, bool]:
        """The document row, inserted as `processing` (and claimed) if it was new.
        `created` is True only for the one caller whose insert won."""
        now = utcnow()
        try:
            with self._session.begin() as session:
                row = Document(
                    id=document_id, filename=filename, content_type=content_type, size=size,
                    object_key=object_key, uploader=uploader, status=PROCESSING, attempts=1,
                    claimed_at=now, created_at=now, updated_at=now,
                )
                session.add(row)
            return row, True
        except IntegrityError:
            existing = self.get_document_row(document_id)
            if existing is None:  # pragma: no cover - rows are never deleted
                raise
            return existing, False

    def get_document_row(self, document_id: str) -> Document | None:
        with self._session() as session:
            return session.get(Document, document_id)

    def claim(self, document_id: str, *, lease_s: float, max_attempts: int = 3) -> bool:
        """Take over a document whose extraction crashed (or was cancelled), or whose owner
        has not renewed its claim for `lease_s` (it died). One conditional UPDATE: only one
        caller can win."""
        stale = utcnow() - timedelta(seconds=lease_s)
        return self._take(document_id, Document.attempts < max_attempts, or_(
            (Document.status == FAILED) & Document.error_code.in_(RETRYABLE_ERRORS),
            (Document.status == PROCESSING) & (Document.claimed_at < stale),
        ))

    def claim_for_reprocess(self, document_id: str, *, lease_s: float) -> bool:
        """Take a document to extract it again whatever became of it before (a reviewer or an
        operator asked), unless a live owner is extracting it now."""
        stale = utcnow() - timedelta(seconds=lease_s)
        return self._take(document_id, True, or_(Document.status != PROCESSING,
                                                 Document.claimed_at < stale))

    def _take(self, document_id: str, *conditions: Any) -> bool:
        now = utcnow()
        with self._session.begin() as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(Document)
                .where(Document.id == document_id, *conditions)
                .values(
                    status=PROCESSING, claimed_at=now, updated_at=now,
                    attempts=Document.attempts + 1, error_code=None, error_detail=None,
                )
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def renew_claim(self, document_id: str) -> None:
        """The owner is alive: move its claim's time forward (the heartbeat)."""
        with self._session.begin() as session:
            session.execute(
                update(Document)
                .where(Document.id == document_id, Document.status == PROCESSING)
                .values(claimed_at=utcnow())
            )

    def abandoned(self, *, lease_s: float, max_attempts: int = 3, limit: int = 20
                  ) -> list[str]:
        """Documents left `processing` by an owner that stopped renewing its claim. Those that
        took their worker down `max_attempts` times are marked failed (`abandoned`) instead:
        only `POST /documents/{id}/reprocess` tries them again."""
        now = utcnow()
        stale = now - timedelta(seconds=lease_s)
        with self._session.begin() as session:
            session.execute(
                update(Document)
                .where(Document.status == PROCESSING, Document.claimed_at < stale,
                       Document.attempts >= max_attempts)
                .values(status=FAILED, error_code=ABANDONED, updated_at=now,
                        error_detail=f"Its extraction stopped {max_attempts} workers; "
                        "POST /documents/{id}/reprocess tries again.")
                .execution_options(synchronize_session=False)
            )
            return list(session.scalars(
                select(Document.id)
                .where(Document.status == PROCESSING, Document.claimed_at < stale)
                .order_by(Document.claimed_at)
                .limit(limit)
            ))

    def wait_while_processing(
        self, document_id: str, *, timeout_s: float, poll_s: float = 0.1
    ) -> Document | None:
        """Poll until the document leaves `processing` (or the timeout passes); the row."""
        deadline = time.monotonic() + timeout_s
        delay = poll_s
        while True:
            row = self.get_document_row(document_id)
            if row is None or row.status != PROCESSING or time.monotonic() >= deadline:
                return row
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def finish(
        self,
        document_id: str,
        *,
        status: str,
        result: dict,
        tier: str | None,
        confidence: float | None,
        route_reason: str | None,
        model_versions: dict,
        timings: dict,
        latency_s: float,
        cost_usd: float,
    ) -> Extraction:
        """Record a successful extraction and move the document to `status`."""
        now = utcnow()
        with self._session.begin() as session:
            extraction = Extraction(
                document_id=document_id, tier=tier, confidence=confidence, status=status,
                route_reason=route_reason, model_versions=model_versions, timings=timings,
                latency_s=latency_s, cost_usd=cost_usd, result=result, created_at=now,
            )
            session.add(extraction)
            session.execute(
                update(Document)
                .where(Document.id == document_id)
                .values(status=status, error_code=None, error_detail=None, updated_at=now)
            )
        return extraction

    def fail(
        self, document_id: str, *, code: str, detail: str, latency_s: float | None = None
    ) -> Extraction:
        """Record a failed attempt (refused input or crash); the document stays, `failed`."""
        now = utcnow()
        with self._session.begin() as session:
            extraction = Extraction(
                document_id=document_id, status=FAILED, error_code=code,
                error_detail=detail[:4000], latency_s=latency_s, model_versions={},
                timings={}, cost_usd=0.0, created_at=now,
            )
            session.add(extraction)
            session.execute(
                update(Document)
                .where(Document.id == document_id)
                .values(status=FAILED, error_code=code, error_detail=detail[:4000],
                        updated_at=now)
            )
        return extraction

    def set_status(self, document_id: str, status: str) -> None:
        with self._session.begin() as session:
            session.execute(
                update(Document)
                .where(Document.id == document_id)
                .values(status=status, updated_at=utcnow())
            )

    def get_document(self, document_id: str) -> DocumentView | None:
        with self._session() as session:
            document = session.get(Document, document_id)
            if document is None:
                return None
            extractions = list(
                session.scalars(
                    select(Extraction)
                    .where(Extraction.document_id == document_id)
                    .order_by(Extraction.id)
                )
            )
            labels = list(
                session.scalars(
                    select(Label).where(Label.document_id == document_id).order_by(Label.id)
                )
            )
            return DocumentView(document, extractions, labels)

    # --- labels ------------------------------------------------------------------------------

    def add_label(
        self,
        document_id: str,
        timetable: dict,
        *,
        source: str,
        author: str,
        corrects_extraction_id: int | None = None,
        cost_usd: float = 0.0,
    ) -> Label:
        """Append a gold (reviewer) or silver (Claude) label; earlier labels stay."""
        if source not in LABEL_SOURCES:
            raise ValueError(f"label source must be gold or silver, got {source!r}")
        with self._session.begin() as session:
            label = Label(
                document_id=document_id, timetable=timetable, source=source, author=author,
                corrects_extraction_id=corrects_extraction_id, cost_usd=cost_usd,
                created_at=utcnow(),
            )
            session.add(label)
        return label

    def corrections_since(
        self,
        since: datetime | None = None,
        *,
        after_id: int | None = None,
        source: str | None = None,
        limit: int = 100,
    ) -> list[tuple[Label, Document]]:
        """Labels (with their document) in the order they were written, newer than `since`
        and/or after label `after_id`: what training consumes."""
        query = (
            select(Label, Document)
            .join(Document, Document.id == Label.document_id)
            .order_by(Label.id)
            .limit(limit)
        )
        if since is not None:
            query = query.where(Label.created_at > since)
        if after_id is not None:
            query = query.where(Label.id > after_id)
        if source is not None:
            query = query.where(Label.source == source)
        with self._session() as session:
            return [(label, document) for label, document in session.execute(query)]
