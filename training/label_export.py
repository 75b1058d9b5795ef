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

from serving import store as st
from serving.objects import ObjectStore

Source = Literal["gold", "silver", "all"]
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tiff",
              "image/bmp": ".bmp", "image/webp": ".webp", "application/pdf": ".pdf"}
PAGE = 500


def all_labels(store: st.Store, source: Source) -> Iterator[tuple[st.Label, st.Document]]:
    """Every label of `source` with its document, oldest first."""
    after: int | None = None
    while True:
        rows = store.corrections_since(after_id=after, source=None if source == "all" else source,
                                       limit=PAGE)
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0].id


def chosen_labels(rows: list[tuple[st.Label, st.Document]]) -> dict[str, tuple[st.Label,
                                                                               st.Document]]:
    """Document id → its label for training: gold beats silver, newer beats older."""
    chosen: dict[str, tuple[st.Label, st.Document]] = {}
    for label, document in rows:  # oldest first, so a later one of the same rank wins
        current = chosen.get(document.id)
        if current is None or label.source == st.GOLD or current[0].source == st.SILVER:
            chosen[document.id] = (label, document)
    return chosen


def export_labels(store: st.Store, objects: ObjectStore, source: Source, out: Path) -> dict:
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
        })
    manifest = {"source": source, "documents": documents,
                "counts": {kind: sum(d["source"] == kind for d in documents)
                           for kind in (st.GOLD, st.SILVER)}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest
