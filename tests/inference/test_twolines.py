"""Two lines in one box (`inference.twolines`): a box the detector drew round two stacked
lines is read again as two lines; a tall single line is left as read."""

import cv2
import numpy as np
import pytest

from inference.ocr import get_engine
from inference.schema import Box, OcrLine
from inference.settings import Settings
from inference.twolines import split_two_line_boxes

# Lines of the page's usual height (24 px) elsewhere on it.
USUAL = [OcrLine(text="Maths", box=Box(x0=300, y0=20 + 30 * k, x1=380, y1=44 + 30 * k))
         for k in range(5)]


def _page() -> np.ndarray:
    return np.full((200, 400, 3), 255, np.uint8)


def _write(page: np.ndarray, text: str, x: int, y: int, scale: float = 0.7) -> None:
    cv2.putText(page, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 2)


@pytest.fixture(scope="module")
def engine():
    return get_engine("rapid", Settings())


def test_a_box_round_two_stacked_lines_is_read_as_both(engine):
    page = _page()
    _write(page, "9.20-", 20, 60)  # a break's narrow header: start over end
    _write(page, "9.30", 24, 86)
    merged = OcrLine(text="9.20-", box=Box(x0=12, y0=38, x1=100, y1=96), score=0.8)
    lines = split_two_line_boxes(page, [merged, *USUAL], engine)
    split = [line for line in lines if line.box.x0 == 12]
    assert [line.text for line in split] == ["9.20-", "9.30"]
    assert split[0].box.y1 == split[1].box.y0 and split[0].box.y0 == 38


@pytest.mark.parametrize("draw", ["large", "underlined"])
def test_a_tall_single_line_is_left_as_read(engine, draw):
    page = _page()
    if draw == "large":
        _write(page, "LUNCH", 20, 90, scale=1.8)
        line = OcrLine(text="LUNCH", box=Box(x0=12, y0=40, x1=220, y1=100), score=0.9)
    else:  # a heading's rule under it is no second line
        _write(page, "Timetable", 20, 70)
        cv2.line(page, (20, 84), (150, 84), (0, 0, 0), 2)
        line = OcrLine(text="Timetable", box=Box(x0=12, y0=44, x1=160, y1=92), score=0.9)
    assert split_two_line_boxes(page, [line, *USUAL], engine) == [line, *USUAL]
