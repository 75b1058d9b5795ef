"""Labelled pages replayed as the events the service would have seen, through a real feature
store, to get each page's features as they stood when it was routed (`get_historical_features`,
point in time).

Every set is one uploader; pages arrive one a minute, the sets interleaved. At its minute a
page's reading is written; a second later its extraction counts in its uploader's history (sent
to Claude when its raw confidence falls in the Claude band), and when the tier's answer was not
fully right a reviewer corrects it a second after that. A page is routed half a second after
its reading, so its own extraction and correction are not yet in the history it sees.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pandas as pd

from inference.features.client import FeatureClient
from inference.features.history import Corrected, Event, Extracted, history_rows
from inference.settings import Settings
from training.features.examples import FeatureExample

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)
ROUTED_AFTER = timedelta(seconds=0.5)


def arrival_times(examples: list[FeatureExample]) -> list[datetime]:
    """One minute apart, the uploaders' pages interleaved in their own order."""
    rank: dict[str, int] = defaultdict(int)
    order = []
    for example in examples:
        order.append((rank[example.uploader], example.uploader))
        rank[example.uploader] += 1
    slots = {key: k for k, key in enumerate(sorted(order))}
    return [START + slots[key] * STEP for key in order]


def replay(client: FeatureClient, examples: list[FeatureExample], settings: Settings
           ) -> pd.DataFrame:
    """Write the events offline, then read every page's `training` features at its routing
    time. One row per example, in the examples' order."""
    times = arrival_times(examples)
    readings = [e.reading.model_copy(update={"event_timestamp": t})
                for e, t in zip(examples, times, strict=True)]
    events: dict[str, list[Event]] = defaultdict(list)
    for example, at in zip(examples, times, strict=True):
        raw = example.reading.raw_confidence
        escalated = settings.review_threshold <= raw < settings.accept_threshold
        doc = example.reading.document_id
        events[example.uploader].append(Extracted(doc, at + timedelta(seconds=1), escalated))
        if not example.fully_right:
            events[example.uploader].append(
                Corrected(doc, at + timedelta(seconds=2), example.changed_share))
    client.push(readings, online=False)
    for uploader, stream in events.items():
        client.push(history_rows(uploader, stream), online=False)
    entity_df = pd.DataFrame({
        "document_id": [r.document_id for r in readings],
        "uploader": [e.uploader for e in examples],
        "event_timestamp": [t + ROUTED_AFTER for t in times],
    })
    features = client.historical(entity_df)
    return entity_df[["document_id", "uploader"]].merge(
        features.drop(columns=["event_timestamp"]).drop_duplicates(
            ["document_id", "uploader"]), on=["document_id", "uploader"], how="left")
