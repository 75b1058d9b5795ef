"""Document bytes → TimetableData: the reading stages, then the document model or the rules.

Stages (one module each): loading → preprocess → ocr (+ time-axis repair) → structure (+ sheet
frame, column words, cell split; the README's stages table lists them all), then a tier
(`inference/tiers.py`: the document model, the default when the registry has a champion, or
the classical rules). `extract_page` returns a `PageTrace` with every intermediate result,
which the tiers, the debug drawings and the document model's reading use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import structlog

from inference.assembly import assemble
from inference.calendar import read_calendar
from inference.cellsplit import split_across_rulings
from inference.clockletters import read_clock_letters
from inference.columnwords import read_column_words
from inference.dayaxis import read_missing_days, repair_day_axes
from inference.dividers import split_divided_cells
from inference.linesplit import split_entry_lines, split_glued_ranges, split_run_together_days
from inference.loading import PageImage, load_pages, load_path, page_limits
from inference.ocr import OcrEngine, get_engine
from inference.periodlabels import read_missing_labels
from inference.preprocess import (
    clean_page,
    page_quarter_turns,
    quarter_turn_matrix,
    rotate_quarter,
)
from inference.respace import respace_heading
from inference.schema import OcrLine, Table, TimetableData
from inference.settings import Settings
from inference.sheetframe import read_sheet
from inference.stackedtimes import join_split_ranges, join_stacked_ranges
from inference.standingwords import join_standing_pieces
from inference.structure import (
    assign_lines,
    cover_gaps,
    find_tables,
    split_crowded_cells,
    text_table,
)
from inference.textcut import join_cells_cut_by_text
from inference.tiers import read_document
from inference.timeaxis import repair_time_axes
from inference.timeparse import find_times, parse_day
from inference.trace import PageTrace
from inference.twolines import split_two_line_boxes

log = structlog.get_logger(__name__)


def _vertical_share(lines: list[OcrLine]) -> float:
    long_lines = [line for line in lines if len(line.text) >= 4]
    if not long_lines:
        return 0.0
    return sum(line.angle != 0 for line in long_lines) / len(long_lines)


def _upright_score(lines: list[OcrLine]) -> float:
    return sum(line.score * len(line.text) for line in lines if line.angle == 0)


# Share of long lines running vertically: below CLEARLY_FLAT a reading lies flat beyond doubt;
# below MOSTLY_FLAT it may (a page with rotated day and cell text both ways sits near 0.5).
CLEARLY_FLAT = 0.3
MOSTLY_FLAT = 0.6


def _read_upright(image: np.ndarray, engine: OcrEngine) -> tuple[np.ndarray, list[OcrLine], int]:
    """OCR the page turned the quarter that reads best, reading as few turns as that takes
    (each at most once). The orientation classifier's proposed turn is taken at once when it
    leaves the text clearly flat. Otherwise the page as it came is read too: when it mostly
    lies flat it competes with the proposal on the upright text they read (the classifier sees
    only the page's centre, and a page of rotated cells misleads it); when it mostly stands,
    both quarter turns compete. A reading whose flat lines mostly read turned over
    (`engine.upside_down`) is of a page upside down: it is read again turned half round."""
    reads: dict[int, tuple[np.ndarray, list[OcrLine]]] = {}
    upside_down: set[int] = set()

    def read(turns: int) -> list[OcrLine]:
        if turns not in reads:
            turned = rotate_quarter(image, turns) if turns else image
            reads[turns] = (turned, engine.read_page(turned))
            if engine.upside_down:
                upside_down.add(turns)
        return reads[turns][1]

    def turned_over(turns: int) -> tuple[np.ndarray, list[OcrLine], int]:
        # Most flat lines read turned over: the page lies upside down, and its lines, each
        # read the right way up, stand where it puts them (days at the right, bottom up).
        if turns in upside_down:
            turns = (turns + 2) % 4
            read(turns)
        return (*reads[turns], turns)

    proposed = page_quarter_turns(image)
    if proposed and _vertical_share(read(proposed)) < CLEARLY_FLAT:
        return turned_over(proposed)
    if _vertical_share(read(0)) >= MOSTLY_FLAT:
        candidates = [0, 1, 3]
    elif proposed and _vertical_share(read(proposed)) < MOSTLY_FLAT:
        candidates = [0, proposed]
    else:
        candidates = [0]
    best = max(candidates, key=lambda turns: _upright_score(read(turns)))  # ties: fewer turns
    return turned_over(best)


def heading_above_headers(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines above the first day name or time on the page."""
    header_tops = [
        line.box.y0 for line in lines if parse_day(line.text) or find_times(line.text)
    ]
    top = min(header_tops, default=0.0)
    return [line for line in lines if line.box.y1 <= top]


def _days_on_a_band(tables: list[Table], outside: list[OcrLine]) -> bool:
    """Day names in no cell at a ruled table's top edge, within its width: the table's header
    row on a band (white on a dark fill) whose cells the rules did not find."""
    return any(parse_day(line.text) and table.box.x0 <= line.box.cx <= table.box.x1
               and abs(line.box.cy - table.box.y0) <= 2 * line.box.height
               for line in outside for table in tables)


def extract_page(image: np.ndarray, engine: OcrEngine) -> PageTrace:
    import time

    timings: dict[str, float] = {}
    t = time.perf_counter()
    image, transform = clean_page(image)
    timings["preprocess"] = time.perf_counter() - t
    t = time.perf_counter()
    height, width = image.shape[:2]
    image, lines, turns = _read_upright(image, engine)
    lines = join_standing_pieces(image, split_two_line_boxes(image, lines, engine), engine)
    lines = join_split_ranges(split_glued_ranges(split_run_together_days(
        read_clock_letters(lines))), image)
    lines = join_stacked_ranges(repair_time_axes(split_entry_lines(lines)))
    lines = read_missing_days(image, repair_day_axes(lines), engine)
    lines = respace_heading(image, lines, heading_above_headers(lines), engine)
    transform = quarter_turn_matrix(width, height, turns) @ transform
    timings["ocr"] = time.perf_counter() - t
    t = time.perf_counter()
    tables = find_tables(image)
    lines, tables = read_sheet(lines, tables)
    tables, scale = read_calendar(image, lines, tables)
    lines = read_column_words(image, tables, lines, engine)
    lines = split_across_rulings(image, tables, lines, engine)
    lines = read_missing_labels(image, tables, lines, engine)
    join_cells_cut_by_text(image, tables, lines)
    cover_gaps(tables, lines)
    outside = assign_lines(tables, lines)
    tables = [split_divided_cells(image, split_crowded_cells(table, lines)) for table in tables]
    timings["structure"] = time.perf_counter() - t
    t = time.perf_counter()
    assembly = assemble(tables, outside)
    if not assembly.blocks and scale is None and not (_days_on_a_band(tables, outside)
                                    and len(outside) * 2 < len(lines)):
        # No ruled timetable: read the page's text alignment as an unruled table; the text
        # above its first day or time header is the heading. Ruled cells holding most of the
        # text, under a band of day names whose cells were not found, are the timetable even
        # where the rules make nothing of them: the document model reads them.
        fallback = text_table(lines, image)
        if fallback is not None:
            tables = [fallback]
            assembly = assemble(tables, heading_above_headers(lines))
    timings["assembly"] = time.perf_counter() - t
    return PageTrace(image, lines, tables, assembly, turns, transform, timings, scale)


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
    pages = load_pages(data, **page_limits(settings))
    return extract_pages(pages, ocr, tier, settings=settings)[0]


def extract_file(
    path: str | Path, ocr: str | None = None, tier: str | None = None, *, settings: Settings
) -> tuple[TimetableData, list[PageTrace]]:
    pages = load_path(path, **page_limits(settings))
    return extract_pages(pages, ocr, tier, settings=settings)
