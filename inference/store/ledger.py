"""The Claude tier's spend ledger on the store: one `claude_usage` row per billed call,
summed per UTC day for the daily cap (the `inference.spend.SpendLedger` protocol)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from inference.store.tables import ClaudeUsage, utcnow


class StoreLedger:
    """`spent_today()` and `record(...)` over the store's sessions; `Store` is one."""

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
