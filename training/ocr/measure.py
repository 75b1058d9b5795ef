"""The OCR tier's figures, base vs fine-tuned, written as JSON reports.

* `heldout_report`: CER, word and exact-line accuracy on every dictionary-clean line of separate
  held-out sets (`yogi data synth` with a seed never trained on), overall and by category
  (rotated, small times, handwriting-like fonts, upright), each recogniser run through
  onnxruntime on the same crops.
* `name_recall`: on real pages, the share of labelled event names found in the page's OCR text.
  Both sides are normalised as the contract's scoring does (NFKC, lower case, punctuation to
  spaces); a name is *found* when `rapidfuzz.fuzz.partial_ratio(name, page text) ≥ 85` (the
  rule of ../shared/notes/ocr-base-feasibility.md) and *exact* when it is a substring of the
  page text (stricter: a dropped space or one wrong letter misses). The page text is the
  engine's lines in its own order plus, for text turned 90°, each line joined with its
  right-hand neighbour: a two-line name set sideways ("Maths / Meeting") comes out of the
  detector in the wrong order, which is not a reading error.
* `speed_report`: crops/s at a fixed batch and width (see `training.ocr.export.benchmark`).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

FOUND_AT = 85


def heldout_report(heldout_dirs: Sequence[Path], models: Mapping[str, Path],
                   threads: int = 1, batch_size: int = 16,
                   max_lines: int | None = None, seed: int = 0) -> dict:
    from training.ocr.crops import extract_crops
    from training.ocr.recognizer import OnnxRecognizer
    from training.ocr.train import category_metrics, predict

    crops = []
    for directory in heldout_dirs:
        crops += extract_crops(directory, held_out=1.0)[1]
    if max_lines is not None and len(crops) > max_lines:
        pick = np.random.default_rng(seed).choice(len(crops), max_lines, replace=False)
        crops = [crops[i] for i in sorted(pick)]
    report: dict = {"benchmark": "ocr-heldout", "sets": [str(d) for d in heldout_dirs],
                    "lines": len(crops), "models": {}, "seconds": {}}
    for name, path in models.items():
        t = time.perf_counter()
        preds = predict(OnnxRecognizer(path, batch_size, threads), crops)
        report["seconds"][name] = time.perf_counter() - t
        report["models"][name] = category_metrics(crops, preds)
    return report


def page_text(lines: Sequence) -> str:
    """OCR lines (objects with `text`, `box`, `angle`) as one text, rotated pairs appended."""
    texts = [line.text for line in lines]
    rotated = [line for line in lines if line.angle]
    for a in rotated:
        for b in rotated:
            overlap = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
            gap = b.box.x0 - a.box.x1
            if b is not a and overlap > 0.5 * min(a.box.height, b.box.height) \
                    and -0.2 * a.box.width <= gap <= 0.6 * a.box.width:
                texts.append(f"{a.text} {b.text}")
    return "\n".join(texts)


def names_found(names: Sequence[str], page_text: str) -> tuple[list[bool], list[bool]]:
    """(fuzzy, exact) per name, as the module docstring defines them."""
    from rapidfuzz import fuzz

    from inference.evaluation import normalise

    text = normalise(page_text)
    fuzzy, exact = [], []
    for name in names:
        n = normalise(name)
        fuzzy.append(bool(n) and fuzz.partial_ratio(n, text) >= FOUND_AT)
        exact.append(bool(n) and f" {n} " in f" {text} ")
    return fuzzy, exact


def name_recall(images: Path, labels: Path, engines: Mapping[str, object]) -> dict:
    """Per page and overall, for each OCR engine (`{label: engine}`): unique event names found
    in the whole-page OCR text of the loaded page (no preprocessing)."""
    from inference.loading import load_path
    from inference.schema import TimetableData

    report: dict = {"benchmark": "ocr-name-recall", "rule": f"partial_ratio >= {FOUND_AT}",
                    "engines": {}}
    pages = sorted(p for p in images.iterdir() if (labels / f"{p.stem}.json").is_file())
    for engine_name, engine in engines.items():
        per_page, total = {}, np.zeros(3, dtype=int)
        for path in pages:
            gold = TimetableData.model_validate_json((labels / f"{path.stem}.json").read_text())
            names = sorted({b.name for b in gold.timeblocks})
            text = "\n".join(page_text(engine.read_page(page.image))
                             for page in load_path(path))
            fuzzy, exact = names_found(names, text)
            per_page[path.stem] = {"names": len(names), "fuzzy": sum(fuzzy),
                                   "exact": sum(exact),
                                   "missed": [n for n, f in zip(names, fuzzy, strict=True)
                                              if not f],
                                   "not_exact": [n for n, e in zip(names, exact, strict=True)
                                                 if not e]}
            total += (len(names), sum(fuzzy), sum(exact))
        report["engines"][engine_name] = {
            "pages": per_page, "names": int(total[0]),
            "fuzzy_share": float(total[1] / max(total[0], 1)),
            "exact_share": float(total[2] / max(total[0], 1)),
            "model_versions": dict(getattr(engine, "model_versions", {})),
        }
    return report


def speed_report(models: Mapping[str, Path], torch_adapter: Path | None, batch: int = 32,
                 width: int = 320, threads: int = 2, repeats: int = 5) -> dict:
    import os

    from training.ocr.export import benchmark

    module = None
    if torch_adapter is not None:
        from training.ocr.pyfunc import load_merged

        module = load_merged(torch_adapter)
    speeds = benchmark(module, dict(models), batch=batch, width=width, repeats=repeats,
                       threads=threads)
    return {"benchmark": "ocr-speed", "unit": "crops/s", "batch": batch,
            "input": [batch, 3, 48, width], "threads": threads, "repeats": repeats,
            "cropsPerSecond": speeds, "models": {k: str(v) for k, v in models.items()},
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
