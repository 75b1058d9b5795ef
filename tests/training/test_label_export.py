"""Which label a document contributes to a training export."""

from __future__ import annotations

from types import SimpleNamespace

from training.label_export import chosen_labels


def test_gold_beats_silver_and_newer_beats_older() -> None:
    def row(label_id: int, document: str, source: str):  # type: ignore[no-untyped-def]
        return SimpleNamespace(id=label_id, source=source), SimpleNamespace(id=document)

    rows = [row(1, "a", "silver"), row(2, "a", "gold"), row(3, "a", "silver"),  # gold stays
            row(4, "b", "silver"), row(5, "b", "silver"),  # the newer silver
            row(6, "c", "gold"), row(7, "c", "gold")]  # the newer gold
    chosen = chosen_labels(rows)  # type: ignore[arg-type]
    assert {doc: label.id for doc, (label, _) in chosen.items()} == {"a": 2, "b": 5, "c": 7}
