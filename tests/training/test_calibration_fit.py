"""The isotonic fit and the out-of-fold confidences on small synthetic arrays."""

from __future__ import annotations

import numpy as np
import pytest

from inference.calibration import apply_isotonic
from training.calibration.fit import fit_isotonic, out_of_fold
from training.calibration.metrics import ece


def test_isotonic_fit_is_monotone_and_bounded() -> None:
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0, 1, 300)
    outcome = (rng.uniform(0, 1, 300) < confidence**3).astype(float)
    x, y = fit_isotonic(confidence, outcome)
    grid = np.linspace(-0.5, 1.5, 201)
    values = apply_isotonic(x, y, grid)
    assert np.all(np.diff(values) >= 0)
    n = confidence.size
    assert values.min() >= 1 / (n + 2) - 1e-12 and values.max() <= (n + 1) / (n + 2) + 1e-12
    # The raw score is overconfident (truth is c³): calibration pulls the middle down.
    assert apply_isotonic(x, y, 0.5) < 0.35


def test_isotonic_fit_separates_a_clean_split() -> None:
    confidence = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    outcome = np.array([0, 0, 0, 1, 1, 1], float)
    x, y = fit_isotonic(confidence, outcome)
    assert apply_isotonic(x, y, 0.15) == pytest.approx(1 / 8)  # never claims 0 on 6 documents
    assert apply_isotonic(x, y, 0.85) == pytest.approx(7 / 8)


def test_out_of_fold_calibration_fixes_an_overconfident_score() -> None:
    rng = np.random.default_rng(2)
    truth = rng.uniform(0, 1, 2000)
    outcome = (rng.uniform(0, 1, truth.size) < truth).astype(float)
    raw = np.sqrt(truth)  # overconfident
    held_out = out_of_fold(raw, outcome, folds=5)
    assert ece(raw, outcome) > 0.1
    assert ece(held_out, outcome) < 0.04
