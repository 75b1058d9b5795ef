"""Fitting a calibrator: the isotonic fit of "fully right" on the raw confidence, and the k-fold
out-of-fold confidences that give honest figures on the fitting set itself.

Isotonic (monotone, no shape assumed) on the raw confidence alone; the fit is kept as
breakpoints that inference applies with linear interpolation. Its output is kept inside
[1/(n+2), (n+1)/(n+2)] (Laplace's rule of succession for n fitting documents): a finite sample
cannot show that a score is never, or always, right.
"""

from __future__ import annotations

import numpy as np

from inference.calibration import apply_isotonic


def fit_isotonic(confidence: np.ndarray, outcome: np.ndarray) -> tuple[list[float], list[float]]:
    """Breakpoints (x, y) of the isotonic (non-decreasing) fit of outcome on confidence, with
    y clipped to the rule-of-succession bounds. Ties in x are pooled."""
    from sklearn.isotonic import IsotonicRegression

    x = np.asarray(confidence, float)
    y = np.asarray(outcome, float)
    if x.size == 0:
        raise ValueError("cannot fit a calibrator on no documents")
    n = x.size
    low, high = 1.0 / (n + 2), (n + 1.0) / (n + 2)
    model = IsotonicRegression(y_min=low, y_max=high, out_of_bounds="clip").fit(x, y)
    return [float(v) for v in model.X_thresholds_], [float(v) for v in model.y_thresholds_]


def out_of_fold(
    confidence: np.ndarray, outcome: np.ndarray, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """Calibrated confidence of every document from a calibrator fitted without it (k-fold,
    folds stratified by outcome so each keeps the base rate): honest figures on the fitting
    set itself."""
    x = np.asarray(confidence, float)
    y = np.asarray(outcome, float)
    if x.size < folds:
        raise ValueError(f"{x.size} documents cannot be split into {folds} folds")
    # Not sklearn's StratifiedKFold: it draws other folds, and the committed calibrators'
    # figures and the bench reports come from these.
    rng = np.random.default_rng(seed)
    fold_of = np.empty(x.size, int)
    for value in (0.0, 1.0):
        members = rng.permutation(np.flatnonzero(y == value))
        fold_of[members] = np.arange(members.size) % folds
    calibrated = np.empty(x.size)
    for k in range(folds):
        held = fold_of == k
        bx, by = fit_isotonic(x[~held], y[~held])
        calibrated[held] = apply_isotonic(bx, by, x[held])
    return calibrated
