"""`yogi features rebuild`: the feature store made again from the document store, the record
of what happened. Every uploader's history is folded from its extractions and corrections
(every prefix a row of the offline log, the last one online), and the document readings of
the offline log are materialised into the online store. After a Redis outage, or a cache
emptied by a redeploy, this brings the online store back to what the store says.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.progress import Progress

from inference.features.client import FeatureClient
from inference.features.history import events_from_store, history_rows, uploaders_in_store
from inference.store.repository import Store


def rebuild(client: FeatureClient, store: Store, progress: Progress | None = None
            ) -> dict[str, int]:
    uploaders = uploaders_in_store(store)
    task = progress.add_task("uploader history", total=len(uploaders)) if progress else None
    rows = 0
    for uploader in uploaders:
        history = history_rows(uploader, events_from_store(store, uploader))
        client.push(history, online=False)
        client.push(history[-1:], offline=False)
        rows += len(history)
        if progress and task is not None:
            progress.advance(task)
    client.store.materialize_incremental(end_date=datetime.now(UTC),
                                         feature_views=["document_reading"])
    return {"uploaders": len(uploaders), "historyRows": rows}
