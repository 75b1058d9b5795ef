"""Block signals (issue 18): what decoding knew about each block, carried beside the document
tier's answer and turned into the block calibrator's features."""

from __future__ import annotations

import numpy as np
import pytest

from inference.document.decode import (
    PageDecisions,
    decode_blocks,
    decode_blocks_with_signals,
    vocabulary_fit,
)
from inference.document.features import PageReading, ReadLine, time_atoms
from inference.document.inputs import ROLES
from inference.document.signals import (
    FEATURES,
    BlockSignals,
    SignalledTimetable,
    block_features,
    signals_of,
    timetable_checks,
    with_rules,
)
from inference.document.tier import PageResult, document_result
from inference.heading import Heading
from inference.schema import Box, TimeBlock, TimetableData


def _line(text: str, x: float, y: float, score: float = 1.0) -> ReadLine:
    return ReadLine(text=text, box=Box(x0=x, y0=y, x1=x + 90, y1=y + 20), score=score)


@pytest.fixture
def page() -> tuple[PageReading, PageDecisions]:
    """A free-text week of one day: two times across, "Monday", two lessons under the times.
    The model is sure of everything but English's end: 11:00 (0.6) or none written (0.4)."""
    reading = PageReading(width=400, height=200, lines=[
        _line("9:00-10:00", 120, 20), _line("10:00-11:00", 220, 20), _line("Monday", 20, 60),
        _line("Maths", 120, 60, score=0.7), _line("English", 220, 60)])
    n, atoms = len(reading.lines), len(time_atoms(reading.lines))
    roles = np.zeros((n, len(ROLES)))
    for i, role in enumerate(["time", "time", "day", "event", "event"]):
        roles[i, ROLES.index(role)] = 1.0
    day = np.zeros((n, n))
    day[[3, 4], 2] = 1.0
    start, end = np.zeros((n, atoms + 1)), np.zeros((n, atoms + 1))
    start[:, -1] = end[:, -1] = 1.0
    start[3], end[3] = np.eye(atoms + 1)[0], np.eye(atoms + 1)[1]
    start[4] = np.eye(atoms + 1)[2]
    end[4] = 0.0
    end[4, 3], end[4, -1] = 0.6, 0.4
    return reading, PageDecisions(roles, np.eye(n), day, start, end)


def test_every_block_comes_with_what_decoding_knew_about_it(page) -> None:
    blocks, signals = decode_blocks_with_signals(*page)
    assert blocks == decode_blocks(*page)  # the same blocks as ever
    by_name = dict(zip([b.name for b in blocks], signals, strict=True))
    maths, english = by_name["Maths"], by_name["English"]
    assert (maths.start, maths.end, maths.start_margin) == (1.0, 1.0, 1.0)
    assert english.end == pytest.approx(0.6) and english.end_margin == pytest.approx(0.2)
    assert (maths.ocr_name, english.ocr_name) == (0.7, 1.0)
    assert not maths.drawn_cell and not maths.start_from_grid and maths.days == 1
    assert english.product == pytest.approx(blocks[1].confidence, abs=1e-4)


def test_a_misread_name_is_not_made_of_the_vocabularys_words() -> None:
    assert vocabulary_fit("Guided Reading") == (1.0, 1.0)
    whole, pieces = vocabulary_fit("Cuided Reaclirs")
    assert whole < 1.0 and pieces > 2.0
    assert vocabulary_fit("12:30") == (0.0, 0.0)  # no word at all


def test_the_tier_answer_carries_its_signals_but_never_serialises_them(page) -> None:
    blocks, signals = decode_blocks_with_signals(*page)
    result = document_result([PageResult(blocks, Heading(), page[1], signals)], {"document": "1"})
    assert signals_of(result) == signals
    copied = result.model_copy(update={"confidence": 0.3})
    assert signals_of(copied) == signals  # the cascade copies the result on its way
    assert "signals" not in copied.model_dump_json().lower()
    assert signals_of(TimetableData.model_validate(copied.to_json_dict())) is None
    with pytest.raises(ValueError, match="2 block signals for 1 blocks"):
        SignalledTimetable.of(TimetableData(timeblocks=blocks[:1]), signals)


def _block(day: str, name: str, start: str, end: str) -> TimeBlock:
    return TimeBlock(day=day, name=name, start_time=start, end_time=end)


def test_the_timetable_says_which_blocks_do_not_fit() -> None:
    blocks = [_block("Monday", "Maths", "09:00", "10:00"),
              _block("Monday", "Art", "10:00", "11:00"),
              _block("Monday", "Lunch", "10:30", "12:30"),
              _block("Tuesday", "Maths", "09:00", "10:00")]
    maths, art, lunch, tuesday = timetable_checks(blocks)
    assert (maths["overlaps"], art["overlaps"], lunch["overlaps"]) == (0.0, 1.0, 1.0)
    assert maths["start_meets"] == maths["end_meets"] == 1.0  # the day's first; Art follows
    assert lunch["start_meets"] == 0.0  # nothing ends at 10:30
    assert maths["log_slot_days"] == tuesday["log_slot_days"] == pytest.approx(np.log(2))
    assert lunch["log_duration_ratio"] == pytest.approx(np.log(2))  # twice the usual hour


def test_a_block_the_rules_made_too_is_marked_as_agreed(page) -> None:
    blocks, signals = decode_blocks_with_signals(*page)
    maths, english = blocks
    rules = [maths.model_copy(update={"name": "MATHS!", "notes": "Room 4"}),  # same block
             english.model_copy(update={"end_time": "12:00"})]  # other times
    agreed = with_rules(blocks, signals, rules)
    assert [s.rules_agree for s in agreed] == [True, False]
    assert not any(s.rules_agree for s in signals)  # the decoder's records are left alone
    column = FEATURES.index("rules_agree")
    assert block_features(TimetableData(timeblocks=blocks), agreed)[:, column].tolist() == [1, 0]


def test_features_are_one_row_per_block_in_the_calibrators_order(page) -> None:
    blocks, signals = decode_blocks_with_signals(*page)
    result = TimetableData(timeblocks=blocks)
    features = block_features(result, signals)
    assert features.shape == (2, len(FEATURES)) and np.isfinite(features).all()
    assert block_features(TimetableData(), []).shape == (0, len(FEATURES))
    end = FEATURES.index("logit_end")
    assert features[1, end] < features[0, end]  # English's end is the less sure
    assert isinstance(signals[0], BlockSignals)
