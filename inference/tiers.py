"""The tiers that turn the pages' readings into a timetable, behind one interface, by name.

A tier is a class built from the settings (loading what it needs once) with
`read(traces) -> TimetableData`. `TIERS` names each tier's class by its import path, so the
command line lists the names without importing torch; a new tier is one module plus its line
here. `auto` is no tier of its own: the document model when the registry has a champion, the
classical rules otherwise.
"""

from __future__ import annotations

import threading
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import structlog

from inference.model_store import ModelUnavailable

if TYPE_CHECKING:
    from inference.schema import TimetableData
    from inference.settings import Settings
    from inference.trace import PageTrace

log = structlog.get_logger(__name__)

TIERS: dict[str, str] = {
    "classical": "inference.classical:ClassicalTier",
    "document": "inference.document.tier:DocumentTier",  # models:/yogi-document@<alias>
}
AUTO = "auto"
AUTO_ORDER = ("document", "classical")  # what `auto` tries, first to last


class Tier(Protocol):
    def __init__(self, settings: Settings) -> None: ...

    def read(self, traces: list[PageTrace]) -> TimetableData: ...


def tier_names() -> list[str]:
    """What `--tier` and `YOGI_TIER` accept."""
    return [AUTO, *TIERS]


# Tiers built so far, or why they could not be, by (name, alias, registry, model cache).
_LOADED: dict[tuple[str, str, str, Path], Tier | ModelUnavailable] = {}
# One build at a time: the CLI builds the tier on a second thread while the page is read, and a
# reader that asks for it meanwhile waits for that build instead of starting its own.
_BUILDING = threading.Lock()


def _key(name: str, settings: Settings) -> tuple[str, str, str, Path]:
    return (name, settings.document_alias, settings.mlflow_tracking_uri,
            settings.model_cache_dir)


def _build(name: str, settings: Settings) -> Tier | ModelUnavailable:
    module, _, cls = TIERS[name].partition(":")
    try:
        return getattr(import_module(module), cls)(settings)
    except ModelUnavailable as error:
        return error


def reload_tier(name: str, settings: Settings) -> Tier | ModelUnavailable:
    """Build the tier afresh (e.g. its registry alias moved) and put it in place of the one
    loaded. The swap is one assignment: a request that already holds the old tier finishes
    with it, the next one gets the new one."""
    fresh = _build(name, settings)
    _LOADED[_key(name, settings)] = fresh
    return fresh


def get_tier(name: str, settings: Settings) -> Tier:
    """The tier called `name`, built once per process and registry; raises
    `ModelUnavailable` when its model is not registered (and remembers that too: without a
    champion every extraction would otherwise query the registry again)."""
    if name not in TIERS:
        raise ValueError(f"unknown tier {name!r} (choose {', '.join(tier_names())})")
    key = _key(name, settings)
    with _BUILDING:
        if key not in _LOADED:
            _LOADED[key] = _build(name, settings)
    loaded = _LOADED[key]
    if isinstance(loaded, ModelUnavailable):
        raise loaded
    return loaded


def resolve_tier(tier: str, settings: Settings) -> Tier:
    """The tier named, built if need be; `auto`: the first of `AUTO_ORDER` that is
    available."""
    if tier != AUTO:
        return get_tier(tier, settings)
    for name in AUTO_ORDER:
        try:
            return get_tier(name, settings)
        except ModelUnavailable as error:
            # The normal state while a model has not earned `champion`: not a warning.
            log.info("tier unavailable; next", tier=name, reason=str(error))
    raise ModelUnavailable("no tier is available")


def read_document(traces: list[PageTrace], settings: Settings, tier: str = AUTO
                  ) -> TimetableData:
    """The timetable from the pages' readings by the tier named (`auto`: the first of
    `AUTO_ORDER` that is available)."""
    return resolve_tier(tier, settings).read(traces)
