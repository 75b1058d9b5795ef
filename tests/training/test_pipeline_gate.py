"""The learning loop's gate: a new document model is promoted only when it beats the serving
champion on held-out real gold pages and does not lose on held-out synthetic pages."""

from __future__ import annotations

from training.pipeline.steps import GATE_SYNTHETIC_TOLERANCE, decide


def scores(real: float, synthetic: float | None = None) -> dict:
    out = {"real": {"strictF1": real}}
    if synthetic is not None:
        out["synthetic"] = {"strictF1": synthetic}
    return out


def test_better_on_real_pages_and_not_worse_on_synthetic_is_promoted() -> None:
    promote, reason = decide(scores(0.9, 0.70), scores(0.8, 0.70))
    assert promote and "0.9000 > champion 0.8000" in reason


def test_a_tie_on_real_pages_is_not_promoted() -> None:
    promote, reason = decide(scores(0.8, 0.9), scores(0.8, 0.7))
    assert not promote and "does not beat" in reason


def test_a_loss_on_synthetic_pages_beyond_the_tolerance_is_not_promoted() -> None:
    promote, reason = decide(scores(0.9, 0.7 - 2 * GATE_SYNTHETIC_TOLERANCE), scores(0.8, 0.7))
    assert not promote and "synthetic" in reason
    assert decide(scores(0.9, 0.7 - GATE_SYNTHETIC_TOLERANCE / 2), scores(0.8, 0.7))[0]


def test_without_held_out_real_pages_nothing_is_promoted() -> None:
    promote, reason = decide({"real": {}, "synthetic": {"strictF1": 1.0}}, scores(0.0, 0.0))
    assert not promote and "no held-out real" in reason


def test_a_win_on_new_pages_that_loses_on_the_dev_pages_is_not_promoted() -> None:
    new = {**scores(0.9, 0.7), "dev": {"strictF1": 0.95}}
    old = {**scores(0.8, 0.7), "dev": {"strictF1": 0.97}}
    promote, reason = decide(new, old)
    assert not promote and "dev pages" in reason
    assert decide({**new, "dev": {"strictF1": 0.97}}, old)[0]
