"""Serving follows the registry: a background thread notices a moved `champion` alias and
swaps the new document model in, with no restart and no failed request.

Every `registry_poll_s` seconds it asks the registry which version the document tier's alias
names. When that differs from the version loaded, it builds the new tier in this thread (the
model loads off the request path) and swaps it into the tier cache (`tiers.reload_tier`);
extractions already running finish with the model they started with, and every result names
the version that produced it (`model_versions`). A registry that cannot be reached is logged
and asked again at the next tick; the loaded model keeps serving.
"""

from __future__ import annotations

import threading
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class ChampionWatcher:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.swaps = 0

    def registry_version(self) -> str | None:
        from inference.document.tier import MODEL_NAME  # torch: loaded when first asked
        from inference.model_store import alias_version

        return alias_version(MODEL_NAME, self.settings.document_alias,
                             tracking_uri=self.settings.mlflow_tracking_uri)

    def loaded_version(self) -> str | None:
        from inference.model_store import ModelUnavailable
        from inference.tiers import get_tier

        try:
            return getattr(get_tier("document", self.settings), "version", None)
        except ModelUnavailable:
            return None

    def check(self) -> bool:
        """One tick: swap the model in if the alias moved; True when it did."""
        from inference.tiers import reload_tier

        wanted = self.registry_version()
        if wanted is None or wanted == self.loaded_version():
            return False
        fresh = reload_tier("document", self.settings)
        version = getattr(fresh, "version", None)
        log.info("document model swapped", alias=self.settings.document_alias,
                 version=version, error=None if version else str(fresh))
        self.swaps += version is not None
        return version is not None

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.registry_poll_s):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - a registry hiccup must not end the watching
                log.exception("registry check failed; next tick")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="yogi-champion-watch",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
