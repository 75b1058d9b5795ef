"""The document tier: the pipeline's reading of each page → the document model → TimetableData.

Same reading stages as the classical tier (clean-up, OCR, structure); the model replaces the
hand-written assembly and heading rules. The registry's `champion` of `yogi-document` is what
serving loads (`load_champion`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from inference.document.decode import PageDecisions, decode_blocks_with_signals, decode_heading
from inference.document.features import PageReading, page_reading
from inference.document.runtime import PageModel, load_page_model
from inference.document.signals import BlockSignals, SignalledTimetable, with_rules
from inference.heading import Heading
from inference.schema import TimeBlock, TimetableData
from inference.validate import validate

if TYPE_CHECKING:
    from inference.settings import Settings
    from inference.trace import PageTrace

MODEL_NAME = "yogi-document"
RELEASE_ARTEFACT = "artifacts/release"  # inside the logged pyfunc (training/document/pyfunc.py)


def load_champion(alias: str = "champion", *, tracking_uri: str, cache_dir: Path,
                  threads: int = 0, runtime: str = "onnxruntime",
                  compiled: Path | None = None) -> tuple[PageModel, str]:
    """(model, registry version) of `models:/yogi-document@<alias>` in the registry at
    `tracking_uri` (artefacts cached under `cache_dir`; `threads`, `runtime` and `compiled`,
    where the runtime keeps what it compiles, for its ONNX graph)."""
    from inference.model_store import resolve_artefact

    resolved = resolve_artefact(MODEL_NAME, RELEASE_ARTEFACT, alias=alias,
                                tracking_uri=tracking_uri, cache_dir=cache_dir)
    return load_page_model(resolved.path, threads, runtime, compiled), resolved.version


@dataclass
class PageResult:
    blocks: list[TimeBlock]
    heading: Heading
    decisions: PageDecisions
    signals: list[BlockSignals] = dataclass_field(default_factory=list)  # one per block


def read_page(model: PageModel, reading: PageReading,
              logits: dict[str, np.ndarray] | None = None,
              rules: list[TimeBlock] | None = None) -> PageResult:
    """The model's blocks and heading for one page (`logits`: the model's, already computed
    for `reading`; `rules`: the classical rules' blocks of the same reading, which the block
    signals compare with)."""
    if not reading.lines:
        empty = np.zeros((0, 0))
        decisions = PageDecisions(empty, empty, empty, empty, empty)
        return PageResult([], Heading(), decisions)
    decisions = PageDecisions.from_logits(model.predict(reading) if logits is None else logits)
    heading = decode_heading(reading, decisions)
    blocks, signals = decode_blocks_with_signals(
        reading, decisions, teachers_own=heading.teacher is not None and heading.class_name is None)
    if rules is not None:
        signals = with_rules(blocks, signals, rules)
    return PageResult(blocks, heading, decisions, signals)


def _merge_headings(headings: list[Heading]) -> Heading:
    merged = Heading()
    for field in Heading.model_fields:
        values = [getattr(h, field) for h in headings if getattr(h, field) is not None]
        setattr(merged, field, values[0] if values else None)
    return merged


def page_confidence(result: PageResult) -> float:
    """Mean block confidence (role × day × start × end probabilities); 0 without blocks."""
    if not result.blocks:
        return 0.0
    return float(np.mean([b.confidence or 0.0 for b in result.blocks]))


def document_result(pages: list[PageResult], versions: dict[str, str]) -> SignalledTimetable:
    """The pages' timetable, each block's decoding signals beside it (never serialised)."""
    blocks = [b for page in pages for b in page.blocks]
    heading = _merge_headings([page.heading for page in pages])
    warnings = [f"page {k + 1}: no timetable found, skipped"
                for k, page in enumerate(pages) if not page.blocks]
    warnings.extend(validate(blocks))
    confidence = float(np.mean([page_confidence(p) for p in pages])) if pages else 0.0
    return SignalledTimetable.of(TimetableData(
        teacher=heading.teacher, class_name=heading.class_name, term=heading.term,
        year=heading.year, timeblocks=blocks, confidence=round(confidence, 4),
        tier="document-model", model_versions=versions, warnings=warnings,
    ), [s for page in pages for s in page.signals])


class DocumentTier:
    """The document model as a tier (`inference.tiers`): the registry's model under the
    settings' alias, loaded once."""

    def __init__(self, settings: Settings) -> None:
        self.model, self.version = load_champion(
            settings.document_alias, tracking_uri=settings.mlflow_tracking_uri,
            cache_dir=settings.model_cache_dir, threads=settings.model_threads,
            runtime=settings.onnx_runtime, compiled=settings.compiled_cache_dir)

    def read(self, traces: list[PageTrace]) -> TimetableData:
        pages = [read_page(self.model, page_reading(trace), rules=trace.assembly.blocks)
                 for trace in traces]
        return document_result(pages, {"document": self.version})
