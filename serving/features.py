"""The service's side of the feature store (issue 17): one `FeatureClient` made at start-up
(the definitions applied when the registry lacks them), handed to every extraction; after an
extraction the readout goes into the extraction's record and `/metrics`
(`yogi_feature_reads{store,status}`), and after an extraction or a correction the uploader's
history is recomputed from the store and pushed.

A feature store that cannot even be configured or applied leaves the service running without
features (`off` in every record), never failing a request.
"""

from __future__ import annotations

from typing import Any

import structlog

from inference.features.routing import FeatureReadout, record_readout, refresh_uploader
from inference.store.repository import Store
from serving.observer import Observer

log = structlog.get_logger(__name__)


class ServingFeatures:
    def __init__(self, settings: Any, store: Store, observer: Observer) -> None:
        self.settings = settings
        self.store = store
        self.observer = observer
        self.client: Any = None  # inference.features.client.FeatureClient once started

    def start(self) -> None:
        from inference.features.client import open_client

        self.client = open_client(self.settings)
        if self.client is not None:
            try:  # the first read builds Feast's request context (~0.3 s): not on a request
                self.client.online([{"document_id": "0" * 64, "uploader": ""}])
            except Exception as error:  # noqa: BLE001 - the store may come up later
                log.warning("features.warmup_failed", reason=repr(error)[:300])

    def uploader(self, document_id: str) -> str | None:
        row = self.store.get_document_row(document_id)
        return row.uploader if row is not None else None

    def after_extraction(self, document_id: str, extraction_id: int,
                         readout: FeatureReadout) -> None:
        record_readout(self.store, extraction_id, readout)
        self.observer.features(readout.store or "none", readout.status)
        refresh_uploader(self.client, self.store, self.uploader(document_id))

    def after_correction(self, document_id: str) -> None:
        refresh_uploader(self.client, self.store, self.uploader(document_id))
