"""`FeatureClient`: yogi's one handle on the Feast store. It applies `feature_repo/`'s
definitions (creating the empty offline logs first: Feast appends to them), pushes a document's
reading and an uploader's history as they happen (offline log first, the record for training;
then the online store), reads the `routing` feature service online (one call per document) and
point-in-time features offline for training sets.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.fs as pa_fs
import pyarrow.parquet as pq
import structlog
from pydantic import BaseModel

from inference.features.config import FEATURE_REPO, offline_uri, repo_config
from inference.features.feast_import import import_feast
from inference.features.history import UploaderHistory
from inference.features.reading import DocumentReading
from inference.features.signals import SIGNALS, routing_signals
from inference.settings import Settings

log = structlog.get_logger(__name__)
feast = import_feast()

ARROW_TYPES = {str: pa.string(), float: pa.float64(), int: pa.int64(), bool: pa.bool_(),
               datetime: pa.timestamp("us", tz="UTC")}
# Push source → the model whose rows it takes (the offline log's columns, in order).
PUSH_SOURCES: dict[str, type[BaseModel]] = {"document_reading_push": DocumentReading,
                                            "uploader_history_push": UploaderHistory}


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[info.annotation])
                      for name, info in model.model_fields.items()])


def frame(rows: Sequence[BaseModel]) -> pd.DataFrame:
    """Rows → a DataFrame in the offline log's column order and types."""
    table = pa.Table.from_pylist([row.model_dump() for row in rows],
                                 schema=arrow_schema(type(rows[0])))
    return table.to_pandas()


def load_definitions(offline: str) -> dict[str, Any]:
    """feature_repo/definitions.py's objects for this offline location (a fresh module each
    time: the module-level objects name the CLI's location)."""
    spec = importlib.util.spec_from_file_location("yogi_feature_repo",
                                                  FEATURE_REPO / "definitions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.definitions(offline)


class FeatureClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.config = repo_config(settings)
        # Feature services resolved once: resolving one from the registry costs ~60 ms.
        self._services: dict[str, feast.FeatureService] = {}

    @cached_property
    def store(self) -> feast.FeatureStore:
        return feast.FeatureStore(config=self.config)

    @property
    def online_kind(self) -> str:
        return str(self.config.online_store.type)

    # --- apply ---------------------------------------------------------------------------

    def apply(self) -> list[str]:
        """`feast apply` for this deployment: the offline logs exist, the registry holds the
        definitions, the online store has its tables. Returns the names applied."""
        offline = offline_uri(self.settings)
        for source, model in PUSH_SOURCES.items():
            self._ensure_log(f"{offline}/{source.removesuffix('_push')}.parquet", model)
        objects = load_definitions(offline)
        applied = [obj for group in objects.values() for obj in group]
        self.store.apply(applied)
        self.store.refresh_registry()  # else reads resolve views from the registry every call
        self._services.clear()
        names = [obj.name for obj in applied]
        log.info("features.applied", online=self.online_kind, objects=names)
        return names

    def _ensure_log(self, uri: str, model: type[BaseModel]) -> None:
        filesystem, path = pa_fs.FileSystem.from_uri(uri)
        if filesystem.get_file_info(path).type != pa_fs.FileType.NotFound:
            return
        filesystem.create_dir(path.rsplit("/", 1)[0], recursive=True)
        pq.write_table(arrow_schema(model).empty_table(), path, filesystem=filesystem)

    def service(self, name: str) -> feast.FeatureService:
        if name not in self._services:
            self._services[name] = self.store.get_feature_service(name)
        return self._services[name]

    def is_applied(self) -> bool:
        try:
            self.service("routing")
        except Exception:  # noqa: BLE001 - no registry file, or no such service in it
            return False
        return True

    # --- write ---------------------------------------------------------------------------

    def push(self, rows: Sequence[BaseModel], *, offline: bool = True, online: bool = True
             ) -> None:
        """Rows of one model → its push source: the offline log (the record training reads),
        then the online store."""
        if not rows:
            return
        source = next(name for name, model in PUSH_SOURCES.items() if isinstance(rows[0], model))
        data = frame(rows)
        if offline:
            self.store.push(source, data, to=feast.data_source.PushMode.OFFLINE)
        if online:
            self.store.push(source, data, to=feast.data_source.PushMode.ONLINE)

    # --- read ----------------------------------------------------------------------------

    def online(self, entity_rows: list[dict[str, str]], service: str = "routing"
               ) -> dict[str, list[Any]]:
        """One `get_online_features` call for these (document_id, uploader) rows."""
        return self.store.get_online_features(
            features=self.service(service), entity_rows=entity_rows).to_dict()

    def historical(self, entity_df: pd.DataFrame, service: str = "training") -> pd.DataFrame:
        """Point-in-time-correct features for (document_id, uploader, event_timestamp) rows:
        each row sees only what had been written at its timestamp."""
        found = self.store.get_historical_features(
            entity_df=entity_df, features=self.service(service)).to_df()
        # Feast's file offline store drops an entity row when every row of one of its views is
        # later than it (an uploader's first document: its history starts after it). Such rows
        # are read again from the document's own view, with the uploader's history missing
        # and the signals computed as the on-demand view does.
        keys = list(entity_df.columns)
        rows = entity_df.merge(found, on=keys, how="left")
        lost = rows[SIGNALS[0]].isna()
        if lost.any():
            view = self.store.get_feature_view("document_reading")
            again = self.store.get_historical_features(
                entity_df=entity_df[lost.to_numpy()],
                features=[f"document_reading:{f.name}" for f in view.features]).to_df()
            again = rows.loc[lost, keys].merge(again, on=keys, how="left")
            again.index = rows.index[lost]
            for name in again.columns.difference(keys):
                rows[name] = rows[name].astype(object)
                rows.loc[lost, name] = again[name]
            signals = routing_signals({c: rows.loc[lost, c].tolist() for c in rows.columns})
            for name in SIGNALS:
                rows[name] = rows[name].astype(object)
                rows.loc[lost, name] = pd.Series(signals[name], index=rows.index[lost])
        return rows


def open_client(settings: Settings) -> FeatureClient | None:
    """The entry points' feature client, its definitions applied when the registry lacks them;
    None (logged) when the store cannot even be configured: extraction goes on without it."""
    try:
        client = FeatureClient(settings)
        if not client.is_applied():
            client.apply()
    except Exception as error:  # noqa: BLE001 - a bad config or unreachable registry
        log.warning("features.off", reason=f"{type(error).__name__}: {error}"[:300])
        return None
    return client
