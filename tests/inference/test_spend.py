"""The Claude spend cap as a reservation: `reserve` is atomic across threads and processes (the
in-memory and SQLite ledgers; the store's ledger is tested in tests/serving/test_store.py), and
`settle` replaces the reserved amount by the real cost."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from inference.spend import InMemoryLedger, SpendLedger, SqliteLedger

MODEL = "claude-sonnet-4-6"
# Each of two workers tries 100 reservations of a tenth of a cent; the cap fits exactly 100.
# Many small ones, so that the two workers are likely still racing for the last few.
AMOUNT, CAP, TRIES, FITS = 0.001, 0.10, 100, 100


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> SpendLedger:
    if request.param == "memory":
        return InMemoryLedger()
    return SqliteLedger(tmp_path / "spend.sqlite")


def race(ledger: SpendLedger) -> tuple[int, float]:
    """Reserve `AMOUNT` `TRIES` times, settling each admitted call at its full amount: how many
    were admitted, and the highest spend seen right after an admission (the cap must hold at
    every moment, not only at the end)."""
    admitted, peak = 0, 0.0
    for _ in range(TRIES):
        reservation = ledger.reserve(
            amount_usd=AMOUNT, budget_usd=CAP, model=MODEL, document_id=None
        )
        if reservation is not None:
            admitted += 1
            peak = max(peak, ledger.spent_today())
            ledger.settle(reservation, input_tokens=100, output_tokens=10, cost_usd=AMOUNT)
    return admitted, peak


def test_settle_replaces_the_reservation(ledger: SpendLedger) -> None:
    first = ledger.reserve(amount_usd=0.30, budget_usd=0.50, model=MODEL, document_id="d1")
    assert first is not None and ledger.spent_today() == pytest.approx(0.30)
    # The open reservation counts: a second worst case does not fit beside it.
    assert ledger.reserve(amount_usd=0.30, budget_usd=0.50, model=MODEL, document_id="d2") is None

    ledger.settle(first, input_tokens=2500, output_tokens=700, cost_usd=0.018)
    assert ledger.spent_today() == pytest.approx(0.018)
    second = ledger.reserve(amount_usd=0.30, budget_usd=0.50, model=MODEL, document_id="d2")
    assert second is not None
    ledger.settle(second, input_tokens=0, output_tokens=0, cost_usd=0.0)  # failed before billing
    assert ledger.spent_today() == pytest.approx(0.018)


def test_two_threads_admit_exactly_what_fits(ledger: SpendLedger) -> None:
    barrier = threading.Barrier(2)

    def worker(_: int) -> tuple[int, float]:
        barrier.wait()
        return race(ledger)

    with ThreadPoolExecutor(2) as pool:
        admitted, peaks = zip(*pool.map(worker, range(2)), strict=True)
    assert sum(admitted) == FITS
    assert max(peaks) <= CAP + 1e-9
    assert ledger.spent_today() == pytest.approx(CAP)


def _reserve_in_process(path: Path, barrier, results) -> None:  # type: ignore[no-untyped-def]
    ledger = SqliteLedger(path)
    barrier.wait()
    results.put(race(ledger))


def test_two_processes_never_pass_the_cap_on_one_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "spend.sqlite"
    SqliteLedger(path)  # the schema, before the race
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(2), spawn.Queue()
    workers = [
        spawn.Process(target=_reserve_in_process, args=(path, barrier, results)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    admitted, peaks = zip(*(results.get(timeout=60) for _ in workers), strict=True)
    for worker in workers:
        worker.join(timeout=30)
    assert sum(admitted) == FITS
    assert max(peaks) <= CAP + 1e-9
    assert SqliteLedger(path).spent_today() == pytest.approx(CAP)
