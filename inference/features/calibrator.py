"""The document calibrator that reads features: raw tier confidence, reading quality and the
uploader's history → the probability that the document is fully right (the same event as
`inference.calibration.FULLY_RIGHT`). A logistic regression on standardised inputs, kept as
its coefficients (`models/calibration/<tier>-features.json`, fitted by `yogi features
calibrate`) and applied with numpy. Like the isotonic calibrator it belongs to one tier and the
model versions it was fitted on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from inference.calibration import FULLY_RIGHT, tier_file_name
from inference.schema import Tier

# Input name → how it is made from one row of features (online or offline).
INPUTS: dict[str, Any] = {
    "raw_logit": lambda f: _logit(f["raw_confidence"]),
    "ocr_mean_confidence": lambda f: f["ocr_mean_confidence"],
    "ocr_min_confidence": lambda f: f["ocr_min_confidence"],
    "rotated_share": lambda f: f["rotated_share"],
    "ruled": lambda f: float(bool(f["ruled"])),
    "log_lines": lambda f: math.log1p(f["line_count"]),
    "log_cells": lambda f: math.log1p(f["grid_rows"] * f["grid_cols"]),
    "abs_skew": lambda f: abs(f["skew_degrees"]),
    "log_blur": lambda f: f["log_blur"],
    "uploader_known": lambda f: float(bool(f["uploader_known"])),
    "uploader_error_rate": lambda f: f["uploader_error_rate"],
    "uploader_changed_share": lambda f: f["uploader_changed_share"],
}


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def input_vector(features: Mapping[str, Any], names: list[str]) -> np.ndarray:
    return np.array([float(INPUTS[name](features)) for name in names])


class FeatureCalibrator(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    tier: Tier
    model_versions: dict[str, str] = Field(default_factory=dict)
    target: str = FULLY_RIGHT
    inputs: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    fitted_on: dict[str, Any] = Field(default_factory=dict)  # the set, its ids' digest, counts
    metrics: dict[str, Any] = Field(default_factory=dict)
    created_at: str

    def probability(self, features: Mapping[str, Any]) -> float:
        x = (input_vector(features, self.inputs) - np.array(self.mean)) / np.array(self.scale)
        z = float(x @ np.array(self.coef) + self.intercept)
        return round(1.0 / (1.0 + math.exp(-z)), 4)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=1) + "\n"


def feature_calibrator_path(directory: Path, tier: Tier) -> Path:
    return Path(directory) / f"{tier_file_name(tier)}-features.json"


def load_feature_calibrator(directory: Path, tier: Tier) -> FeatureCalibrator | None:
    path = feature_calibrator_path(directory, tier)
    return FeatureCalibrator.model_validate_json(path.read_text()) if path.is_file() else None
