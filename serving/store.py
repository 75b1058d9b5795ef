"""Durable state of the serving layer: documents, extraction history, labels, Claude spend.

SQLAlchemy 2 models and one small `Store` class over them. The schema is created and upgraded
by alembic (`serving/migrations`), the same migration on SQLite (the embedded default, under
`YOGI_DATA_DIR`) and PostgreSQL (`YOGI_DATABASE_URL`). Nothing here is ever overwritten:
every extraction attempt is a new `extractions` row, every correction a new `labels` row.

Two requests for the same bytes meet on the documents primary key (the content hash): the first
inserts the row and owns the extraction; the other finds the row and waits for its outcome.
A failed extraction, or one whose owner died (its claim is older than the lease), can be
claimed again with one conditional UPDATE, so exactly one process re-runs it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Document status values.
PROCESSING = "processing"
DONE = "done"
AWAITING_REVIEW = "awaiting_review"
FAILED = "failed"
DOCUMENT_STATUSES = (PROCESSING, DONE, AWAITING_REVIEW, FAILED)

# Label sources: a reviewer's correction, or an accepted Claude answer.
GOLD = "gold"
SILVER = "silver"

# The error code of a crash (as opposed to a refused document, which is final).
INTERNAL_ERROR = "internal"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out on every dialect (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the bytes
    filename: Mapped[str | None] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    object_key: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(20), index=True)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Extraction(Base):
    __tablename__ = "extractions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    tier: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))  # done | awaiting_review | failed
    route_reason: Mapped[str | None] = mapped_column(Text)
    model_versions: Mapped[dict] = mapped_column(JsonType, default=dict)
    timings: Mapped[dict] = mapped_column(JsonType, default=dict)
    latency_s: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    result: Mapped[dict | None] = mapped_column(JsonType)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    timetable: Mapped[dict] = mapped_column(JsonType)
    source: Mapped[str] = mapped_column(String(10))  # gold | silver
    author: Mapped[str] = mapped_column(String(200))
    corrects_extraction_id: Mapped[int | None] = mapped_column(ForeignKey("extractions.id"))
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ClaudeUsage(Base):
    __tablename__ = "claude_usage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # UTC day
    document_id: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(100))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'yogi.db'}"


def _json_dumps(value: Any) -> str:
    # NaN/Infinity are not JSON (PostgreSQL refuses them); callers validate first.
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, json_serializer=_json_dumps, connect_args={"check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite's own
            # deferred BEGIN would let two writers both read, then one fail to upgrade).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, json_serializer=_json_dumps, pool_pre_ping=True)


class Store:
    """Documents, extractions, labels and Claude usage. Thread-safe (one session per call).

    Also the Claude tier's spend ledger: `spent_today()` and `record(...)`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Any | None = None) -> Store:
        if settings is None:
            from inference.settings import get_settings

            settings = get_settings()
        return cls(settings.database_url or default_database_url(settings.data_dir))

    # --- schema ------------------------------------------------------------------------------

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` with alembic (idempotent; safe at every start)."""
        from alembic import command

        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def downgrade(self, revision: str = "base") -> None:
        from alembic import command

        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

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
    ) -> tuple[Document, bool]:
        """The document row, inserted as `processing` (and claimed) if it was new.
        `created` is True only for the one caller whose insert won."""
        now = utcnow()
        try:
            with self._session.begin() as session:
                row = Document(
                    id=document_id, filename=filename, content_type=content_type, size=size,
                    object_key=object_key, status=PROCESSING, attempts=1, claimed_at=now,
                    created_at=now, updated_at=now,
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
        """Take over a document whose extraction crashed, or whose owner has held it longer
        than `lease_s` (it died). One conditional UPDATE: only one caller can win."""
        now = utcnow()
        stale = now - timedelta(seconds=lease_s)
        with self._session.begin() as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(Document)
                .where(
                    Document.id == document_id,
                    Document.attempts < max_attempts,
                    or_(
                        (Document.status == FAILED) & (Document.error_code == INTERNAL_ERROR),
                        (Document.status == PROCESSING) & (Document.claimed_at < stale),
                    ),
                )
                .values(
                    status=PROCESSING, claimed_at=now, updated_at=now,
                    attempts=Document.attempts + 1, error_code=None, error_detail=None,
                )
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

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
        if source not in (GOLD, SILVER):
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

    # --- Claude spend ledger -----------------------------------------------------------------

    def record_usage(
        self,
        *,
        model: str,
        input_tokens: int,
        output_tokens: int,
        cost_usd: float,
        document_id: str | None = None,
        day: date | None = None,
    ) -> None:
        with self._session.begin() as session:
            session.add(
                ClaudeUsage(
                    day=day or utcnow().date(), document_id=document_id, model=model,
                    input_tokens=input_tokens, output_tokens=output_tokens,
                    cost_usd=cost_usd, created_at=utcnow(),
                )
            )

    # The SpendLedger protocol of the Claude tier.
    record = record_usage

    def spent_on(self, day: date) -> float:
        with self._session() as session:
            total = session.scalar(
                select(func.coalesce(func.sum(ClaudeUsage.cost_usd), 0.0)).where(
                    ClaudeUsage.day == day
                )
            )
            return float(total or 0.0)

    def spent_today(self) -> float:
        return self.spent_on(utcnow().date())


def alembic_config(url: str | None = None) -> Any:
    """An alembic Config for the migrations in this package (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
