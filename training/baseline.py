"""`yogi bench baseline`: the off-the-shelf baseline every tier must beat, measured on a labelled
set of page images. It is what anyone would write in an afternoon: img2table 2.x finds the ruled
tables and their cells (no OCR of its own: its RapidOCR class wants the newer `rapidocr` package,
not the pinned `rapidocr-onnxruntime`), RapidOCR with its default settings reads the page once,
and each text line goes to the cell holding its centre. One generic rule then maps each grid to
time blocks: the first column (or, failing that, row) among the first three in which at least
two distinct days parse is the day axis; the row above the first day (or column left of it) with
the most times in it gives each column's time slot; every other non-empty cell on a day's line is
a block: first line the name (times stripped), the other lines its notes, from the start of the
first slot it covers to the end of the last, a time printed in the cell overriding them. A cell
spanning several days is one block per day. No heading fields, no per-page cases. It is a
benchmark, not a tier: nothing in `inference/` imports it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from inference.schema import TimeBlock, TimetableData
from inference.timeparse import find_times, parse_day, strip_times, to_hhmm

console = Console()
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
Slot = tuple[int, int | None]  # start, end in minutes


@dataclass(eq=False)
class Cell:
    """One table cell; a cell spanning several grid positions is the same object at each."""

    text: str = ""


Grid = list[list[Cell]]


# --- the generic mapping rule --------------------------------------------------------------------


def _day(cell: Cell) -> str | None:
    text = cell.text.strip()
    return (parse_day(text) or parse_day(text.split()[0])) if text else None


def grid_to_blocks(grid: Grid) -> list[TimeBlock]:
    """Time blocks of one table: days down a column (or, transposed, along a row)."""
    if not grid or not grid[0]:
        return []
    transposed = [list(column) for column in zip(*grid, strict=True)]
    for k in range(3):
        for g in (grid, transposed):
            if k < len(g[0]) and len({_day(row[k]) for row in g} - {None}) >= 2:
                return _days_down_column(g, k)
    return []


def _days_down_column(g: Grid, dc: int) -> list[TimeBlock]:
    day_rows = [(r, day) for r, row in enumerate(g) if (day := _day(row[dc]))]
    width = len(g[0])

    def times_in(r: int) -> int:
        return sum(bool(find_times(g[r][c].text)) for c in range(dc + 1, width))

    header = max(range(day_rows[0][0]), key=times_in, default=None)
    slots: dict[int, Slot] = {}
    if header is not None and times_in(header):
        for c in range(dc + 1, width):
            if times := find_times(g[header][c].text):
                slots[c] = (times[0].start, times[0].end)
    starts = sorted(slots)
    for this, following in zip(starts, starts[1:], strict=False):  # a lone start ends at the next
        if slots[this][1] is None:
            slots[this] = (slots[this][0], slots[following][0])
    blocks: list[TimeBlock] = []
    seen_by_day: dict[int, set[int]] = {}  # a day header over several grid lines is one day
    for r, day in day_rows:
        seen = seen_by_day.setdefault(id(g[r][dc]), {id(g[r][dc])})
        for c in range(dc + 1, width):
            cell = g[r][c]
            if id(cell) in seen:
                continue
            seen.add(id(cell))
            covered = [slots[k] for k in range(c, width) if g[r][k] is cell and k in slots]
            if block := _block(cell, day, covered):
                blocks.append(block)
    return blocks


def _block(cell: Cell, day: str, covered: list[Slot]) -> TimeBlock | None:
    lines = [text for line in cell.text.splitlines() if (text := strip_times(line))]
    if not lines:
        return None
    start = covered[0][0] if covered else None
    end = covered[-1][1] if covered else None
    if printed := find_times(cell.text):
        start, end = printed[0].start, printed[0].end if printed[0].end is not None else end
    return TimeBlock(day=day, name=lines[0], notes=" ".join(lines[1:]) or None,  # type: ignore[arg-type]
                     start_time=None if start is None else to_hhmm(start),
                     end_time=None if end is None else to_hhmm(end))


# --- reading a page: img2table cells + one RapidOCR pass ----------------------------------------


def _join(pieces: list[tuple[float, float, float, str]]) -> str:
    """OCR lines (cy, cx, height, text) of one cell as text: lines at about the same height
    joined left to right, lines below on lines of their own."""
    rows: list[list[tuple[float, float, float, str]]] = []
    for piece in sorted(pieces):
        if rows and abs(piece[0] - rows[-1][0][0]) < 0.5 * min(piece[2], rows[-1][0][2]):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return "\n".join(" ".join(p[3] for p in sorted(row, key=lambda p: p[1])) for row in rows)


def read_grids(path: Path, ocr: Any) -> list[Grid]:
    """Every ruled table img2table finds on the page, its cells filled with RapidOCR's lines."""
    from img2table.document import Image

    tables = Image(src=str(path)).extract_tables()
    result, _ = ocr(str(path))
    grids: list[Grid] = []
    cells: dict[tuple[int, int, int, int], Cell] = {}
    for table in tables:
        rows = [[cells.setdefault((c.bbox.x1, c.bbox.y1, c.bbox.x2, c.bbox.y2), Cell())
                 for c in row] for row in table.content.values()]
        width = max(len(row) for row in rows)
        grids.append([row + [Cell() for _ in range(width - len(row))] for row in rows])
    pieces: dict[tuple[int, int, int, int], list[tuple[float, float, float, str]]] = {}
    for quad, text, _score in result or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        key = next((k for k in cells if k[0] <= cx <= k[2] and k[1] <= cy <= k[3]), None)
        if key is not None and text.strip():
            pieces.setdefault(key, []).append((cy, cx, max(ys) - min(ys), text.strip()))
    for key, cell in cells.items():
        cell.text = _join(pieces.get(key, []))
    return grids


def predict(path: Path, ocr: Any) -> TimetableData:
    blocks = [block for grid in read_grids(path, ocr) for block in grid_to_blocks(grid)]
    return TimetableData(timeblocks=blocks, warnings=["baseline: img2table + RapidOCR"])


# --- the command ---------------------------------------------------------------------------------


def bench_baseline(
    images: Annotated[Path, typer.Argument(metavar="IMAGES_DIR",
                                           help="page images (png, jpg, tif, bmp, webp)")],
    labels: Annotated[Path, typer.Argument(metavar="LABELS_DIR",
                                           help="gold TimetableData JSON, one per image stem")],
    out: Annotated[Path, typer.Option()] = Path("bench/baseline.json"),
) -> None:
    """The off-the-shelf baseline (img2table tables + RapidOCR text + one generic grid rule)
    scored like every tier: strict F1, event F1, time accuracy per page and micro."""
    from importlib.metadata import version

    from inference.console import refuse
    from inference.evaluation import score_set

    for folder in (images, labels):
        if not folder.is_dir():
            raise refuse(f"{folder} is not a directory")
    pages = sorted(p for p in images.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not pages:
        raise refuse(f"no page images in {images}")
    labelled = [p for p in pages if (labels / f"{p.stem}.json").is_file()]
    if not labelled:
        raise refuse(f"none of the {len(pages)} images in {images} has a label in {labels}")
    for page in sorted(set(pages) - set(labelled)):
        console.print(f"[yellow]skipped {page.name}: no {page.stem}.json in {labels}[/yellow]")

    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR()
    pairs, seconds = {}, {}
    for page in labelled:
        gold = TimetableData.model_validate(json.loads((labels / f"{page.stem}.json").read_text()))
        began = time.perf_counter()
        pred = predict(page, ocr)
        seconds[page.stem] = time.perf_counter() - began
        pairs[page.stem] = (pred, gold)
    report = score_set(pairs).as_dict()
    for name, scores in report["documents"].items():
        scores["seconds"] = round(seconds[name], 3)
    report["secondsPerPage"] = round(sum(seconds.values()) / len(seconds), 3)
    report["versions"] = {p: version(p) for p in ("img2table", "rapidocr-onnxruntime")}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))

    table = Table("page", "strict F1", "event F1", "time acc", "pred", "gold", "s")
    for name, s in [*report["documents"].items(), ("micro", report["micro"])]:
        table.add_row(name, *("–" if s[k] is None else f"{s[k]:.3f}"
                              for k in ("strictF1", "eventF1", "timeAccuracy")),
                      str(s["predicted"]), str(s["gold"]),
                      f"{s['seconds']:.2f}" if "seconds" in s else "")
    console.print(table)
    console.print(f"mean strict F1 {report['meanStrictF1']:.3f}, "
                  f"{report['secondsPerPage']:.2f} s/page; saved {out}")
