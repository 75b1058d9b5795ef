"""Benchmarks written as JSON: seconds per page (p50/p95) overall and per stage, CPU seconds,
peak memory, the machine's load, and beside them Tesseract alone on the same pages in the same
run (the ratio the speed goals are stated against) and, given labels, the accuracy of the very
predictions that were timed; and a cold `yogi extract` as a user starts it."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from inference.loading import load_path
from inference.pipeline import extract_pages
from inference.schema import TimetableData
from inference.settings import Settings

TIER_STAGE = "tier"  # the tier's reading of the document, after the page stages


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def spread(values: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 50), 4), "p95": round(percentile(values, 95), 4)}


def machine() -> dict:
    """The conditions of a timing: on a shared machine the load average is half the story."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "loadAverage": [round(x, 2) for x in os.getloadavg()]}


def _tesseract_seconds(pages: list, engine) -> float:
    start = time.perf_counter()
    for page in pages:
        engine.read_page(page.image)
    return (time.perf_counter() - start) / max(1, len(pages))


def bench_pipeline(files: list[Path], runs: int, ocr: str, settings: Settings,
                   labels: Path | None = None, tesseract: bool = True) -> dict:
    """Each file read `runs` times by the pipeline (and once per run by Tesseract alone, in
    turn with it so both see the same load); with `labels` (gold JSON by file stem) the last
    run's predictions are scored as `yogi eval` scores them."""
    from inference.ocr import get_engine

    started_load = machine()["loadAverage"]
    # One warm-up run so model loading is not counted as page time.
    extract_pages(load_path(files[0]), ocr, settings=settings)
    reference = get_engine("tesseract", settings) if tesseract else None
    per_page: list[float] = []
    cpu_per_page: list[float] = []
    tesseract_per_page: list[float] = []
    stages: dict[str, list[float]] = {}
    per_file: dict[str, list[float]] = {}
    turns: dict[str, list[int]] = {}
    predictions: dict[str, TimetableData] = {}
    for _ in range(runs):
        for path in files:
            pages = load_path(path)
            start, cpu = time.perf_counter(), time.process_time()
            result, traces = extract_pages(pages, ocr, settings=settings)
            elapsed = time.perf_counter() - start
            per_page.append(elapsed / max(1, len(pages)))
            cpu_per_page.append((time.process_time() - cpu) / max(1, len(pages)))
            per_file.setdefault(path.name, []).append(elapsed)
            turns[path.name] = [trace.quarter_turns for trace in traces]
            predictions[path.stem] = result
            page_stages = 0.0
            for trace in traces:
                for stage, seconds in trace.timings.items():
                    stages.setdefault(stage, []).append(seconds)
                    page_stages += seconds
            stages.setdefault(TIER_STAGE, []).append((elapsed - page_stages) / max(1, len(pages)))
            if reference is not None:
                tesseract_per_page.append(_tesseract_seconds(pages, reference))
    report: dict = {
        "benchmark": "pipeline",
        "ocr": ocr,
        "tier": settings.tier,
        "runs": runs,
        "pages": len(per_page),
        "secondsPerPage": spread(per_page),
        "cpuSecondsPerPage": spread(cpu_per_page),
        "stageSeconds": {name: spread(values) for name, values in stages.items()},
        # Where the time goes page by page; a page read on its side shows its quarter turns.
        "files": {name: {"secondsP50": round(percentile(seconds, 50), 4),
                         "quarterTurns": turns[name]} for name, seconds in per_file.items()},
        "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if tesseract_per_page:
        ours, theirs = spread(per_page), spread(tesseract_per_page)
        report["tesseract"] = {
            "secondsPerPage": theirs,
            "ratio": {q: round(ours[q] / theirs[q], 2) if theirs[q] else None for q in ours},
        }
    if labels is not None:
        report["accuracy"] = accuracy(predictions, labels)
    report["machine"] = {**machine(), "loadAverageAtStart": started_load}
    return report


def accuracy(predictions: dict[str, TimetableData], labels: Path) -> dict:
    """Micro scores of the predictions that have a gold label in `labels`."""
    from inference.evaluation import score_set

    pairs = {stem: (prediction, TimetableData.model_validate_json(gold.read_text()))
             for stem, prediction in predictions.items()
             if (gold := labels / f"{stem}.json").is_file()}
    scores = score_set(pairs)
    micro = scores.micro.as_dict()
    return {"documents": len(pairs), "strictF1": micro["strictF1"],
            "predicted": micro["predicted"], "gold": micro["gold"],
            "meanStrictF1": round(scores.mean_strict_f1, 4)}


def _timed_child(command: list[str]) -> dict:
    """One child process's wall and CPU seconds and its peak RSS (`wait4`'s own figures)."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if child.returncode != 0:
            stderr.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed: "
                               f"{stderr.read().decode(errors='replace')[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rssMB": usage.ru_maxrss / 1024}


def bench_cli(file: Path, runs: int) -> dict:
    """`yogi --help` and `yogi extract FILE --format json`, each `runs` times as fresh
    processes: what a user waits for, start-up and model loading included."""
    yogi = str(Path(sys.executable).with_name("yogi"))
    commands = {"help": [yogi, "--help"], "extract": [yogi, "extract", str(file), "--format",
                                                      "json"]}
    started_load = machine()["loadAverage"]
    report: dict = {"benchmark": "cli", "file": str(file), "runs": runs}
    for name, command in commands.items():
        timed = [_timed_child(command) for _ in range(runs)]
        report[name] = {"wallSeconds": spread([t["wall"] for t in timed]),
                        "cpuSeconds": spread([t["cpu"] for t in timed]),
                        "peakRssMB": round(max(t["rssMB"] for t in timed), 1)}
    report["machine"] = {**machine(), "loadAverageAtStart": started_load}
    return report
