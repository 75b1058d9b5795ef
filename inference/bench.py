"""Benchmarks written as JSON: seconds per page (p50/p95), per-stage time, peak memory."""

from __future__ import annotations

import platform
import resource
import time
from pathlib import Path

import numpy as np

from inference.loading import load_path
from inference.pipeline import extract_pages
from inference.settings import Settings


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def bench_pipeline(files: list[Path], runs: int, ocr: str, settings: Settings) -> dict:
    # One warm-up run so model loading is not counted as page time.
    extract_pages(load_path(files[0]), ocr, settings=settings)
    per_page: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(runs):
        for path in files:
            pages = load_path(path)
            start = time.perf_counter()
            _, traces = extract_pages(pages, ocr, settings=settings)
            per_page.append((time.perf_counter() - start) / max(1, len(pages)))
            for trace in traces:
                for stage, seconds in trace.timings.items():
                    stages.setdefault(stage, []).append(seconds)
    return {
        "benchmark": "pipeline",
        "ocr": ocr,
        "files": [str(p) for p in files],
        "runs": runs,
        "pages": len(per_page),
        "secondsPerPage": {"p50": percentile(per_page, 50), "p95": percentile(per_page, 95)},
        "stageSecondsMedian": {k: percentile(v, 50) for k, v in stages.items()},
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
    }
