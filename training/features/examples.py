"""Feature examples: every labelled page of a set read by the tier once, kept as its
`DocumentReading` (what the cascade pushes), whether the tier's answer was fully right (the
calibration target) and the share of blocks a reviewer would have changed. The tier's reading is
the slow part (seconds of CPU per page), so a set's examples are cached under the data dir by
the set's folder and the model versions.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import structlog
from pydantic import BaseModel
from rich.progress import Progress

from inference.features.history import changed_share
from inference.features.reading import DocumentReading, document_reading
from inference.schema import TimetableData
from inference.settings import Settings
from training.calibration.examples import document_files, fully_right

log = structlog.get_logger(__name__)


class FeatureExample(BaseModel):
    id: str  # the page's file stem in its set
    uploader: str  # the account the page stands for (one per set: a school's layouts)
    reading: DocumentReading
    fully_right: bool
    changed_share: float


def cache_path(data: Path, settings: Settings) -> Path:
    key = hashlib.sha256(f"{data.resolve()}|{settings.ocr_engine}|{settings.tier}".encode())
    return settings.data_dir / "feature-examples" / f"{key.hexdigest()[:16]}.jsonl"


def read_examples(data: Path, uploader: str, settings: Settings,
                  progress: Progress | None = None) -> list[FeatureExample]:
    """The set's labelled pages as feature examples, oldest (by file name) first."""
    from inference.loading import load_path
    from inference.pipeline import extract_pages

    cache = cache_path(data, settings)
    cached = {}
    if cache.is_file():
        for line in cache.read_text().splitlines():
            example = FeatureExample.model_validate_json(line)
            cached[example.id] = example
    labels = {p.stem: p for p in sorted((data / "labels").glob("*.json"))}
    documents = {k: v for k, v in document_files(data).items() if k in labels}
    task = progress.add_task(f"reading {data.name}", total=len(documents)) if progress else None
    examples = []
    cache.parent.mkdir(parents=True, exist_ok=True)
    for stem, path in documents.items():
        if stem not in cached:
            gold = TimetableData.model_validate_json(labels[stem].read_text())
            result, traces = extract_pages(load_path(path), settings=settings)
            document_id = hashlib.sha256(path.read_bytes()).hexdigest()
            cached[stem] = FeatureExample(
                id=stem, uploader=uploader,
                reading=document_reading(document_id, result, result.confidence, traces,
                                         uploader),
                fully_right=fully_right(result, gold), changed_share=changed_share(result, gold))
            with cache.open("a") as out:
                out.write(cached[stem].model_dump_json() + "\n")
        examples.append(cached[stem].model_copy(update={"uploader": uploader}))
        if progress and task is not None:
            progress.advance(task)
    log.info("features.examples", data=str(data), pages=len(examples),
             fully_right=sum(e.fully_right for e in examples))
    return examples


def model_versions(examples: list[FeatureExample]) -> dict[str, str]:
    versions = {e.reading.model_versions for e in examples}
    if len(versions) != 1:
        raise ValueError(f"the examples mix model versions {sorted(versions)}")
    return json.loads(versions.pop())
