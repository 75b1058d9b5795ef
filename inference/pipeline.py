"""Document bytes → TimetableData: the reading stages, then the document model or the rules.

Stages (one module each): loading → preprocess → ocr → structure, then either the document
model (`inference/document/`, the default when the registry has a champion) or the classical
rules (assembly → heading → validate). `extract_page` also returns a `PageTrace` with every
intermediate result, which the debug drawings and the document model's reading use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import structlog

from inference.assembly import Assembly, assemble, cell_text
from inference.heading import parse_heading
from inference.loading import PageImage, load_pages, load_path
from inference.ocr import OcrEngine, get_engine
from inference.preprocess import clean_page, quarter_turn_matrix, rotate_quarter, to_gray
from inference.schema import OcrLine, Table, TimetableData
from inference.settings import Settings
from inference.structure import assign_lines, find_tables, split_crowded_cells, text_table
from inference.timeparse import find_times, parse_day
from inference.validate import validate

log = structlog.get_logger(__name__)


@dataclass
class PageTrace:
    image: np.ndarray
    lines: list[OcrLine]
    tables: list[Table]
    assembly: Assembly
    quarter_turns: int = 0
    # Original page coordinates → `image` coordinates (flattening, deskew, quarter turns).
    transform: np.ndarray = field(default_factory=lambda: np.eye(3))
    timings: dict[str, float] = field(default_factory=dict)


def _vertical_share(lines: list[OcrLine]) -> float:
    long_lines = [line for line in lines if len(line.text) >= 4]
    if not long_lines:
        return 0.0
    return sum(line.angle != 0 for line in long_lines) / len(long_lines)


def _read_upright(image: np.ndarray, engine: OcrEngine) -> tuple[np.ndarray, list[OcrLine], int]:
    """OCR the page; when most text runs vertically the page itself is on its side, so try
    both quarter turns and keep the one that reads best."""
    lines = engine.read_page(image)
    if _vertical_share(lines) < 0.6:
        return image, lines, 0
    best = (image, lines, 0)
    best_score = sum(line.score * len(line.text) for line in lines if line.angle == 0)
    for turns in (1, 3):
        turned = rotate_quarter(image, turns)
        turned_lines = engine.read_page(turned)
        score = sum(line.score * len(line.text) for line in turned_lines if line.angle == 0)
        if score > best_score:
            best, best_score = (turned, turned_lines, turns), score
    return best


def heading_above_headers(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines above the first day name or time on the page."""
    header_tops = [
        line.box.y0 for line in lines if parse_day(line.text) or find_times(line.text)
    ]
    top = min(header_tops, default=0.0)
    return [line for line in lines if line.box.y1 <= top]


def extract_page(image: np.ndarray, engine: OcrEngine) -> PageTrace:
    import time

    timings: dict[str, float] = {}
    t = time.perf_counter()
    image, transform = clean_page(image)
    timings["preprocess"] = time.perf_counter() - t
    t = time.perf_counter()
    height, width = image.shape[:2]
    image, lines, turns = _read_upright(image, engine)
    transform = quarter_turn_matrix(width, height, turns) @ transform
    timings["ocr"] = time.perf_counter() - t
    t = time.perf_counter()
    tables = find_tables(to_gray(image))
    outside = assign_lines(tables, lines)
    tables = [split_crowded_cells(table) for table in tables]
    timings["structure"] = time.perf_counter() - t
    t = time.perf_counter()
    assembly = assemble(tables, outside)
    if not assembly.blocks:
        # No ruled timetable: read the page's text alignment as an unruled table; the text
        # above its first day or time header is the heading.
        fallback = text_table(lines)
        if fallback is not None:
            tables = [fallback]
            assembly = assemble(tables, heading_above_headers(lines))
    timings["assembly"] = time.perf_counter() - t
    return PageTrace(image, lines, tables, assembly, turns, transform, timings)


def _confidence(traces: list[PageTrace]) -> float:
    """A first honest estimate (calibration comes with the cascade): OCR certainty of the
    blocks, discounted for implied times, missing times and warnings."""
    blocks = [b for trace in traces for b in trace.assembly.blocks]
    if not blocks:
        return 0.0
    block_conf = float(np.mean([b.confidence or 0.0 for b in blocks]))
    timed = sum(b.start_time is not None and b.end_time is not None for b in blocks) / len(blocks)
    ruled = all(table.ruled for trace in traces for table in trace.tables)
    return round(block_conf * (0.5 + 0.5 * timed) * (1.0 if ruled else 0.7), 4)


def assemble_document(traces: list[PageTrace]) -> TimetableData:
    blocks = [b for trace in traces for b in trace.assembly.blocks]
    warnings = [w for trace in traces for w in trace.assembly.warnings]
    for index, trace in enumerate(traces):
        if not trace.assembly.blocks:
            warnings.append(f"page {index + 1}: no timetable found, skipped")
    heading_text = "\n".join(
        cell_text([line]) for trace in traces for line in trace.assembly.heading_lines
    )
    heading = parse_heading(heading_text)
    warnings.extend(validate(blocks))
    return TimetableData(
        teacher=heading.teacher,
        class_name=heading.class_name,
        term=heading.term,
        year=heading.year,
        timeblocks=blocks,
        confidence=_confidence(traces),
        tier="classical",
        model_versions={},
        warnings=warnings,
    )


def document_model(settings: Settings):
    """(model, registry version) of the document tier (`models:/yogi-document@champion`, or
    the alias in settings), or the `ModelUnavailable` saying why there is none."""
    return _document_model(settings.document_alias, settings.mlflow_tracking_uri,
                           settings.model_cache_dir)


@lru_cache(maxsize=2)
def _document_model(alias: str, tracking_uri: str, cache_dir: Path):
    """Looked up once per process and registry either way: without a champion, every
    extraction would otherwise query the registry again."""
    from inference.document.tier import load_champion
    from inference.model_store import ModelUnavailable

    try:
        return load_champion(alias, tracking_uri=tracking_uri, cache_dir=cache_dir)
    except ModelUnavailable as error:
        return error


def read_document(traces: list[PageTrace], settings: Settings, tier: str = "auto"
                  ) -> TimetableData:
    """The timetable from the pages' readings: the document model (`document`; `auto` when
    the registry has a champion) or the classical rules (`classical`)."""
    if tier == "classical":
        return assemble_document(traces)
    from inference.document.features import page_reading
    from inference.document.tier import document_result, read_page

    loaded = document_model(settings)
    if isinstance(loaded, Exception):
        if tier == "document":
            raise loaded
        # The normal state while the document model has not earned `champion`: not a warning.
        log.info("document model unavailable; classical rules", reason=str(loaded))
        return assemble_document(traces)
    model, version = loaded
    pages = [read_page(model, page_reading(trace)) for trace in traces]
    return document_result(pages, {"document": version})


def extract_pages(
    pages: list[PageImage], ocr: str | None = None, tier: str | None = None, *,
    settings: Settings,
) -> tuple[TimetableData, list[PageTrace]]:
    """The pages read by the OCR engine and tier named (the settings' when None)."""
    engine = get_engine(ocr or settings.ocr_engine, settings)
    traces = [extract_page(page.image, engine) for page in pages]
    result = read_document(traces, settings, tier or settings.tier)
    # Registry versions of the models that read the pages (`{"ocr": "3"}` for --ocr model).
    result.model_versions.update(getattr(engine, "model_versions", {}))
    log.info("extracted", pages=len(pages), blocks=len(result.timeblocks), ocr=engine.name,
             tier=result.tier)
    return result, traces


def extract_bytes(data: bytes, ocr: str | None = None, tier: str | None = None, *,
                  settings: Settings) -> TimetableData:
    pages = load_pages(data, max_megapixels=settings.max_megapixels, pdf_dpi=settings.pdf_dpi)
    return extract_pages(pages, ocr, tier, settings=settings)[0]


def extract_file(
    path: str | Path, ocr: str | None = None, tier: str | None = None, *, settings: Settings
) -> tuple[TimetableData, list[PageTrace]]:
    pages = load_path(path, max_megapixels=settings.max_megapixels, pdf_dpi=settings.pdf_dpi)
    return extract_pages(pages, ocr, tier, settings=settings)
