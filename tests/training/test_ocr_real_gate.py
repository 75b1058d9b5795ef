"""The OCR gate on real pages: what a challenger must beat before it serves, and how a
release's recorded verdict becomes its alias on a fresh machine."""

from __future__ import annotations

from training.ocr.real_gate import GateFigures, decide
from training.ocr.release import gate_tags


def figures(version: str, text: float, f1: float, cer: float) -> GateFigures:
    return GateFigures(version=version, text=text, names_fuzzy=text, names_exact=text,
                       strict_f1=f1, synthetic_cer=cer)


BASE = figures("1", text=0.90, f1=0.978, cer=0.108)


def test_a_challenger_better_everywhere_is_promoted():
    verdict = decide(BASE, figures("2", text=0.93, f1=0.978, cer=0.079))
    assert verdict.promote and verdict.reason.startswith("beats v1")


def test_better_synthetic_crops_alone_do_not_promote():
    """The committed fine-tune's case: better on generated crops, worse on a real header."""
    verdict = decide(BASE, figures("2", text=0.90, f1=0.961, cer=0.079))
    assert not verdict.promote
    assert "real pages' names" in verdict.reason  # a tie on real text is not a win


def test_worse_real_extraction_blocks_promotion():
    verdict = decide(BASE, figures("2", text=0.95, f1=0.961, cer=0.079))
    assert not verdict.promote and "extracts the real pages worse" in verdict.reason


def test_worse_synthetic_crops_block_promotion():
    verdict = decide(BASE, figures("2", text=0.95, f1=0.99, cer=0.2))
    assert not verdict.promote and "synthetic crops" in verdict.reason


def test_a_release_never_gated_on_real_pages_waits_as_challenger():
    assert gate_tags({})["gate_alias"] == "challenger"
    recorded = decide(BASE, figures("2", text=0.95, f1=0.99, cer=0.05)).model_dump()
    assert gate_tags({"gate": recorded}) == {"gate_alias": "champion",
                                             "gate_reason": recorded["reason"]}
