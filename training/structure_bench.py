"""`yogi bench structure`: table structure alone, the project's `inference.structure.find_tables`
(ruling lines → enclosed regions → cells with spans) against img2table 2.x (the detector of the
off-the-shelf baseline, `training/baseline.py`, with the same default settings), cell by cell on
generated pages whose true cells are known (`layout/<id>.json`). Both read the same raw page
image as captured, with no deskew, dewarp or cleaning, so the comparison is of the structure
step and nothing else: `find_tables` gets the colour page as the pipeline does (its rules are
dark strokes and the boundaries between fills), img2table reads the file. A predicted cell
matches a true one when their axis-aligned boxes overlap at IoU ≥ 0.5 (one to one, greedily by
IoU, all tables of a page pooled); the scores are cell precision, recall and F1, the recall of
merged cells (a row or column span above one), the recall of the cells whose four sides are
drawn (the only ones a ruling-based detector can find: an unruled layout has none, a partly
ruled grid only its header cells), and the tables found against the true ones. Counts are pooled
over pages (micro), overall and by capture kind, layout and ruling, and each detector's seconds
per page include reading the image. It is a benchmark: nothing in `inference/` imports it."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

console = Console()
IOU_MATCH = 0.5
DETECTORS = ("yogi", "img2table")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
BoxT = tuple[float, float, float, float]  # x0, y0, x1, y1
GRID_HEADER_ROLES = {"time", "day", "corner"}


# --- matching and scores ---------------------------------------------------------------------


def iou(a: BoxT, b: BoxT) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_cells(predicted: Sequence[BoxT], true: Sequence[BoxT],
                threshold: float = IOU_MATCH) -> dict[int, int]:
    """One-to-one matches {true index: predicted index}: pairs at IoU ≥ threshold taken greedily,
    highest IoU first."""
    pairs = sorted(((score, t, p) for t, tb in enumerate(true) for p, pb in enumerate(predicted)
                    if (score := iou(pb, tb)) >= threshold), reverse=True)
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _score, t, p in pairs:
        if t not in matched and p not in used:
            matched[t] = p
            used.add(p)
    return matched


@dataclass
class TrueCell:
    box: BoxT
    merged: bool  # rowSpan or colSpan above one
    ruled: bool  # all four sides drawn


@dataclass
class Counts:
    """Pooled counts of one detector over some pages."""

    pages: int = 0
    predicted: int = 0
    true: int = 0
    matched: int = 0
    merged_true: int = 0
    merged_matched: int = 0
    ruled_true: int = 0
    ruled_matched: int = 0
    tables_found: int = 0
    tables_true: int = 0
    table_count_right: int = 0  # pages whose number of tables is the true one
    seconds: float = 0.0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        def ratio(a: float, b: float) -> float | None:
            return round(a / b, 4) if b else None

        precision, recall = ratio(self.matched, self.predicted), ratio(self.matched, self.true)
        f1 = (round(2 * precision * recall / (precision + recall), 4)
              if precision and recall else 0.0 if self.true or self.predicted else None)
        return {
            "precision": precision, "recall": recall, "f1": f1,
            "mergedRecall": ratio(self.merged_matched, self.merged_true),
            "ruledRecall": ratio(self.ruled_matched, self.ruled_true),
            "cells": {"predicted": self.predicted, "true": self.true, "matched": self.matched,
                      "mergedTrue": self.merged_true, "mergedMatched": self.merged_matched,
                      "ruledTrue": self.ruled_true, "ruledMatched": self.ruled_matched},
            "tablesFound": self.tables_found, "tablesTrue": self.tables_true,
            "tableCountRight": ratio(self.table_count_right, self.pages),
            "secondsPerPage": ratio(self.seconds, self.pages),
        }


def score_page(predicted: Sequence[BoxT], tables_found: int, true: Sequence[TrueCell],
               tables_true: int, seconds: float = 0.0) -> Counts:
    """One detector's counts on one page."""
    matched = match_cells(predicted, [c.box for c in true])
    return Counts(
        pages=1, predicted=len(predicted), true=len(true), matched=len(matched),
        merged_true=sum(c.merged for c in true),
        merged_matched=sum(true[t].merged for t in matched),
        ruled_true=sum(c.ruled for c in true),
        ruled_matched=sum(true[t].ruled for t in matched),
        tables_found=tables_found, tables_true=tables_true,
        table_count_right=int(tables_found == tables_true), seconds=seconds)


# --- the pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    key: str  # <folder name>/<id>
    image: Path
    capture: str
    layout: str
    ruling: str
    cells: list[TrueCell]
    tables: int


def _drawn(cell: dict[str, Any], layout: str, ruling: str) -> bool:
    """Whether the generator drew all four sides of this cell (training/synth/layout.py): every
    cell of a ruled page, none of an unruled one; a partly ruled grid draws its frame and header
    cells only, a partly ruled list every cell."""
    if ruling == "ruled":
        return True
    if ruling == "unruled":
        return False
    return layout == "list" or cell.get("role") in GRID_HEADER_ROLES


def read_page(layout_file: Path, image: Path, folder: str) -> Page:
    doc = json.loads(layout_file.read_text())
    knobs = doc.get("knobs", {})
    layout = str(knobs.get("layout", "?"))
    ruling = str(knobs.get("ruling") or knobs.get("render", {}).get("ruling") or "?")
    cells = [TrueCell(box=tuple(map(float, c["box"])),  # type: ignore[arg-type]
                      merged=c.get("rowSpan", 1) > 1 or c.get("colSpan", 1) > 1,
                      ruled=_drawn(c, layout, ruling))
             for c in doc["cells"]]
    return Page(key=f"{folder}/{layout_file.stem}", image=image,
                capture=str(knobs.get("capture", "?")), layout=layout, ruling=ruling,
                cells=cells, tables=len({c.get("table", 0) for c in doc["cells"]}))


def find_pages(folder: Path, limit: int | None) -> list[Page]:
    """The pages of one generated set that have both a layout and a page image."""
    from inference.console import refuse

    if not folder.is_dir():
        raise refuse(f"{folder} is not a directory")
    layouts = folder / "layout"
    if not layouts.is_dir():
        raise refuse(f"{folder} has no layout/ folder (not a generated set)")
    pages: list[Page] = []
    for layout_file in sorted(layouts.glob("*.json")):
        image = next((folder / "pages" / f"{layout_file.stem}{suffix}" for suffix in IMAGE_SUFFIXES
                      if (folder / "pages" / f"{layout_file.stem}{suffix}").is_file()), None)
        if image is None:
            console.print(f"[yellow]skipped {layout_file.stem}: no page image in "
                          f"{folder / 'pages'}[/yellow]")
            continue
        pages.append(read_page(layout_file, image, folder.name))
        if limit is not None and len(pages) >= limit:
            break
    if not pages:
        raise refuse(f"no page in {folder} has both layout/<id>.json and pages/<id>.png")
    return pages


# --- the two detectors -------------------------------------------------------------------------


def detect_yogi(image: Path) -> tuple[list[BoxT], int]:
    import cv2

    from inference.structure import find_tables

    bgr = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"cannot read {image}")
    tables = find_tables(bgr)
    return [(c.box.x0, c.box.y0, c.box.x1, c.box.y1) for t in tables for c in t.cells], len(tables)


def detect_img2table(image: Path) -> tuple[list[BoxT], int]:
    """img2table's cells, a merged cell (the same bbox at several grid positions) once."""
    from img2table.document import Image

    tables = Image(src=str(image)).extract_tables()
    boxes: dict[BoxT, None] = {}
    for table in tables:
        for row in table.content.values():
            for cell in row:
                b = cell.bbox
                boxes.setdefault((float(b.x1), float(b.y1), float(b.x2), float(b.y2)), None)
    return list(boxes), len(tables)


DETECT = {"yogi": detect_yogi, "img2table": detect_img2table}


# --- the report --------------------------------------------------------------------------------


@dataclass
class Totals:
    """Counts of both detectors over a group of pages."""

    pages: int = 0
    by: dict[str, Counts] = field(default_factory=lambda: {d: Counts() for d in DETECTORS})

    def as_dict(self) -> dict[str, Any]:
        return {"pages": self.pages, **{d: self.by[d].as_dict() for d in DETECTORS}}


def run(pages: list[Page], progress: bool = True) -> dict[str, Any]:
    from importlib.metadata import version

    from rich.progress import track

    overall = Totals()
    groups: dict[str, dict[str, Totals]] = {"byCapture": {}, "byLayout": {}, "byRuling": {}}
    documents: dict[str, Any] = {}
    steps = track(pages, description="structure", console=console) if progress else pages
    for page in steps:
        kinds = {"byCapture": page.capture, "byLayout": page.layout, "byRuling": page.ruling}
        totals = [overall] + [groups[g].setdefault(k, Totals()) for g, k in kinds.items()]
        for t in totals:
            t.pages += 1
        entry: dict[str, Any] = {"capture": page.capture, "layout": page.layout,
                                 "ruling": page.ruling, "trueCells": len(page.cells),
                                 "trueTables": page.tables}
        for name in DETECTORS:
            began = time.perf_counter()
            boxes, found = DETECT[name](page.image)
            seconds = time.perf_counter() - began
            counts = score_page(boxes, found, page.cells, page.tables, seconds)
            for t in totals:
                t.by[name].add(counts)
            entry[name] = {"predicted": counts.predicted, "matched": counts.matched,
                           "tables": found, "seconds": round(seconds, 3)}
        documents[page.key] = entry
    return {
        "pages": overall.pages,
        "iouThreshold": IOU_MATCH,
        "overall": {d: overall.by[d].as_dict() for d in DETECTORS},
        **{g: {k: v.as_dict() for k, v in sorted(members.items())}
           for g, members in groups.items()},
        "secondsPerPage": {d: overall.by[d].as_dict()["secondsPerPage"] for d in DETECTORS},
        "versions": {"img2table": version("img2table")},
        "documents": documents,
    }


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def report_table(report: dict[str, Any], group: str, title: str) -> Table:
    """One group's scores, two rows (one per detector) per member; narrow enough for 80
    columns."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for column in ("group", "detector", "P", "R", "F1", "mergedR", "ruledR", "tables", "s/pg"):
        table.add_column(column, no_wrap=True,
                         justify="left" if column in ("group", "detector") else "right")
    rows = [("overall", {"pages": report["pages"], **report["overall"]})] if group == "byCapture" \
        else []
    rows += list(report[group].items())
    for name, scores in rows:
        for i, d in enumerate(DETECTORS):
            s = scores[d]
            table.add_row(f"{name} {scores['pages']}" if i == 0 else "", d,
                          _fmt(s["precision"]), _fmt(s["recall"]), _fmt(s["f1"]),
                          _fmt(s["mergedRecall"]), _fmt(s["ruledRecall"]),
                          f"{s['tablesFound']}/{s['tablesTrue']}",
                          _fmt(s["secondsPerPage"], 2), end_section=i == len(DETECTORS) - 1)
    return table


# --- the command -------------------------------------------------------------------------------


def bench_structure(
    data: Annotated[list[Path], typer.Option(
        "--data", help="a generated set (pages/ and layout/); repeat for several")],
    limit: Annotated[int | None, typer.Option(
        min=1, help="at most this many pages from each --data folder")] = None,
    out: Annotated[Path, typer.Option()] = Path("bench/structure.json"),
) -> None:
    """Table structure alone: find_tables vs img2table, cell by cell (IoU ≥ 0.5) on generated
    pages with known cells, both on the raw page image. Cell P/R/F1, merged-cell recall,
    tables found, seconds per page; overall and by capture, layout and ruling."""
    pages = [page for folder in data for page in find_pages(folder, limit)]
    report = run(pages)
    report["data"] = [str(folder) for folder in data]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    console.print(report_table(report, "byCapture", "table structure by capture kind"))
    console.print(report_table(report, "byLayout", "by layout"))
    console.print(report_table(report, "byRuling", "by ruling"))
    console.print(f"group n: n pages; cells match at IoU ≥ {IOU_MATCH}; mergedR, ruledR: recall "
                  f"of the merged cells, of the cells whose four sides are drawn; tables: found/"
                  f"true; s/pg: seconds per page. Report in {out}")
