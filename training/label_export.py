"""The store's labels → a training set on disk (`yogi data labels`).

The layout is the synthetic sets' own (`labels/<id>.json` contract labels, `pages/<id>.<ext>`
the originals), so `yogi eval OUT/pages OUT/labels`, `yogi calibrate --data OUT` and the
training jobs read it as they read a generated set. One label per document: the newest gold
(a reviewer's) when there is one and gold is asked for, else the newest silver (an accepted
Claude answer). `manifest.json` says where each label came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from inference.store.objects import ObjectStore
from inference.store.repository import Store
from inference.store.status import GOLD, SILVER
from inference.store.tables import Document, Label

Source = Literal["gold", "silver", "all"]
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tiff",
              "image/bmp": ".bmp", "image/webp": ".webp", "application/pdf": ".pdf"}
PAGE = 500


def all_labels(store: Store, source: Source) -> Iterator[tuple[Label, Document]]:
    """Every label of `source` with its document, oldest first."""
    after: int | None = None
    while True:
        rows = store.corrections_since(after_id=after, source=None if source == "all" else source,
                                       limit=PAGE)
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0].id


def chosen_labels(rows: list[tuple[Label, Document]]) -> dict[str, tuple[Label, Document]]:
    """Document id → its label for training: gold beats silver, newer beats older."""
    chosen: dict[str, tuple[Label, Document]] = {}
    for label, document in rows:  # oldest first, so a later one of the same rank wins
        current = chosen.get(document.id)
        if current is None or label.source == GOLD or current[0].source == SILVER:
            chosen[document.id] = (label, document)
    return chosen


def export_labels(store: Store, objects: ObjectStore, source: Source, out: Path) -> dict:
    """Write the labels, their originals and `manifest.json` under `out`; returns the
    manifest."""
    chosen = chosen_labels(list(all_labels(store, source)))
    (out / "labels").mkdir(parents=True, exist_ok=True)
    (out / "pages").mkdir(parents=True, exist_ok=True)
    documents = []
    for document_id, (label, document) in sorted(chosen.items()):
        page = Path("pages") / f"{document_id}{EXTENSIONS.get(document.content_type, '')}"
        (out / page).write_bytes(objects.get(document.object_key))
        (out / "labels" / f"{document_id}.json").write_text(
            json.dumps(label.timetable, indent=1, ensure_ascii=False) + "\n")
        documents.append({
            "id": document_id, "source": label.source, "author": label.author,
            "labelId": label.id, "createdAt": label.created_at.isoformat(),
            "costUsd": label.cost_usd, "filename": document.filename, "page": str(page),
            "uploader": document.uploader,
        })
    manifest = {"source": source, "documents": documents,
                "counts": {kind: sum(d["source"] == kind for d in documents)
                           for kind in (GOLD, SILVER)}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest
