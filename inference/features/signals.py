"""The on-demand feature view's function (`routing_signals` in feature_repo/definitions.py):
document reading and uploader history → the signals the router's calibrator reads.

Feast keeps the function's source in its registry and rebuilds it from that text when it
reads features, with no module around it: everything it uses (imports, the prior) is inside
the function. It lives in a file of its own because Feast reads the source when the view is
defined.
"""

from __future__ import annotations

from typing import Any

SIGNALS = ("uploader_known", "uploader_error_rate", "uploader_changed_share", "log_blur")


def routing_signals(inputs: dict[str, Any]) -> dict[str, Any]:
    """Per row: whether the uploader has any history, its smoothed correction rate, the mean
    share of blocks its reviewers changed, and a log-scaled blur (the Laplacian variance spans
    orders of magnitude). Missing values (no history, no reading) count as none."""
    import math

    # Beta(1, 1) prior on the correction rate: a new uploader counts as one right and one
    # corrected document, so two documents do not make a rate of 0 or 1.
    prior_right, prior_corrected = 1.0, 1.0

    def present(values: list[Any]) -> list[float]:
        # Online reads give None for a missing value, offline reads NaN.
        return [0.0 if v is None or v != v else float(v) for v in values]

    documents, corrections = present(inputs["documents"]), present(inputs["corrections"])
    return {
        "uploader_known": [d > 0 for d in documents],
        "uploader_error_rate": [(c + prior_corrected) / (d + prior_right + prior_corrected)
                                for c, d in zip(corrections, documents, strict=True)],
        "uploader_changed_share": present(inputs["mean_changed_share"]),
        "log_blur": [math.log1p(max(b, 0.0)) for b in present(inputs["blur"])],
    }
