"""`yogi dataset build`: the learning loop's versioned dataset, from the store's labels.

Three parts, each read once by the pipeline's own reading stages (`document/prepare.py`):
- **real**: every labelled upload, one label per document (a reviewer's correction beats a
  Claude answer, `label_export.py`); a silver page trains at `silver_weight`;
- **dev**: the labelled real pages of `gate_real_dir`, which only the gate reads;
- **replay**: synthetic pages of a fixed seed (cached once per machine), so a model fine-tuned
  on a few uploads does not forget the layouts it knew; a seeded share is held out for the gate.

The leakage guard: a real document's side (train or gate) is a hash of its group (its
uploader, as `POST /extract` names it; else the document alone), so every page of one
uploader stays on one side in every run, whatever else arrives; the gate scores gold only (a
silver page of a gate group is left out); a stored upload with the same bytes as a dev page
is never trained on. The manifest names every page, its side and weight, and a content hash
that is the dataset's version.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from inference.settings import Settings
from inference.store.objects import ObjectStore
from inference.store.repository import Store
from training.document.data import READING_FILE
from training.document.prepare import prepare
from training.features.dataset import attach_features
from training.label_export import export_labels

Part = Literal["real", "dev", "replay"]
Split = Literal["train", "gate"]
REPLAY_SEED = 7001  # not a seed any released model was trained or benchmarked on
REPLAY_HELD_OUT = 0.25


class DatasetDocument(BaseModel):
    id: str
    part: Part
    source: str  # gold | silver | dev | synthetic
    group: str
    split: Split
    weight: float


class DatasetManifest(BaseModel):
    version: str  # content hash of the labels, pages' ids, sides and weights
    created_at: str
    settings: dict[str, float | int | str]
    documents: list[DatasetDocument]
    excluded: dict[str, str]  # document id → why it is in neither side

    def weights(self, part: Part) -> dict[str, float]:
        return {d.id: d.weight for d in self.documents if d.part == part}

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.documents:
            key = f"{d.part}_{d.source}_{d.split}"
            out[key] = out.get(key, 0) + 1
        return out


def in_gate(group: str, share: float) -> bool:
    """The side of a group: a hash, so it never changes between runs."""
    return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) / 2**32 < share


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def real_documents(manifest: dict, dev_hashes: set[str], gate_share: float,
                   silver_weight: float) -> tuple[list[DatasetDocument], dict[str, str]]:
    """Sides and weights of the exported labels (`label_export` manifest), and what is left
    out and why. A document's group is its uploader (the document alone when none is known)."""
    documents, excluded = [], {}
    for entry in manifest["documents"]:
        document_id, source = entry["id"], entry["source"]
        if document_id in dev_hashes:  # the id is the sha256 of the uploaded bytes
            excluded[document_id] = "the same bytes as a dev page the gate scores"
            continue
        group = f"uploader/{entry['uploader']}" if entry.get("uploader") else document_id
        gate = in_gate(group, gate_share)
        if gate and source != "gold":
            excluded[document_id] = "a silver label in a gate group: the gate scores gold only"
            continue
        documents.append(DatasetDocument(
            id=document_id, part="real", source=source, group=group,
            split="gate" if gate else "train",
            weight=1.0 if source == "gold" else silver_weight))
    return documents, excluded


def _copy_dev(real_dir: Path, out: Path) -> list[DatasetDocument]:
    """The dev pages (images/, labels/) in a set's layout (pages/, labels/)."""
    (out / "pages").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    documents = []
    for label in sorted((real_dir / "labels").glob("*.json")):
        images = sorted((real_dir / "images").glob(f"{label.stem}.*"))
        if not images:
            continue
        shutil.copy2(images[0], out / "pages" / images[0].name)
        shutil.copy2(label, out / "labels" / label.name)
        documents.append(DatasetDocument(id=label.stem, part="dev", source="dev",
                                         group=f"dev/{label.stem}", split="gate", weight=1.0))
    return documents


def replay_set(settings: Settings, progress: Callable[[str], None]) -> Path:
    """The replay pages, generated and read once per machine (same seed, same pages)."""
    from training.synth.writer import synthesize

    folder = settings.data_dir / "replay" / f"seed{REPLAY_SEED}-n{settings.replay_pages}"
    if not (folder / "manifest.json").exists():
        progress(f"generating {settings.replay_pages} replay pages")
        synthesize(folder, settings.replay_pages, seed=REPLAY_SEED)
    progress("reading the replay pages")
    prepare(folder, folder / READING_FILE)
    return folder


def _replay_documents(folder: Path) -> list[DatasetDocument]:
    import numpy as np

    ids = sorted(p.stem for p in (folder / "labels").glob("*.json"))
    order = np.random.default_rng(REPLAY_SEED).permutation(len(ids))
    held = {ids[int(k)] for k in order[:round(REPLAY_HELD_OUT * len(ids))]}
    return [DatasetDocument(id=i, part="replay", source="synthetic", group=f"replay/{i}",
                            split="gate" if i in held else "train", weight=1.0) for i in ids]


def _version(out: Path, documents: list[DatasetDocument], settings: dict) -> str:
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for d in sorted(documents, key=lambda d: (d.part, d.id)):
        digest.update(d.model_dump_json().encode())
        if d.part != "replay":
            digest.update((out / d.part / "labels" / f"{d.id}.json").read_bytes())
    return digest.hexdigest()


def build_dataset(store: Store, objects: ObjectStore, settings: Settings, out: Path,
                  progress: Callable[[str], None] = lambda _: None) -> DatasetManifest:
    """Export, split, read and version the dataset into `out` (see the module)."""
    out.mkdir(parents=True, exist_ok=True)
    progress("exporting the store's labels")
    exported = export_labels(store, objects, "all", out / "real")
    dev_dir = settings.gate_real_dir
    dev_hashes = ({_sha256(p) for p in (dev_dir / "images").iterdir()}
                  if dev_dir and (dev_dir / "images").is_dir() else set())
    documents, excluded = real_documents(exported, dev_hashes, settings.gate_share,
                                         settings.silver_weight)
    for document_id in excluded:  # never read, so never trained on by accident
        for path in (out / "real").glob(f"*/{document_id}.*"):
            path.unlink()
    if dev_hashes:
        documents += _copy_dev(dev_dir, out / "dev")
    progress(f"reading {len(documents)} real pages")
    for part in ("real", "dev"):
        if (out / part / "pages").is_dir():
            prepare(out / part, out / part / READING_FILE)
    chosen = {"silver_weight": settings.silver_weight, "gate_share": settings.gate_share,
              "replay_pages": settings.replay_pages, "replay_seed": REPLAY_SEED,
              "gate_real_dir": str(dev_dir or "")}
    if settings.replay_pages:
        replay = replay_set(settings, progress)
        (out / "replay").unlink(missing_ok=True)
        (out / "replay").symlink_to(replay.resolve(), target_is_directory=True)
        documents += _replay_documents(replay)
    manifest = DatasetManifest(version=_version(out, documents, chosen),
                               created_at=datetime.now(UTC).isoformat(), settings=chosen,
                               documents=documents, excluded=excluded)
    (out / "manifest.json").write_text(manifest.model_dump_json(indent=1))
    # Point-in-time features of the real documents beside the manifest (issue 17).
    attach_features(exported, settings, out)
    return manifest


def read_manifest(folder: Path) -> DatasetManifest:
    return DatasetManifest.model_validate_json((folder / "manifest.json").read_text())


def log_dataset_input(manifest: DatasetManifest, folder: Path, context: str) -> None:
    """The dataset as an MLflow dataset input of the active run (name and digest = version)."""
    import mlflow
    import pandas as pd

    frame = pd.DataFrame([d.model_dump() for d in manifest.documents])
    dataset = mlflow.data.from_pandas(frame, source=str(folder.resolve()),
                                      name=f"yogi-loop-{manifest.version[:12]}",
                                      digest=manifest.version[:32])
    mlflow.log_input(dataset, context=context)
