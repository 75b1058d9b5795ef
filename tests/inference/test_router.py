"""The router as a pure function: by the document's confidence, and by its blocks' calibrated
confidences when it is given them (issue 18)."""

from __future__ import annotations

import math

import pytest

from inference.router import flagged_blocks, route
from inference.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(accept_threshold=0.98, review_threshold=0.80, block_accept_threshold=0.9)


def test_without_block_confidences_the_document_alone_decides(settings: Settings) -> None:
    decision = route(0.85, settings)
    assert (decision.action, decision.reason) == ("claude", "uncertain")
    assert decision.block_accept_threshold is None and decision.flagged_blocks == ()
    assert route(0.99, settings).action == "accept"
    assert route(0.2, settings).reason == "low_confidence"


def test_a_document_whose_every_block_clears_is_accepted(settings: Settings) -> None:
    # The chance that nothing on a 3-block page is wrong is low; each block is sure.
    decision = route(0.15, settings, [0.95, 0.9, 0.99])
    assert (decision.action, decision.reason) == ("accept", "blocks_confident")
    assert decision.flagged_blocks == () and decision.block_accept_threshold == 0.9
    assert decision.detail == "all 3 blocks >= block accept threshold 0.90"


def test_a_flagged_block_sends_the_document_on_by_its_own_confidence(
    settings: Settings,
) -> None:
    review = route(0.15, settings, [0.95, 0.4, 0.99, 0.89])
    assert (review.action, review.reason) == ("review", "low_confidence")
    assert review.flagged_blocks == (1, 3)
    assert review.detail.endswith("; 2 of 4 blocks below block accept threshold 0.90")
    claude = route(0.85, settings, [0.95, 0.4])
    assert (claude.action, claude.flagged_blocks) == ("claude", (1,))


def test_a_confident_document_is_accepted_whatever_its_blocks(settings: Settings) -> None:
    decision = route(0.99, settings, [0.95, 0.4])
    assert (decision.action, decision.reason) == ("accept", "high_confidence")
    assert decision.flagged_blocks == (1,)  # still named, for whoever looks later


def test_no_blocks_is_not_a_reason_to_accept(settings: Settings) -> None:
    decision = route(0.15, settings, [])
    assert (decision.action, decision.reason) == ("review", "low_confidence")


def test_a_block_without_a_usable_confidence_is_flagged() -> None:
    assert flagged_blocks([0.95, None, math.nan, 0.9, 0.2], 0.9) == (1, 2, 4)


def test_no_document_confidence_goes_to_review_even_with_sure_blocks(
    settings: Settings,
) -> None:
    decision = route(math.nan, settings, [0.99])
    assert (decision.action, decision.reason) == ("review", "no_confidence")
