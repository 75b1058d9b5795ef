"""The learning loop's dataset: which side of the split each labelled upload lands on, and
what never reaches training."""

from __future__ import annotations

from training.pipeline.dataset import in_gate, real_documents


def exported(*entries: tuple[str, str]) -> dict:
    """A `label_export` manifest of (document id, gold|silver) pairs."""
    return {"documents": [{"id": i, "source": s} for i, s in entries]}


def test_a_documents_side_is_fixed_by_its_group_whatever_else_arrives() -> None:
    ids = [f"doc{k}" for k in range(200)]
    alone, _ = real_documents(exported(*[(i, "gold") for i in ids[:50]]), set(), 0.3, 0.5)
    more, _ = real_documents(exported(*[(i, "gold") for i in ids]), set(), 0.3, 0.5)
    side = {d.id: d.split for d in more}
    assert all(side[d.id] == d.split for d in alone)
    share = sum(d.split == "gate" for d in more) / len(more)
    assert 0.2 < share < 0.4  # about gate_share of the groups


def test_the_gate_scores_gold_only_and_silver_trains_at_its_weight() -> None:
    gate_id = next(f"doc{k}" for k in range(100) if in_gate(f"doc{k}", 0.3))
    train_id = next(f"doc{k}" for k in range(100) if not in_gate(f"doc{k}", 0.3))
    documents, excluded = real_documents(
        exported((gate_id, "silver"), (train_id, "silver")), set(), 0.3, 0.5)
    assert [(d.id, d.split, d.weight) for d in documents] == [(train_id, "train", 0.5)]
    assert "gate scores gold only" in excluded[gate_id]


def test_an_upload_of_a_dev_page_is_never_trained_on() -> None:
    documents, excluded = real_documents(exported(("abc", "gold"), ("def", "gold")), {"abc"},
                                         0.0, 0.5)
    assert [d.id for d in documents] == ["def"]
    assert "dev page" in excluded["abc"]


def test_every_page_of_one_uploader_lands_on_the_same_side() -> None:
    entries = [(f"doc{k}", "gold") for k in range(60)]
    manifest = exported(*entries)
    for k, entry in enumerate(manifest["documents"]):
        entry["uploader"] = f"school{k % 3}"
    documents, _ = real_documents(manifest, set(), 0.5, 0.5)
    sides = {}
    for document in documents:
        sides.setdefault(document.group, set()).add(document.split)
    assert set(sides) == {"uploader/school0", "uploader/school1", "uploader/school2"}
    assert all(len(split) == 1 for split in sides.values())
