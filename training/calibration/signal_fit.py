"""Fitting the signals block calibrator's numbers (issue 18): each block's features (inference.
document.signals.FEATURES) standardised, a logistic regression of "right" on them, then an
isotonic step on the regression's probability (`fit.fit_isotonic`), so what comes out is
calibrated where the regression's shape is not.

A plain L2-regularised logistic regression: about forty features and a few thousand blocks
from under a hundred pages, whose errors come in pages, want a model that cannot memorise one
(gradient-boosted trees, tried on the same pages, ranked the blocks worse). The features and the
regularisation C were chosen on the seed-31 calibration set and the dev pages by page-grouped
cross-fitting (C = 0.01 … 0.3: 0.03 is between the best for the synthetic pages and the best
for the real ones; averages of block features over the page, tried as features too, made it
worse), then checked once on a fresh set (seed 37) fitted on neither. The isotonic step is
fitted on the regression's own probabilities of its fitting blocks: this regularised, they are
barely more confident than on unseen pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.calibration import logistic
from training.calibration.fit import fit_isotonic

REGULARISATION_C = 0.03
# A feature constant on the fitting blocks is standardised by 1, not by 0.
MIN_SCALE = 1e-6


@dataclass(frozen=True)
class SignalFit:
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    x: list[float]  # the isotonic step's breakpoints
    y: list[float]


def fit_signals(features: np.ndarray, right: np.ndarray, c: float = REGULARISATION_C
                ) -> SignalFit:
    """The regression and the isotonic step on `features` (blocks × features) and `right`."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(features, float)
    y = np.asarray(right, bool)
    if x.shape[0] == 0:
        raise ValueError("cannot fit a block calibrator on no blocks")
    if y.all() or not y.any():
        raise ValueError("the fitting blocks are all right or all wrong: nothing to learn")
    mean = x.mean(0)
    scale = np.maximum(x.std(0), MIN_SCALE)
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    coef, intercept = model.coef_[0], float(model.intercept_[0])
    steps_x, steps_y = fit_isotonic(logistic(x, mean, scale, coef, intercept), y.astype(float))
    return SignalFit(mean=mean.tolist(), scale=scale.tolist(), coef=coef.tolist(),
                     intercept=intercept, x=steps_x, y=steps_y)
