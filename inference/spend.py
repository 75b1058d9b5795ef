"""What the Claude tier has spent: one row per call, summed per UTC day for the cap.

A call first reserves its maximum cost (`reserve`), atomically against the cap: the row holds
the reserved amount until `settle` replaces it by what the call really cost. Open reservations
therefore count in `spent_today()`, so workers running side by side can never together pass the
cap (checking `spent < budget` and recording afterwards let two workers spend $1.08 of $0.50).
`SpendLedger` is the seam: the serving store (SQLAlchemy) implements the same protocol.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

Clock = Callable[[], datetime]

# Sums of float costs drift (25 × 0.01 is 0.25000000000000006): a millionth of a cent of slack
# keeps a budget that fits exactly k reservations admitting all k.
_SLACK_USD = 1e-8


def utc_now() -> datetime:
    return datetime.now(UTC)


def admits(spent: float, amount: float, budget: float) -> bool:
    return spent + amount <= budget + _SLACK_USD


@dataclass(frozen=True)
class Reservation:
    """An open reservation: the ledger row `id`, holding the reserved amount until settled."""

    id: int


@runtime_checkable
class SpendLedger(Protocol):
    """Daily spend in USD. "Today" is the UTC day, so the cap resets at 00:00 UTC everywhere
    (a server in another time zone must not get a second budget)."""

    def spent_today(self) -> float: ...

    # Keywords only: callers name every figure (the serving store takes nothing else).
    def reserve(
        self, *, amount_usd: float, budget_usd: float, model: str, document_id: str | None
    ) -> Reservation | None:
        """Atomically: if today's spend (open reservations included) plus `amount_usd` fits in
        `budget_usd`, record the reservation and return it; otherwise None."""
        ...

    def settle(
        self, reservation: Reservation, *, input_tokens: int, output_tokens: int, cost_usd: float
    ) -> None: ...

    # A call already paid for (no reservation), e.g. spend carried over from elsewhere.
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
    """For tests and one-off runs; the clock is injectable so day boundaries can be tested.
    One lock makes `reserve` atomic across the threads of one process."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.records: list[SpendRecord] = []

    def _spent_today(self) -> float:
        today = self._clock().date()
        return sum(r.cost_usd for r in self.records if r.at.date() == today)

    def spent_today(self) -> float:
        with self._lock:
            return self._spent_today()

    def reserve(
        self, *, amount_usd: float, budget_usd: float, model: str, document_id: str | None
    ) -> Reservation | None:
        with self._lock:
            if not admits(self._spent_today(), amount_usd, budget_usd):
                return None
            self.records.append(SpendRecord(self._clock(), model, 0, 0, amount_usd, document_id))
            return Reservation(len(self.records) - 1)

    def settle(
        self, reservation: Reservation, *, input_tokens: int, output_tokens: int, cost_usd: float
    ) -> None:
        with self._lock:
            self.records[reservation.id] = replace(
                self.records[reservation.id],
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cost_usd=cost_usd,
            )

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

_SUM_DAY = "SELECT COALESCE(SUM(cost_usd), 0.0) FROM claude_spend WHERE day = ?"
_INSERT = (
    "INSERT INTO claude_spend (at, day, model, input_tokens, output_tokens, cost_usd, document_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class SqliteLedger:
    """A single SQLite file (stdlib only), shared safely by several worker processes: WAL mode
    lets readers and one writer proceed together, `reserve` sums and inserts under SQLite's
    write lock (BEGIN IMMEDIATE), and each call opens its own connection so the object can be
    used from any thread."""

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
            row = conn.execute(_SUM_DAY, (day.isoformat(),)).fetchone()
        finally:
            conn.close()
        return float(row[0])

    def reserve(
        self, *, amount_usd: float, budget_usd: float, model: str, document_id: str | None
    ) -> Reservation | None:
        at = self._clock()
        conn = self._connect()
        try:
            with conn:  # commits (or rolls back on an error), which releases the write lock
                # IMMEDIATE takes the write lock before the sum is read, so no other process
                # can reserve between our sum and our insert (a deferred transaction would
                # only find out at the insert, and fail instead of waiting).
                conn.execute("BEGIN IMMEDIATE")
                spent = conn.execute(_SUM_DAY, (at.date().isoformat(),)).fetchone()[0]
                if not admits(spent, amount_usd, budget_usd):
                    return None
                (row_id,) = conn.execute(
                    _INSERT + " RETURNING id",
                    (at.isoformat(), at.date().isoformat(), model, 0, 0, amount_usd, document_id),
                ).fetchone()
        finally:
            conn.close()
        return Reservation(row_id)

    def settle(
        self, reservation: Reservation, *, input_tokens: int, output_tokens: int, cost_usd: float
    ) -> None:
        conn = self._connect()
        try:
            with conn:
                conn.execute(
                    "UPDATE claude_spend SET input_tokens = ?, output_tokens = ?, cost_usd = ?"
                    " WHERE id = ?",
                    (input_tokens, output_tokens, cost_usd, reservation.id),
                )
        finally:
            conn.close()

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
            with conn:
                conn.execute(
                    _INSERT,
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
