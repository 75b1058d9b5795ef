"""The learning loop's dataset gets the feature store's view of its real documents: for each
exported label, the `training` features as they stood when the label was made (point in time,
`get_historical_features`), written beside the manifest as `features.parquet`. Training and its
reports weight and stratify by them (reading quality, the uploader's correction rate) without
leaking anything later than the label into the set.

A feature store that cannot answer leaves the dataset as it is: the features are an addition,
not a condition of training.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import structlog

from inference.features.client import open_client
from inference.features.reading import NO_UPLOADER
from inference.settings import Settings

log = structlog.get_logger(__name__)
FEATURES_FILE = "features.parquet"


def attach_features(exported: dict, settings: Settings, out: Path) -> Path | None:
    """`exported`: label_export's manifest. Returns the file written, or None."""
    entries = exported.get("documents", [])
    client = open_client(settings) if entries else None
    if client is None:
        return None
    entity_df = pd.DataFrame({
        "document_id": [e["id"] for e in entries],
        "uploader": [e.get("uploader") or NO_UPLOADER for e in entries],
        "event_timestamp": [datetime.fromisoformat(e["createdAt"]) for e in entries],
    })
    try:
        frame = client.historical(entity_df)
    except Exception as error:  # noqa: BLE001 - see the module doc
        log.warning("dataset.features_unavailable", reason=f"{type(error).__name__}: "
                    f"{error}"[:300])
        return None
    path = out / FEATURES_FILE
    frame.infer_objects().to_parquet(path)
    log.info("dataset.features", documents=len(frame), path=str(path))
    return path
