"""Reliability bins and ECE on small synthetic arrays."""

from __future__ import annotations

import numpy as np
import pytest

from training.calibration.metrics import ece, reliability_bins


def test_ece_of_a_perfectly_calibrated_set_is_zero() -> None:
    confidence = np.array([0.25] * 100 + [0.75] * 100)
    outcome = np.array([1] * 25 + [0] * 75 + [1] * 75 + [0] * 25, float)
    assert ece(confidence, outcome) == pytest.approx(0.0, abs=1e-12)


def test_ece_of_a_large_calibrated_sample_is_small_and_of_an_overconfident_one_is_not() -> None:
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0, 1, 20_000)
    outcome = (rng.uniform(0, 1, confidence.size) < confidence).astype(float)
    assert ece(confidence, outcome) < 0.02
    assert ece(np.full(100, 0.9), np.array([1, 0] * 50, float)) == pytest.approx(0.4)


def test_reliability_bins_are_equal_width_and_keep_one_in_the_last_bin() -> None:
    bins = reliability_bins(np.array([0.0, 0.05, 0.5, 1.0]), np.array([0, 0, 1, 1.0]), bins=4)
    assert [(b.low, b.high) for b in bins] == [(0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1)]
    assert [b.count for b in bins] == [2, 0, 1, 1]
    assert np.isnan(bins[1].accuracy) and bins[3].accuracy == 1.0
