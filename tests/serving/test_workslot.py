"""The worker's slot and queue (serving/workslot.py) and the claims that survive a crash
(serving/claims.py), on their own: capacity, refusal, cancellation of queued work, heartbeat
and the recovery sweep over a real store."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from inference.store.repository import Store
from inference.store.status import ABANDONED, FAILED, PROCESSING
from inference.store.tables import Document, utcnow
from serving.claims import Heartbeat, Recovery
from serving.errors import ServingError
from serving.workslot import WorkCancelled, WorkSlot


def test_the_queue_holds_the_running_document_and_its_limit_then_refuses() -> None:
    slot = WorkSlot(queue_limit=1)
    released: list[str] = []
    with slot.admit(), slot.admit():
        with pytest.raises(ServingError) as refused, slot.admit(lambda: released.append("x")):
            pass
        assert slot.admitted == 2
    assert (refused.value.status, refused.value.code) == (503, "overloaded")
    assert int(refused.value.headers["Retry-After"]) >= 1
    assert released == ["x"] and slot.admitted == 0


def test_queued_work_whose_client_left_is_dropped() -> None:
    slot = WorkSlot(queue_limit=4)
    gone = threading.Event()
    outcome: list[str] = []

    def queued() -> None:
        try:
            with slot.turn(gone.is_set):
                outcome.append("ran")
        except WorkCancelled:
            outcome.append("dropped")

    with slot.turn():
        waiter = threading.Thread(target=queued)
        waiter.start()
        time.sleep(0.3)
        gone.set()
        waiter.join(timeout=2)
    assert outcome == ["dropped"]


def test_a_turn_measures_its_wait_and_the_slot_learns_the_time_per_document() -> None:
    slot = WorkSlot(queue_limit=4)
    turn = slot.turn()
    for _ in range(2):  # decode, then read: the same turn twice
        with turn:
            time.sleep(0.05)
    slot.record(turn)
    assert turn.held_s >= 0.1 and turn.waited_s < 0.1
    assert slot.mean_s < 3.0  # moved from its first guess towards 0.1 s


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'yogi.db'}")
    store.migrate()
    return store


def add(store: Store, document_id: str, *, seconds_ago: float, attempts: int = 1) -> None:
    store.get_or_create_document(document_id, filename=None, content_type="image/png",
                                 size=1, object_key=document_id)
    with store._session.begin() as session:
        session.execute(update(Document).where(Document.id == document_id).values(
            claimed_at=utcnow() - timedelta(seconds=seconds_ago), attempts=attempts))


def test_a_heartbeat_keeps_a_claim_fresh(store: Store) -> None:
    add(store, "a" * 64, seconds_ago=10)
    with Heartbeat(store, "a" * 64, lease_s=0.3):
        time.sleep(0.25)
        assert store.abandoned(lease_s=5) == []  # renewed within the last 0.1 s


def test_recovery_takes_over_only_abandoned_documents(store: Store) -> None:
    add(store, "a" * 64, seconds_ago=30)  # its worker died
    add(store, "b" * 64, seconds_ago=1)  # alive
    add(store, "c" * 64, seconds_ago=30, attempts=3)  # took three workers down
    extracted: list[str] = []
    taken = Recovery(store, lease_s=10, extract=extracted.append).sweep()
    assert taken == extracted == ["a" * 64]
    row = store.get_document_row("c" * 64)
    assert row is not None and (row.status, row.error_code) == (FAILED, ABANDONED)
    assert store.get_document_row("b" * 64).status == PROCESSING  # type: ignore[union-attr]
    # The document is claimed anew: a second sweep does not take it twice.
    assert Recovery(store, lease_s=10, extract=extracted.append).sweep() == []
