"""yogi's Feast definitions: the entities (`document`, its sha256 id; `uploader`, the account
that sent it), the push sources events are written through, the feature views
(`document_reading`, `uploader_history`), the on-demand view that combines them for routing
(`routing_signals`) and the feature services the router (`routing`) and the training datasets
(`training`) read. The feature columns are the fields of `inference.features.reading.
DocumentReading` and `inference.features.history.UploaderHistory`, so the code that writes a
row and the schema that stores it cannot drift apart.

`definitions(offline_uri)` builds them (what `yogi features apply` applies); the module-level
objects are what the `feast` CLI finds, with `${YOGI_FEAST_OFFLINE}` from the environment.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from feast import (
    Entity,
    FeatureService,
    FeatureView,
    Field,
    FileSource,
    PushSource,
    ValueType,
)
from feast.on_demand_feature_view import on_demand_feature_view
from feast.types import Bool, Float64, Int64, String, UnixTimestamp
from pydantic import BaseModel

from inference.features.history import UploaderHistory
from inference.features.reading import DocumentReading
from inference.features.signals import routing_signals as routing_signals_udf

FEAST_TYPES = {str: String, float: Float64, int: Int64, bool: Bool, datetime: UnixTimestamp}
KEYS = {"document_id", "uploader", "event_timestamp"}
# A reading older than this is not served (a document is read once; a year covers re-reads).
TTL = timedelta(days=365)



def schema(model: type[BaseModel], keep: set[str] = frozenset()) -> list[Field]:
    return [Field(name=name, dtype=FEAST_TYPES[info.annotation])
            for name, info in model.model_fields.items() if name not in KEYS or name in keep]


def fresh(function: Callable) -> Callable:
    """A new function object for the same code: Feast sets `__module__` of the function it is
    given to `__main__` (to pickle it by value), after which a second definition from the same
    function would look for its source in the wrong file."""
    return types.FunctionType(function.__code__, function.__globals__, function.__name__,
                              function.__defaults__, function.__closure__)


def definitions(offline_uri: str) -> dict[str, Any]:
    document = Entity(name="document", join_keys=["document_id"], value_type=ValueType.STRING,
                      description="A document: the sha256 of its bytes.")
    uploader = Entity(name="uploader", join_keys=["uploader"], value_type=ValueType.STRING,
                      description="The teacher's or school's account that sent documents.")

    def push_source(name: str) -> PushSource:
        return PushSource(name=f"{name}_push", batch_source=FileSource(
            name=f"{name}_log", path=f"{offline_uri}/{name}.parquet",
            timestamp_field="event_timestamp"))

    document_reading = FeatureView(
        name="document_reading", entities=[document], ttl=TTL,
        schema=schema(DocumentReading, keep={"uploader"}), source=push_source("document_reading"),
        description="How well a document was read (written at extraction).")
    uploader_history = FeatureView(
        name="uploader_history", entities=[uploader], ttl=TTL,
        schema=schema(UploaderHistory), source=push_source("uploader_history"),
        description="An uploader's documents, corrections and escalations so far (written at "
                    "every extraction and correction).")
    routing_signals = on_demand_feature_view(
        sources=[document_reading, uploader_history],
        schema=[Field(name="uploader_known", dtype=Bool),
                Field(name="uploader_error_rate", dtype=Float64),
                Field(name="uploader_changed_share", dtype=Float64),
                Field(name="log_blur", dtype=Float64)],
        mode="python", name="routing_signals",
        description="Document reading + uploader history, combined for the router.",
    )(fresh(routing_signals_udf))
    services = [
        FeatureService(name="routing", features=[document_reading, uploader_history,
                                                 routing_signals],
                       description="One get_online_features call per document (the cascade)."),
        FeatureService(name="training", features=[document_reading, uploader_history,
                                                  routing_signals],
                       description="Point-in-time features for the learning loop's datasets."),
    ]
    return {"entities": [document, uploader], "views": [document_reading, uploader_history],
            "on_demand": [routing_signals], "services": services}


_objects = definitions(os.environ.get("YOGI_FEAST_OFFLINE", "offline"))
document, uploader = _objects["entities"]
document_reading, uploader_history = _objects["views"]
(routing_signals,) = _objects["on_demand"]
routing, training = _objects["services"]
