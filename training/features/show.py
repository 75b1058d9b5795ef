"""`yogi features show DOCUMENT_ID`: one document's features from upload to routing — its
upload (uploader, when), what its extraction record says the routing read (status, store,
values), the rows the offline log holds for it and its uploader, and the online store's answer
now (one `get_online_features` call, as the cascade makes it)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from inference.features.client import FeatureClient
from inference.features.config import offline_uri
from inference.features.reading import NO_UPLOADER
from inference.store.repository import Store
from inference.store.tables import Extraction


def _json_ready(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


def _offline_rows(client: FeatureClient, view: str, column: str, value: str
                  ) -> list[dict[str, Any]]:
    frame = pd.read_parquet(f"{offline_uri(client.settings)}/{view}.parquet")
    return _json_ready(frame[frame[column] == value].sort_values("event_timestamp"))


def show(client: FeatureClient, store: Store, document_id: str) -> dict[str, Any] | None:
    row = store.get_document_row(document_id)
    if row is None:
        return None
    uploader = row.uploader or NO_UPLOADER
    with Session(store.engine) as session:
        extractions = session.scalars(select(Extraction).where(
            Extraction.document_id == document_id).order_by(Extraction.id)).all()
    online = client.online([{"document_id": document_id, "uploader": uploader}])
    return {
        "documentId": document_id,
        "upload": {"uploader": row.uploader, "createdAt": row.created_at.isoformat(),
                   "status": row.status},
        "extractions": [{"id": e.id, "createdAt": e.created_at.isoformat(),
                         "confidence": e.confidence, "routeReason": e.route_reason,
                         "features": e.features} for e in extractions],
        "offline": {
            "documentReading": _offline_rows(client, "document_reading", "document_id",
                                             document_id),
            "uploaderHistory": _offline_rows(client, "uploader_history", "uploader", uploader)
            if uploader else [],
        },
        "online": {"store": client.online_kind,
                   **{k: (v[0].isoformat() if hasattr(v[0], "isoformat") else v[0])
                      for k, v in online.items()}},
    }
