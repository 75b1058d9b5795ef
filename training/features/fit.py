"""Fit the feature calibrator and measure it against the isotonic one on the same held-out
pages.

Split: within each uploader, its pages in arrival order alternate between the fitting half and
the held-out half (every uploader, the real dev pages included, is on both sides; no page is
on both). Both calibrators are fitted on the fitting half only: the isotonic one on the raw
confidence alone, the feature one (a logistic regression on standardised inputs,
`inference.features.calibrator.INPUTS`) on the raw confidence, the reading and the uploader's
history as the store gave them at routing time. Every figure is on the held-out half: ECE,
Brier, and the share of documents a reviewer must see so that the accepted ones are right at
least as often as a target.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from inference.calibration import apply_isotonic
from inference.features.calibrator import INPUTS, FeatureCalibrator, input_vector
from training.calibration.examples import ids_digest
from training.calibration.fit import fit_isotonic
from training.calibration.metrics import brier, ece
from training.calibration.review_load import review_load
from training.features.examples import FeatureExample, model_versions

# Accepted-accuracy targets the review share is read at.
TARGETS = (0.8, 0.9, 0.95, 1.0)
L2_C = 1.0  # inverse regularisation strength: fixed beforehand, not tuned on the held-out half


def split(examples: list[FeatureExample]) -> np.ndarray:
    """True for the fitting half: every other page of each uploader, in arrival order."""
    seen: dict[str, int] = {}
    fit = []
    for example in examples:
        k = seen.get(example.uploader, 0)
        fit.append(k % 2 == 0)
        seen[example.uploader] = k + 1
    return np.array(fit)


def fit_features(rows: pd.DataFrame, right: np.ndarray, names: list[str]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x = np.stack([input_vector(row, names) for row in rows.to_dict("records")])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=L2_C, max_iter=1000).fit((x - mean) / scale, right)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def scores(confidence: np.ndarray, right: np.ndarray) -> dict[str, Any]:
    loads = {}
    for target in TARGETS:
        point = review_load(confidence, right, target)
        loads[f"{target:.2f}"] = {"reviewShare": round(point.flagged_share, 4),
                                  "accepted": point.unflagged,
                                  "acceptedRight": point.unflagged_right}
    return {"ece": round(ece(confidence, right), 4), "brier": round(brier(confidence, right), 4),
            "reviewAtAcceptedAccuracy": loads}


def fit_and_measure(examples: list[FeatureExample], features: pd.DataFrame, data: list[str]
                    ) -> tuple[FeatureCalibrator, dict[str, Any]]:
    right = np.array([e.fully_right for e in examples], float)
    raw = np.array([e.reading.raw_confidence for e in examples], float)
    fit = split(examples)
    names = list(INPUTS)
    bx, by = fit_isotonic(raw[fit], right[fit])
    mean, scale, coef, intercept = fit_features(features[fit], right[fit], names)
    versions = model_versions(examples)
    tier = examples[0].reading.tier
    calibrator = FeatureCalibrator(
        tier=tier, model_versions=versions, inputs=names, mean=mean.tolist(),
        scale=scale.tolist(), coef=[round(c, 6) for c in coef], intercept=round(intercept, 6),
        fitted_on={"data": data, "documents": int(fit.sum()), "fullyRight": int(right[fit].sum()),
                   "idsSha256": ids_digest([e.reading.document_id for e, f in
                                            zip(examples, fit, strict=True) if f])},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    held = ~fit
    with_features = np.array([calibrator.probability(row)
                              for row in features[held].to_dict("records")])
    report = {
        "documents": {"fit": int(fit.sum()), "heldOut": int(held.sum()),
                      "heldOutFullyRight": int(right[held].sum()),
                      "heldOutByUploader": pd.Series([e.uploader for e, h in
                                                      zip(examples, held, strict=True) if h]
                                                     ).value_counts().to_dict()},
        "raw": scores(raw[held], right[held]),
        "isotonic": scores(apply_isotonic(bx, by, raw[held]), right[held]),
        "features": scores(with_features, right[held]),
        "coefficients": dict(zip(names, calibrator.coef, strict=True)),
    }
    calibrator.metrics = {"heldOut": report["features"], "isotonicHeldOut": report["isotonic"]}
    return calibrator, report
