"""The pipeline Lambda: the training graph's light steps (start, promote, keep-challenger,
record-failure), one function for all of them, chosen by the event's `step`."""

from __future__ import annotations

from typing import Any

from inference.settings import Settings
from training.pipeline.steps import STEPS


def handler(event: dict, context: Any) -> dict:
    step = event.get("step")
    if step not in STEPS:
        raise ValueError(f"unknown pipeline step {step!r}")
    return STEPS[step](event, Settings())
