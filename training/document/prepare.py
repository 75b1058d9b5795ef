"""Run the pipeline's reading stages (clean-up, OCR, structure) over a generated set once and
cache what the document model sees, so training and evaluation never OCR a page twice.

One JSON line per page: the OCR lines with their cell positions, the page transform (to align
the data engine's layout labels, drawn on the original page, with the cleaned page), and the
classical tier's answer on the same reading, so both tiers are scored on identical input.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from collections.abc import Callable
from pathlib import Path

from inference.classical import assemble_document
from inference.document.features import page_reading
from inference.loading import load_path
from inference.ocr import get_engine
from inference.pipeline import extract_page
from inference.settings import Settings


def _read_one(args: tuple[str, str]) -> dict:
    page_path, engine_name = args
    pages = load_path(page_path)
    trace = extract_page(pages[0].image, get_engine(engine_name, Settings()))
    classical = assemble_document([trace])
    return {
        "id": Path(page_path).stem,
        "page": page_path,
        **page_reading(trace).model_dump(),
        "transform": trace.transform.tolist(),
        "classical": classical.to_json_dict(),
    }


def _cached_ids(out: Path) -> set[str]:
    """Pages already in `out`. A run stopped while writing leaves a torn last line: it is cut
    off here, so the page is read again rather than the resume failing on it."""
    if not out.exists():
        return set()
    lines = out.read_text().splitlines()
    try:
        json.loads(lines[-1] if lines else "null")
    except json.JSONDecodeError:
        lines = lines[:-1]
        out.write_text("".join(line + "\n" for line in lines))
    return {json.loads(line)["id"] for line in lines if line}


def document_pages(folder: Path) -> dict[str, Path]:
    """Document id (file stem) → the file to read: a generated set writes some documents as
    both PNG and PDF, and its layout labels are drawn on the PNG."""
    chosen: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and (path.stem not in chosen or path.suffix.lower() == ".png"):
            chosen[path.stem] = path
    return chosen


def prepare(data_dir: Path, out: Path, engine: str = "rapid", workers: int = 1,
            limit: int | None = None, progress: Callable[[int], None] | None = None) -> int:
    """OCR the first page of every document in `data_dir/pages/` (generated PNGs, or the
    originals of real uploads: images and PDFs) into `out` (JSON lines); resumes where a
    previous run stopped. Returns the number of pages now cached."""
    done = _cached_ids(out)
    pages = sorted(document_pages(data_dir / "pages").values())[:limit]
    todo = [(str(p), engine) for p in pages if p.stem not in done]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as sink:
        if workers <= 1:
            results = map(_read_one, todo)
        else:
            pool = mp.get_context("fork").Pool(workers)
            results = pool.imap(_read_one, todo)
        for record in results:
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            sink.flush()
            if progress:
                progress(1)
    return len(done) + len(todo)
