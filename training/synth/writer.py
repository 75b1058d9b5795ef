"""Generating a data set: one document per (seed, index), written as page PNG (+ PDF for some),
contract label JSON and layout JSON, then a manifest naming the set by a content hash."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing as mp
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from inference.schema import TimetableData
from training.synth.canvas import Canvas
from training.synth.content import Content
from training.synth.degrade import CAMERA, Capture, capture, sample_capture
from training.synth.families import FAMILIES, LAYOUT_WEIGHTS
from training.synth.layout import RenderKnobs
from training.synth.render import render_page

GENERATOR_VERSION = "synth-1"
NOISY = ("scan", "photo", "screen_photo")
PDF_SHARE = 0.1


@dataclass(frozen=True)
class Job:
    seed: int
    index: int
    out: str
    photo_share: float
    family: str = "mixed"


def doc_id(index: int) -> str:
    return f"syn-{index:06d}"


def doc_rng(seed: int, index: int, family: str = "mixed") -> random.Random:
    # A string seed is hashed by sha512 inside random: stable across runs and processes. Each
    # family has its own stream; `mixed` keeps the one it had before families existed.
    if family == "mixed":
        return random.Random(f"yogi-synth/{seed}/{index}")
    return random.Random(f"yogi-synth/{family}/{seed}/{index}")


def _json_bytes(data: dict, indent: int | None = 1) -> bytes:
    return (json.dumps(data, indent=indent, ensure_ascii=False) + "\n").encode()


def _png_bytes(canvas: Canvas, noisy: bool) -> bytes:
    # Noisy captures barely compress: the fastest zlib level costs ~10% size, saves ~40% time.
    buf = io.BytesIO()
    canvas.image.save(buf, "PNG", compress_level=1 if noisy else 3)
    return buf.getvalue()


def _pdf_bytes(canvas: Canvas) -> bytes:
    buf = io.BytesIO()
    # No creation/modification dates (Pillow stamps the clock by default): the same seed must
    # give the same bytes, and the content hash covers the PDFs.
    canvas.image.convert("RGB").save(buf, "PDF", resolution=200.0, creationDate=None,
                                     modDate=None)
    return buf.getvalue()


@dataclass
class Plan:
    """Everything decided about a document before any pixel is drawn."""

    rng: random.Random
    content: Content
    label: TimetableData
    index_of: dict[int, list[int]]
    knobs: RenderKnobs
    capture: Capture


def plan_document(seed: int, index: int, photo_share: float, family: str = "mixed") -> Plan:
    rng = doc_rng(seed, index, family)
    content, knobs = FAMILIES[family](rng)
    label, index_of = content.label()
    return Plan(rng, content, label, index_of, knobs, sample_capture(rng, photo_share))


def build_document(seed: int, index: int, photo_share: float, family: str = "mixed"
                   ) -> tuple[dict, dict, Canvas, bool]:
    """(label JSON, layout JSON, final page, also as PDF?) for one document; pure function of
    (seed, index, photo_share, family)."""
    plan = plan_document(seed, index, photo_share, family)
    rng, content = plan.rng, plan.content
    canvas = capture(render_page(rng, content, plan.knobs, plan.index_of), plan.capture, rng,
                     seed=rng.randrange(2**31))
    pdf = rng.random() < PDF_SHARE
    w, h = canvas.size
    doc_knobs = {
        "family": family, "layout": content.layout, "region": content.region,
        "nDays": len(content.days), "capture": plan.capture, "pdf": pdf,
        "timeStyle": content.style.as_dict(), "render": plan.knobs.as_dict(),
        "counts": dict(sorted(content.counts.items())),
    }
    layout_json = {
        "id": doc_id(index), "width": w, "height": h, "photo": plan.capture in CAMERA,
        "knobs": doc_knobs,
        "lines": [line.to_json() for line in canvas.lines],
        "cells": [cell.to_json() for cell in canvas.cells],
    }
    return plan.label.to_json_dict(), layout_json, canvas, pdf


def _summary(label: dict, layout: dict) -> dict:
    knobs = layout["knobs"]
    lines = layout["lines"]
    return {
        "id": layout["id"], "family": knobs["family"], "layout": knobs["layout"],
        "region": knobs["region"], "nDays": knobs["nDays"], "capture": knobs["capture"],
        "photo": layout["photo"], "pdf": knobs["pdf"], "ruling": knobs["render"]["ruling"],
        "font": knobs["render"]["font"], "fontStyle": knobs["render"]["font_style"],
        "dayStyle": knobs["render"]["day_style"], "fills": knobs["render"]["fills"],
        "blocks": len(label["timeblocks"]),
        "impliedBlocks": sum(not b["timeScored"] for b in label["timeblocks"]),
        "lines": len(lines), "rotatedLines": sum(ln["angle"] != 0 for ln in lines),
        "cells": len(layout["cells"]), "width": layout["width"], "height": layout["height"],
        "headerFields": sum(label[k] is not None for k in ("teacher", "className", "term", "year")),
    }


def write_document(job: Job) -> dict:
    """Write one document's files; returns its summary with each file's sha256."""
    label, layout, canvas, pdf = build_document(job.seed, job.index, job.photo_share, job.family)
    out, did = Path(job.out), doc_id(job.index)
    files = {
        f"labels/{did}.json": _json_bytes(label),
        f"layout/{did}.json": _json_bytes(layout, indent=None),  # big: keep it compact
        f"pages/{did}.png": _png_bytes(canvas, layout["knobs"]["capture"] in NOISY),
    }
    if pdf:
        files[f"pages/{did}.pdf"] = _pdf_bytes(canvas)
    hashes = {}
    for rel, data in files.items():
        (out / rel).write_bytes(data)
        hashes[rel] = hashlib.sha256(data).hexdigest()
    return {**_summary(label, layout), "files": hashes}


def content_hash(summaries: list[dict]) -> str:
    """sha256 over every label and page file (layout JSON is derived), in sorted path order."""
    digest = hashlib.sha256()
    pairs = sorted((rel, h) for s in summaries for rel, h in s["files"].items()
                   if not rel.startswith("layout/"))
    for rel, h in pairs:
        digest.update(f"{rel}\0{h}\n".encode())
    return digest.hexdigest()


def _run(jobs: list[Job], workers: int) -> Iterator[dict]:
    if workers <= 1:
        yield from map(write_document, jobs)
        return
    # fork keeps the font catalogue and imports; chunks keep the pipe quiet.
    with mp.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(write_document, jobs, chunksize=4)


def _aggregate_knobs(summaries: list[dict]) -> dict:
    keys = ("layout", "region", "nDays", "capture", "ruling", "fontStyle", "dayStyle", "fills")
    agg: dict[str, dict[str, int]] = {}
    for key in keys:
        counts: dict[str, int] = {}
        for s in summaries:
            counts[str(s[key])] = counts.get(str(s[key]), 0) + 1
        agg[key] = dict(sorted(counts.items()))
    return agg


def synthesize(out: Path, n: int, seed: int = 0, photo_share: float = 0.4, workers: int = 1,
               progress: Callable[[int], None] | None = None, family: str = "mixed") -> dict:
    """Generate n documents of one layout family (see `families`) into out; returns (and
    writes) the manifest."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}: one of {', '.join(FAMILIES)}")
    for sub in ("pages", "labels", "layout"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    jobs = [Job(seed, i, str(out), photo_share, family) for i in range(n)]
    summaries = []
    for summary in _run(jobs, workers):
        summaries.append(summary)
        if progress:
            progress(1)
    manifest = {
        "generator": GENERATOR_VERSION, "seed": seed, "n": n, "family": family,
        "knobs": {"family": family, "photoShare": photo_share, "pdfShare": PDF_SHARE,
                  "layoutWeights": LAYOUT_WEIGHTS, "mix": _aggregate_knobs(summaries)},
        "contentHash": content_hash(summaries),
        "documents": summaries,
    }
    (out / "manifest.json").write_bytes(_json_bytes(manifest))
    return manifest


def read_manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text())
