"""The review load on hand-made examples: the risk–coverage curve, the fewest blocks to look at
for the unflagged ones to be 98 % right, and before (document routing) vs after (blocks)."""

from __future__ import annotations

import numpy as np
import pytest

from inference.schema import TimeBlock, TimetableData
from inference.settings import Settings
from training.calibration.block_bench import set_figures
from training.calibration.block_kinds import BLOCK_KINDS
from training.calibration.blocks import page_blocks
from training.calibration.examples import Example
from training.calibration.review_load import at_threshold, curve, oracle_load, review_load

# Six blocks, best first; the one scored 0.9 and the one scored 0.3 are wrong.
SCORES = np.array([0.99, 0.97, 0.95, 0.9, 0.6, 0.3])
RIGHT = np.array([True, True, True, False, True, False])


def test_a_threshold_flags_the_blocks_below_it() -> None:
    point = at_threshold(SCORES, RIGHT, 0.9)
    assert (point.flagged, point.unflagged, point.unflagged_right) == (2, 4, 3)
    assert point.flagged_share == pytest.approx(2 / 6)
    assert point.unflagged_accuracy == pytest.approx(3 / 4)


def test_the_curve_runs_from_trusting_everything_to_flagging_everything() -> None:
    points = curve(SCORES, RIGHT)
    assert [p.flagged for p in points] == [0, 1, 2, 3, 4, 5, 6]
    assert points[0].unflagged_accuracy == pytest.approx(4 / 6)
    assert points[-1].unflagged_accuracy is None


def test_review_load_is_the_fewest_flagged_blocks_that_reach_the_target() -> None:
    strict = review_load(SCORES, RIGHT, target=0.98)
    assert (strict.flagged, strict.threshold) == (3, 0.95)  # the three above are all right
    # At 75 % the curve is not monotone: 0.9 reaches it with 2 flagged, 0.6 with only 1.
    loose = review_load(SCORES, RIGHT, target=0.75)
    assert (loose.flagged, loose.threshold) == (1, 0.6)
    # Nothing is ever right enough: every block is looked at.
    nothing = review_load(SCORES, np.zeros(6, bool))
    assert (nothing.flagged_share, nothing.threshold) == (1.0, 1.01)  # above any probability


def test_a_threshold_for_every_group_holds_on_the_hardest() -> None:
    # Sixty blocks of real pages, all right, scored 0.5; five synthetic ones, the one scored
    # 0.6 wrong. Pooled, the real ones make up for it: 64 of 65 right (98.5 %) at 0.5.
    scores = np.array([0.5] * 60 + [0.9, 0.9, 0.9, 0.9, 0.6])
    right = np.array([True] * 64 + [False])
    groups = np.array(["real"] * 60 + ["synthetic"] * 5)
    assert review_load(scores, right).flagged == 0
    # Each group on its own: the synthetic pages need 0.9, and the real ones are flagged too.
    point = review_load(scores, right, groups=groups)
    assert (point.threshold, point.flagged) == (0.9, 61)


def test_the_oracle_flags_only_wrong_blocks_and_no_more_than_it_must() -> None:
    assert oracle_load(RIGHT) == {"flagged": 2, "flaggedShare": round(2 / 6, 4)}
    # 98 right and 5 wrong: 2 wrong may stay (98 / 100 = 98 %), 3 are flagged.
    assert oracle_load(np.array([True] * 98 + [False] * 5))["flagged"] == 3


def _page(page_id: str, wrong: set[int], confidences: list[float]) -> Example:
    gold = TimetableData(timeblocks=[
        TimeBlock(day="Monday", name=f"Lesson {k}", start_time=f"{9 + k:02d}:00",
                  end_time=f"{9 + k:02d}:50") for k in range(3)])
    prediction = gold.model_copy(update={"tier": "document-model", "confidence": 0.4,
                                         "timeblocks": [
        b.model_copy(update={"confidence": c,
                             "end_time": "23:00" if k in wrong else b.end_time})
        for k, (b, c) in enumerate(zip(gold.timeblocks, confidences, strict=True))]})
    return Example(page_id, prediction, gold)


def test_before_every_block_of_a_routed_page_after_only_the_flagged_ones() -> None:
    pages = page_blocks([_page("a", set(), [0.99, 0.99, 0.95]),
                         _page("b", {1}, [0.99, 0.5, 0.97])], BLOCK_KINDS["isotonic"])
    calibrated = {p.id: p.raw for p in pages}  # say these were calibrated elsewhere
    # Low: neither page is accepted whole at 0.98; the right page a is scored the higher.
    documents = dict(zip([p.id for p in pages], [0.2, 0.1], strict=True))
    settings = Settings(accept_threshold=0.98, review_threshold=0.8, block_accept_threshold=0.9)
    figures = set_figures(pages, calibrated, documents, settings, source="hand-made")
    assert (figures["blocks"], figures["blocksRight"]) == (6, 5)
    before = figures["reviewLoad"]["before"]["atSettings"]
    after = figures["reviewLoad"]["after"]["atSettings"]
    assert (before["flaggedShare"], before["unflagged"]) == (1.0, 0)
    assert (after["flagged"], after["unflaggedAccuracy"]) == (1, 1.0)
    assert figures["reviewLoad"]["after"]["bestOnThisSet"]["flagged"] == 1
    assert figures["reviewLoad"]["oracle"]["flagged"] == 1
    assert figures["auc"]["calibrated"] == 1.0  # the wrong block scores lowest
    # Document routing could at best accept page a whole: 3 of 6 looked at.
    assert figures["reviewLoad"]["before"]["bestOnThisSet"]["flagged"] == 3
    assert figures["acceptedByBlocks"] == {"pages": 1, "blocks": 3, "goldBlocks": 3,
                                           "missedGoldBlocks": 0, "headerAccuracy": None}
