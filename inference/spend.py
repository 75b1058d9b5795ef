"""What the Claude tier has spent: one row per billed call, summed per UTC day for the cap.

`SpendLedger` is the seam: the tier only needs `spent_today()` and `record(...)`, so the serving
store (SQLAlchemy) can implement the same protocol and replace the SQLite file used here.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@runtime_checkable
class SpendLedger(Protocol):
    """Daily spend in USD. "Today" is the UTC day, so the cap resets at 00:00 UTC everywhere
    (a server in another time zone must not get a second budget)."""

    def spent_today(self) -> float: ...

    # Keywords only: callers name every figure (the serving store takes nothing else).
    def record(
        self,
        *,
        model: str,
        input_tokens: int,
        output_tokens: int,
        cost_usd: float,
        document_id: str | None,
    ) -> None: ...


@dataclass(frozen=True)
class SpendRecord:
    at: datetime
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    document_id: str | None


class InMemoryLedger:
    """For tests and one-off runs; the clock is injectable so day boundaries can be tested."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.records: list[SpendRecord] = []

    def spent_today(self) -> float:
        today = self._clock().date()
        with self._lock:
            return sum(r.cost_usd for r in self.records if r.at.date() == today)

    def record(
        self,
        model: str,
        input_tokens: int,
        output_tokens: int,
        cost_usd: float,
        document_id: str | None,
    ) -> None:
        with self._lock:
            record = SpendRecord(
                self._clock(), model, input_tokens, output_tokens, cost_usd, document_id
            )
            self.records.append(record)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS claude_spend (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    document_id TEXT
);
CREATE INDEX IF NOT EXISTS claude_spend_day ON claude_spend (day);
"""


class SqliteLedger:
    """A single SQLite file (stdlib only), shared safely by several worker processes: WAL mode
    lets readers and one writer proceed together, and each call opens its own connection so
    the object can be used from any thread."""

    def __init__(self, path: Path, clock: Clock = utc_now) -> None:
        self.path = Path(path)
        self._clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        # 10 s busy timeout: a concurrent writer holds the lock for milliseconds.
        return sqlite3.connect(self.path, timeout=10.0)

    def spent_today(self) -> float:
        return self.spent_on(self._clock().date())

    def spent_on(self, day: date) -> float:
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT COALESCE(SUM(cost_usd), 0.0) FROM claude_spend WHERE day = ?",
                (day.isoformat(),),
            ).fetchone()
        finally:
            conn.close()
        return float(row[0])

    def record(
        self,
        model: str,
        input_tokens: int,
        output_tokens: int,
        cost_usd: float,
        document_id: str | None,
    ) -> None:
        at = self._clock()
        conn = self._connect()
        try:
            with conn:  # commits on success
                conn.execute(
                    "INSERT INTO claude_spend"
                    " (at, day, model, input_tokens, output_tokens, cost_usd, document_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        at.isoformat(),
                        at.date().isoformat(),
                        model,
                        input_tokens,
                        output_tokens,
                        cost_usd,
                        document_id,
                    ),
                )
        finally:
            conn.close()
