"""The Claude tier's spend ledger on the store: one `claude_usage` row per call, summed per UTC
day for the daily cap (the `inference.spend.SpendLedger` protocol). A reservation is a row whose
cost is the reserved amount until it is settled."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from inference.spend import Reservation, admits
from inference.store.tables import ClaudeUsage, utcnow

# The key of the PostgreSQL advisory lock that serialises reservations: any constant no other
# code in the database uses ("yogi$cap" as a 64-bit integer).
SPEND_LOCK_KEY = int.from_bytes(b"yogi$cap", "big")


def _spent(session: Session, day: date) -> float:
    total = session.scalar(
        select(func.coalesce(func.sum(ClaudeUsage.cost_usd), 0.0)).where(ClaudeUsage.day == day)
    )
    return float(total or 0.0)


class StoreLedger:
    """`spent_today()`, `reserve(...)`, `settle(...)` and `record(...)` over the store's
    sessions; `Store` is one."""

    _session: Any  # the owner's sessionmaker

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

    def reserve(
        self, *, amount_usd: float, budget_usd: float, model: str, document_id: str | None
    ) -> Reservation | None:
        day = utcnow().date()
        with self._session.begin() as session:  # commits on leaving, releasing the lock
            # The sum and the insert must not interleave with another reserver's. PostgreSQL:
            # a transaction-scoped advisory lock (READ COMMITTED then sees every reservation
            # committed before it). SQLite: the store's engine begins every transaction with
            # BEGIN IMMEDIATE (database.make_engine), which already holds the write lock.
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SPEND_LOCK_KEY})
            if not admits(_spent(session, day), amount_usd, budget_usd):
                return None
            row = ClaudeUsage(
                day=day, document_id=document_id, model=model, input_tokens=0, output_tokens=0,
                cost_usd=amount_usd, created_at=utcnow(),
            )
            session.add(row)
            session.flush()  # assigns row.id
            return Reservation(row.id)

    def settle(
        self, reservation: Reservation, *, input_tokens: int, output_tokens: int, cost_usd: float
    ) -> None:
        with self._session.begin() as session:
            session.execute(
                update(ClaudeUsage)
                .where(ClaudeUsage.id == reservation.id)
                .values(input_tokens=input_tokens, output_tokens=output_tokens, cost_usd=cost_usd)
            )

    def spent_on(self, day: date) -> float:
        with self._session() as session:
            return _spent(session, day)

    def spent_today(self) -> float:
        return self.spent_on(utcnow().date())
