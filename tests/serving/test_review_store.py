"""The review queue, claims and version-checked gold labels in the store
(`inference/store/review.py`), and the label diff (`inference/store/diff.py`), on SQLite and on
PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest

from inference.store import status as st
from inference.store.diff import label_diff
from inference.store.repository import Store
from inference.store.review import ClaimedByOther, QueueCursor, StaleVersion


def doc_id(n: int) -> str:
    return f"{n:064x}"


def answer(*names: str, confidence: float = 0.5) -> dict:
    return {"teacher": "Mr Joynes", "className": None, "term": None, "year": None,
            "timeblocks": [{"day": "Monday", "name": name, "startTime": f"{9 + i:02d}:00",
                            "endTime": f"{10 + i:02d}:00", "notes": None,
                            "confidence": confidence,
                            "sourceBox": {"x0": 10.0, "y0": 100.0 * i, "x1": 90.0,
                                          "y1": 100.0 * i + 90}}
                           for i, name in enumerate(names)],
            "confidence": confidence, "tier": "document-model"}


def uploaded(store: Store, n: int, confidence: float | None, status: str = st.AWAITING_REVIEW
             ) -> str:
    """A document whose extraction ended with `confidence` and `status`."""
    document_id = doc_id(n)
    store.get_or_create_document(document_id, filename=f"{n}.png", content_type="image/png",
                                 size=1, object_key=f"originals/{document_id}")
    store.finish(document_id, status=status, result=answer("Maths"), tier="document-model",
                 confidence=confidence, route_reason="low_confidence", model_versions={},
                 timings={}, latency_s=1.0, cost_usd=0.0)
    return document_id


def walk(store: Store, limit: int, **filters: object) -> list[str]:
    """Every document of the queue, page by page."""
    seen, cursor = [], None
    while True:
        page = store.review_queue(limit=limit, after=cursor, **filters)  # type: ignore[arg-type]
        seen += [entry.document.id for entry in page]
        if len(page) < limit:
            return seen
        cursor = QueueCursor.decode(page[-1].cursor.encode())


def test_the_queue_is_most_uncertain_first_then_oldest_and_pages_cleanly(store: Store) -> None:
    a = uploaded(store, 1, 0.5)
    b = uploaded(store, 2, 0.2)
    c = uploaded(store, 3, 0.5)  # as uncertain as `a`, but newer
    d = uploaded(store, 4, 0.9)
    e = uploaded(store, 5, None)  # no confidence at all: the most uncertain
    uploaded(store, 6, 0.1, status=st.DONE)  # accepted: not in the queue
    failed = doc_id(7)
    store.get_or_create_document(failed, filename=None, content_type="image/png", size=1,
                                 object_key="k")
    store.fail(failed, code="corrupt", detail="bad")
    expected = [e, b, a, c, d]
    assert [entry.document.id for entry in store.review_queue(limit=10)] == expected
    for limit in (1, 2, 3):
        assert walk(store, limit) == expected
    # A document added behind the cursor does not shift the pages already read.
    first = store.review_queue(limit=2)
    uploaded(store, 8, 0.05)
    rest = store.review_queue(limit=10, after=first[-1].cursor)
    assert [entry.document.id for entry in rest] == [a, c, d]


def test_a_cursor_is_opaque_and_checked() -> None:
    for garbage in ("", "abc", "W1td", "WyJ4IiwgMSwgMl0"):
        with pytest.raises(ValueError):
            QueueCursor.decode(garbage)


def test_claims_exclude_others_extend_expire_and_release(store: Store) -> None:
    document_id = uploaded(store, 1, 0.3)
    other = uploaded(store, 2, 0.4)
    first = store.claim_review(document_id, "ann", lease_s=60)
    assert first.granted and first.reviewer == "ann"
    refused = store.claim_review(document_id, "bob", lease_s=60)
    assert not refused.granted and refused.reviewer == "ann"
    assert refused.expires_at == first.expires_at
    again = store.claim_review(document_id, "ann", lease_s=120)  # the same reviewer extends
    assert again.granted and again.expires_at > first.expires_at
    # The queue still lists it, with its holder; bob may ask for the free ones only.
    assert walk(store, 5) == [document_id, other]
    assert walk(store, 5, only_free=True, free_for="bob") == [other]
    assert walk(store, 5, only_free=True, free_for="ann") == [document_id, other]
    assert not store.release_review(document_id, "bob")  # not bob's to release
    assert store.release_review(document_id, "ann")
    assert store.claim_review(document_id, "bob", lease_s=0.2).granted
    time.sleep(0.4)  # bob's lease runs out
    assert walk(store, 5, only_free=True, free_for="cy") == [document_id, other]
    assert store.claim_review(document_id, "cy", lease_s=60).granted


def test_one_of_many_simultaneous_claims_wins(store: Store) -> None:
    document_id = uploaded(store, 1, 0.3)
    results = []
    barrier = threading.Barrier(6)

    def claim(name: str) -> None:
        barrier.wait()
        results.append(store.claim_review(document_id, name, lease_s=60))

    threads = [threading.Thread(target=claim, args=(f"r{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if r.granted]
    assert len(winners) == 1
    assert {r.reviewer for r in results} == {winners[0].reviewer}


def test_a_gold_label_needs_the_current_version_and_no_other_holder(store: Store) -> None:
    document_id = uploaded(store, 1, 0.3)
    view = store.get_document(document_id)
    assert view is not None and view.version == f"e{view.latest_result.id}"
    seen = view.version
    corrected = answer("Maths", "Music")
    diff = label_diff(view.latest_result.result, corrected)

    store.claim_review(document_id, "bob", lease_s=60)
    with pytest.raises(ClaimedByOther) as held:
        store.add_gold_label(document_id, corrected, author="ann", corrects_extraction_id=None,
                             diff=diff, made_on=lambda current: current == seen)
    assert held.value.reviewer == "bob"
    with pytest.raises(StaleVersion) as stale:
        store.add_gold_label(document_id, corrected, author="bob", corrects_extraction_id=None,
                             diff=diff, made_on=lambda current: current == "e999")
    assert stale.value.current == seen

    label = store.add_gold_label(document_id, corrected, author="bob",
                                 corrects_extraction_id=view.latest_result.id, diff=diff,
                                 made_on=lambda current: current == seen)
    after = store.get_document(document_id)
    assert after.version == f"l{label.id}" and after.document.status == st.DONE
    assert after.document.review_claimed_by is None  # the author's claim ended
    assert after.labels[-1].diff == diff
    assert walk(store, 5) == []  # out of the queue
    with pytest.raises(StaleVersion):  # a second reviewer working from the old version
        store.add_gold_label(document_id, corrected, author="cy", corrects_extraction_id=None,
                             diff=diff, made_on=lambda current: current == seen)


def test_simultaneous_corrections_of_one_version_store_one(store: Store) -> None:
    document_id = uploaded(store, 1, 0.3)
    seen = store.get_document(document_id).version
    outcomes: list[str] = []
    barrier = threading.Barrier(5)

    def correct(name: str) -> None:
        barrier.wait()
        try:
            store.add_gold_label(document_id, answer(name), author=name,
                                 corrects_extraction_id=None, diff=None,
                                 made_on=lambda current: current == seen)
            outcomes.append("stored")
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=correct, args=(f"r{i}",)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["stale"] * 4 + ["stored"]
    assert len(store.get_document(document_id).labels) == 1


def test_the_diff_names_what_the_reviewer_changed() -> None:
    model = answer("Maths", "Speling", "Assembly")
    gold = answer("Maths", "Spelling", "Assembly")
    gold["teacher"] = "Mr. Joynes"
    gold["year"] = 2024
    del gold["timeblocks"][2]  # not a lesson
    gold["timeblocks"].append({"day": "Friday", "name": "PE", "startTime": "13:00",
                               "endTime": "14:00", "notes": None})
    gold["timeblocks"][0]["confidence"] = None  # a reviewer's block carries no model score
    diff = label_diff(model, gold)
    assert diff["header"] == {"teacher": {"from": "Mr Joynes", "to": "Mr. Joynes"},
                              "year": {"from": None, "to": 2024}}
    assert diff["changed"] == [{
        "block": {"day": "Monday", "name": "Speling", "startTime": "10:00",
                  "endTime": "11:00", "notes": None},
        "changes": {"name": {"from": "Speling", "to": "Spelling"}}}]
    assert [b["name"] for b in diff["removed"]] == ["Assembly"]
    assert [b["name"] for b in diff["added"]] == ["PE"]
    assert diff["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1,
                              "header": 2}
    # A block moved to another slot is one change (paired by its box), not a remove + add.
    moved = answer("Maths")
    moved["timeblocks"][0]["startTime"] = "09:15"
    assert label_diff(answer("Maths"), moved)["counts"]["changed"] == 1
    assert label_diff(None, gold)["counts"]["added"] == 3
