"""`yogi bench features`: online read latency of the `routing` feature service (what the
cascade calls once per document), p50/p99 for 1 and 100 entities, SQLite against Redis. Each
store is a fresh one in a temporary folder (its own Redis database), filled with 100 documents
and their uploaders' histories; the first reads warm the registry and connections and are not
counted.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import Progress

from inference.features.client import FeatureClient
from inference.features.history import UploaderHistory
from inference.features.reading import DocumentReading
from inference.settings import Settings

DOCUMENTS = 100
WARMUP = 20


def sample_rows(n: int) -> tuple[list[DocumentReading], list[UploaderHistory]]:
    """n documents of n/10 uploaders, with plausible values (the latency does not depend on
    them)."""
    now = datetime.now(UTC)
    rng = np.random.default_rng(0)
    readings = [DocumentReading(
        document_id=f"{k:064x}", uploader=f"bench-{k % 10}",
        ocr_mean_confidence=float(rng.uniform(0.7, 1)), ocr_min_confidence=float(rng.uniform()),
        line_count=int(rng.integers(20, 200)), rotated_share=float(rng.uniform(0, 0.2)),
        ruled=bool(k % 2), grid_rows=6, grid_cols=8, skew_degrees=float(rng.normal()),
        blur=float(rng.uniform(50, 2000)), page_count=1, raw_confidence=float(rng.uniform()),
        tier="document-model", model_versions='{"document": "1"}') for k in range(n)]
    histories = [UploaderHistory(
        uploader=f"bench-{u}", event_timestamp=now, documents=10, corrections=u % 4,
        correction_rate=(u % 4) / 10, mean_changed_share=0.1, claude_escalations=1,
        first_seen=now, last_seen=now) for u in range(10)]
    return readings, histories


def percentiles(call: Callable[[], Any], repeats: int) -> dict[str, float]:
    for _ in range(WARMUP):
        call()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    ms = np.array(seconds) * 1000
    return {"p50Ms": round(float(np.percentile(ms, 50)), 3),
            "p99Ms": round(float(np.percentile(ms, 99)), 3),
            "meanMs": round(float(ms.mean()), 3), "reads": repeats}


def bench_store(settings: Settings, repeats: int) -> dict[str, Any]:
    client = FeatureClient(settings)
    client.apply()
    readings, histories = sample_rows(DOCUMENTS)
    client.push(readings, offline=False)
    client.push(histories, offline=False)
    rows = [{"document_id": r.document_id, "uploader": r.uploader} for r in readings]
    result: dict[str, Any] = {"store": client.online_kind}
    for entities in (1, DOCUMENTS):
        chosen = rows[:entities]
        result[f"{entities}"] = {
            "routing": percentiles(lambda chosen=chosen: client.online(chosen), repeats),
            "viewsOnly": percentiles(lambda chosen=chosen: client.store.get_online_features(
                features=[f"document_reading:{n}" for n in ("ocr_mean_confidence", "blur")]
                + [f"uploader_history:{n}" for n in ("documents", "corrections")],
                entity_rows=chosen).to_dict(), repeats),
        }
    return result


def bench_features(redis_url: str, repeats: int, progress: Progress | None = None
                   ) -> dict[str, Any]:
    report: dict[str, Any] = {"documents": DOCUMENTS, "repeats": repeats, "stores": []}
    for redis in (None, redis_url):
        with tempfile.TemporaryDirectory(prefix="yogi-bench-features-") as tmp:
            settings = Settings(data_dir=Path(tmp), redis_url=redis)
            task = progress.add_task(f"{'redis' if redis else 'sqlite'}") if progress else None
            report["stores"].append(bench_store(settings, repeats))
            if progress and task is not None:
                progress.update(task, completed=1, total=1)
    return report
