"""The store and its alembic migration, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from inference.settings import Settings
from inference.store import status as st
from inference.store.database import alembic_config
from inference.store.repository import Store
from inference.store.tables import Document

DOC = "ab" * 32


def new_doc(store: Store, document_id: str = DOC) -> tuple[Document, bool]:
    return store.get_or_create_document(
        document_id, filename="t.png", content_type="image/png", size=10,
        object_key=f"originals/{document_id[:2]}/{document_id}",
    )


def test_migration_creates_the_schema_and_is_idempotent(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    store.migrate()  # every start runs it again
    tables = set(inspect(store.engine).get_table_names())
    assert {"documents", "extractions", "labels", "claude_usage", "alembic_version"} <= tables
    with store.engine.connect() as connection:
        # The newest revision (several helpers add revisions; the chain must end in one head).
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            ScriptDirectory.from_config(alembic_config()).get_current_head()
        )
    assert "uploader" in {c["name"] for c in inspect(store.engine).get_columns("documents")}
    store.downgrade("0002_uploader")  # the review columns go, the rows stay
    assert "review_claimed_by" not in {
        c["name"] for c in inspect(store.engine).get_columns("documents")}
    assert "diff" not in {c["name"] for c in inspect(store.engine).get_columns("labels")}
    store.downgrade("0001_initial")  # one step back: the column goes, the rows stay
    assert "uploader" not in {c["name"] for c in inspect(store.engine).get_columns("documents")}
    store.downgrade("base")  # the downgrade works too
    assert "documents" not in inspect(store.engine).get_table_names()
    store.migrate()
    assert "documents" in inspect(store.engine).get_table_names()
    store.dispose()


def test_alembic_cli_config_points_at_the_migrations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config

    from inference.settings import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'cli.db'}")
    command.upgrade(config, "head")
    store = Store(f"sqlite:///{tmp_path / 'cli.db'}")
    assert "labels" in inspect(store.engine).get_table_names()
    store.dispose()


def test_insert_or_get_has_exactly_one_winner(store: Store) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def racer() -> None:
        barrier.wait()
        results.append(new_doc(store)[1])

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    document = store.get_document_row(DOC)
    assert document is not None and document.status == st.PROCESSING


def test_claim_rules(store: Store) -> None:
    new_doc(store)
    # A live claim cannot be taken over...
    assert not store.claim(DOC, lease_s=600)
    # ...an abandoned one can, by exactly one caller.
    assert store.claim(DOC, lease_s=0)
    # A crash can be retried; a refused document cannot (the refusal is final).
    store.fail(DOC, code=st.INTERNAL_ERROR, detail="boom")
    wins = [store.claim(DOC, lease_s=600) for _ in range(3)]
    assert wins == [True, False, False]
    store.fail(DOC, code="encrypted_pdf", detail="locked")
    assert not store.claim(DOC, lease_s=0)
    document = store.get_document_row(DOC)
    assert document.status == st.FAILED and document.attempts == 3


def test_attempts_are_bounded(store: Store) -> None:
    new_doc(store)
    for _ in range(2):
        store.fail(DOC, code=st.INTERNAL_ERROR, detail="boom")
        assert store.claim(DOC, lease_s=600, max_attempts=3)
    store.fail(DOC, code=st.INTERNAL_ERROR, detail="boom")
    assert not store.claim(DOC, lease_s=600, max_attempts=3)


def test_history_is_kept(store: Store) -> None:
    new_doc(store)
    store.fail(DOC, code=st.INTERNAL_ERROR, detail="first try crashed")
    store.claim(DOC, lease_s=600)
    first = store.finish(
        DOC, status=st.AWAITING_REVIEW, result={"timeblocks": [], "tier": "classical"},
        tier="classical", confidence=0.5, route_reason="below review threshold",
        model_versions={"ocr": "3"}, timings={"total": 1.5}, latency_s=1.5, cost_usd=0.0,
    )
    store.add_label(DOC, {"teacher": "A"}, source=st.GOLD, author="ann",
                    corrects_extraction_id=first.id)
    store.add_label(DOC, {"teacher": "B"}, source=st.GOLD, author="bob",
                    corrects_extraction_id=first.id)
    view = store.get_document(DOC)
    assert [e.status for e in view.extractions] == [st.FAILED, st.AWAITING_REVIEW]
    assert view.latest_result.model_versions == {"ocr": "3"}
    assert view.latest_result.timings == {"total": 1.5}
    assert [label.author for label in view.labels] == ["ann", "bob"]
    assert view.latest_gold.timetable == {"teacher": "B"}
    assert view.document.created_at.tzinfo is not None


def test_corrections_since_after_and_source(store: Store) -> None:
    new_doc(store)
    gold = store.add_label(DOC, {"n": 1}, source=st.GOLD, author="ann")
    silver = store.add_label(DOC, {"n": 2}, source=st.SILVER, author="claude-sonnet-4-6",
                             cost_usd=0.012)
    everything = store.corrections_since(None)
    assert [label.id for label, _ in everything] == [gold.id, silver.id]
    assert everything[0][1].object_key.endswith(DOC)
    assert [lb.id for lb, _ in store.corrections_since(gold.created_at - timedelta(seconds=1))
            ] == [gold.id, silver.id]
    future = datetime.now(UTC) + timedelta(days=1)
    assert store.corrections_since(future) == []
    assert [lb.id for lb, _ in store.corrections_since(after_id=gold.id)] == [silver.id]
    assert [lb.source for lb, _ in store.corrections_since(source=st.SILVER)] == [st.SILVER]
    assert len(store.corrections_since(limit=1)) == 1
    with pytest.raises(ValueError):
        store.add_label(DOC, {}, source="bronze", author="x")


def test_spend_ledger(store: Store) -> None:
    assert store.spent_today() == 0.0
    store.record(model="claude-sonnet-4-6", input_tokens=1200, output_tokens=300,
                 cost_usd=0.0081, document_id=DOC)
    store.record_usage(model="claude-sonnet-4-6", input_tokens=10, output_tokens=10,
                       cost_usd=0.5, day=date(2020, 1, 1))
    assert store.spent_today() == pytest.approx(0.0081)
    assert store.spent_on(date(2020, 1, 1)) == pytest.approx(0.5)
    assert store.spent_on(date(2020, 1, 2)) == 0.0


def test_from_settings_defaults_to_sqlite_under_the_data_dir(settings_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings_env.setenv("YOGI_DATA_DIR", str(tmp_path))
    store = Store.from_settings(Settings())
    assert store.url == f"sqlite:///{tmp_path / 'yogi.db'}"
    store.migrate()
    assert (tmp_path / "yogi.db").is_file()
    store.dispose()


# --- the spend cap as a reservation (issue 22): atomic across threads and processes ---------

AMOUNT, CAP, TRIES = 0.001, 0.10, 100  # two workers × 100 tries; the cap fits exactly 100


def race_for_the_cap(store: Store) -> tuple[int, float]:
    """Reserve `AMOUNT` `TRIES` times, settling each admitted call at its full amount: how many
    were admitted, and the highest spend seen right after an admission."""
    admitted, peak = 0, 0.0
    for _ in range(TRIES):
        reservation = store.reserve(amount_usd=AMOUNT, budget_usd=CAP, model="m", document_id=None)
        if reservation is not None:
            admitted += 1
            peak = max(peak, store.spent_today())
            store.settle(reservation, input_tokens=100, output_tokens=10, cost_usd=AMOUNT)
    return admitted, peak


def test_settle_replaces_the_reservation(store: Store) -> None:
    first = store.reserve(amount_usd=0.30, budget_usd=0.50, model="claude-sonnet-4-6",
                          document_id=DOC)
    assert first is not None and store.spent_today() == pytest.approx(0.30)
    assert store.reserve(amount_usd=0.30, budget_usd=0.50, model="m", document_id=None) is None
    store.settle(first, input_tokens=2500, output_tokens=700, cost_usd=0.018)
    assert store.spent_today() == pytest.approx(0.018)
    with store.engine.connect() as connection:
        row = connection.execute(text(
            "SELECT document_id, model, input_tokens, output_tokens, cost_usd FROM claude_usage"
        )).one()
    assert tuple(row) == (DOC, "claude-sonnet-4-6", 2500, 700, pytest.approx(0.018))


def test_threads_never_reserve_past_the_cap(store: Store) -> None:
    barrier = threading.Barrier(2)
    results: list[tuple[int, float]] = []

    def worker() -> None:
        barrier.wait()
        results.append(race_for_the_cap(store))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    admitted, peaks = zip(*results, strict=True)
    assert sum(admitted) == 100 and max(peaks) <= CAP + 1e-9
    assert store.spent_today() == pytest.approx(CAP)


def _race_in_process(url: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    store = Store(url)
    store.ping()  # connected before the race starts
    barrier.wait()
    results.put(race_for_the_cap(store))
    store.dispose()


def test_processes_never_reserve_past_the_cap(store: Store) -> None:
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(2), spawn.Queue()
    workers = [spawn.Process(target=_race_in_process, args=(store.url, barrier, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    admitted, peaks = zip(*(results.get(timeout=60) for _ in workers), strict=True)
    for worker in workers:
        worker.join(timeout=30)
    assert sum(admitted) == 100 and max(peaks) <= CAP + 1e-9
    assert store.spent_today() == pytest.approx(CAP)
