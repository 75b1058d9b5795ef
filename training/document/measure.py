"""Classical rules vs the document model on the same prepared pages, side by side.

Both tiers read identical input (the cached reading of each page, so OCR noise is shared); the
figures are the contract's scores overall and per capture kind (clean, scan, photo…), per-role
F1 of the model, and the model's latency per page (reading → timetable, OCR excluded) and the
process's peak memory.
"""

from __future__ import annotations

import resource
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from inference.document.runtime import PageModel
from inference.document.tier import document_result, read_page
from training.document.data import Example, load_examples
from training.document.evaluate import evaluate, scores_of


def capture_kinds(data_dir: Path) -> dict[str, str]:
    """Page → how the data engine captured it; none for a set it did not make (real pages,
    grouped as "unknown")."""
    from training.synth.writer import read_manifest

    if not (data_dir / "manifest.json").is_file():
        return {}
    return {f"{data_dir.name}/{d['id']}": d["capture"]
            for d in read_manifest(data_dir)["documents"]}


def latency_ms(model: PageModel, examples: list[Example], repeats: int = 1) -> dict:
    """Per-page milliseconds from a page's reading to its timetable (tensors built, encoder
    run in full: nothing cached)."""
    times = []
    for _ in range(repeats):
        for example in examples:
            start = time.perf_counter()
            document_result([read_page(model, example.reading)], {})
            times.append(1000 * (time.perf_counter() - start))
    return {"p50": round(float(np.percentile(times, 50)), 1),
            "p95": round(float(np.percentile(times, 95)), 1),
            "mean": round(float(np.mean(times)), 1), "pages": len(times)}


def compare(model: PageModel, version: str, data_dirs: list[Path]) -> dict:
    examples = [e for d in data_dirs for e in load_examples(d)]
    kinds = {k: v for d in data_dirs for k, v in capture_kinds(d).items()}
    model_eval = evaluate(model, examples, {"document": version}, cached=False)
    groups: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        groups[kinds.get(example.id, "unknown")].append(example)
        groups["photographed" if "photo" in kinds.get(example.id, "") else "flat"].append(example)
    report = {
        "pages": len(examples), "sets": [str(d) for d in data_dirs], "modelVersion": version,
        "all": {"classical": scores_of({e.id: (e.classical, e.label) for e in examples}),
                "document": model_eval.scores},
        "byCapture": {
            kind: {"pages": len(group),
                   "classical": scores_of({e.id: (e.classical, e.label) for e in group}),
                   "document": scores_of({e.id: (model_eval.predictions[e.id], e.label)
                                          for e in group})}
            for kind, group in sorted(groups.items())},
        "roleF1": model_eval.role_f1,
        "latencyMs": latency_ms(model, examples),
        "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # Per page, for `yogi calibrate --tier document --predictions` (ids as in labels/).
        "predictions": [{"id": e.id.split("/", 1)[1],
                         "result": model_eval.predictions[e.id].to_json_dict()}
                        for e in examples],
    }
    return report
