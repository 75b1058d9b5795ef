"""Serving follows the registry: a background thread notices a moved `champion` alias and
swaps the new model in, with no restart and no failed request.

Every `registry_poll_s` seconds it asks the registry which version each served model's alias
names: the document model (when the tier is `auto` or `document`) and the fine-tuned
recogniser (when the OCR engine is `model`). When that differs from the version loaded, it
builds the new one in this thread (the model loads off the request path) and swaps it into the
process's cache (`tiers.reload_tier`, `ocr.reload_engine`); extractions already running finish
with the model they started with, and every result names the versions that produced it
(`model_versions`). A registry that cannot be reached is logged and asked again at the next
tick; the loaded model keeps serving.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Served:
    """One registry model the service holds: how to read its loaded version and reload it."""

    model: str
    alias: str
    loaded: Callable[[], str | None]
    reload: Callable[[], str | None]


def served_models(settings: Any) -> list[Served]:
    from inference.model_store import ModelUnavailable
    from inference.ocr import get_engine, reload_engine
    from inference.tiers import get_tier, reload_tier

    def tier_version() -> str | None:
        try:
            return getattr(get_tier("document", settings), "version", None)
        except ModelUnavailable:
            return None

    def new_tier() -> str | None:
        return getattr(reload_tier("document", settings), "version", None)

    def engine_version() -> str | None:
        return get_engine("model", settings).model_versions.get("ocr")

    def new_engine() -> str | None:
        return reload_engine("model", settings).model_versions.get("ocr")

    served = []
    if settings.tier in ("auto", "document"):
        served.append(Served("yogi-document", settings.document_alias, tier_version, new_tier))
    if settings.ocr_engine == "model":
        served.append(Served("yogi-ocr", settings.ocr_alias, engine_version, new_engine))
    return served


class ChampionWatcher:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.swaps = 0

    def check(self) -> bool:
        """One tick: swap in every model whose alias moved; True when one was."""
        from inference.model_store import alias_version

        swapped = False
        for served in served_models(self.settings):
            wanted = alias_version(served.model, served.alias,
                                   tracking_uri=self.settings.mlflow_tracking_uri)
            if wanted is None or wanted == served.loaded():
                continue
            version = served.reload()
            log.info("model swapped", model=served.model, alias=served.alias, version=version)
            self.swaps += version is not None
            swapped |= version is not None
        return swapped

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
