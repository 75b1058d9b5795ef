"""Standing words (`inference.standingwords`): a line turned a quarter that the reading broke in
two at a letter-spaced word gap is read again whole, the right way round."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.ocr import get_engine
from inference.schema import Box, OcrLine
from inference.settings import Settings
from inference.standingwords import join_standing_pieces


@pytest.fixture(scope="module")
def engine():
    return get_engine("rapid", Settings())


def _page_with_a_standing_line(text: str, turn: int) -> np.ndarray:
    """A white page 460 × 200 px with `text` turned a quarter down x 80-120, y 60-400."""
    page = np.full((460, 200, 3), 255, np.uint8)
    strip = np.full((40, 340, 3), 255, np.uint8)
    cv2.putText(strip, text, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    page[60:400, 80:120] = cv2.rotate(strip, turn)
    return page


@pytest.mark.parametrize("turn", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_two_pieces_of_a_standing_line_end_to_end_are_read_as_one_the_right_way(engine, turn):
    page = _page_with_a_standing_line("MORNING  TEA", turn)
    # Where the pieces stand depends on the turn; the reading found them as two lines.
    upper, lower = ("MORNING", "TEA") if turn == cv2.ROTATE_90_CLOCKWISE else ("TEA", "MORNING")
    pieces = [OcrLine(text=upper, box=Box(x0=82, y0=60, x1=118, y1=225), score=0.95, angle=90),
              OcrLine(text=lower, box=Box(x0=82, y0=235, x1=118, y1=400), score=0.95, angle=90)]
    elsewhere = OcrLine(text="Maths", box=Box(x0=140, y0=40, x1=190, y1=60), score=0.99)
    lines = join_standing_pieces(page, [*pieces, elsewhere], engine)
    assert [line.text for line in lines] == ["MORNING TEA", "Maths"]
    assert lines[0].box == Box(x0=82, y0=60, x1=118, y1=400) and lines[0].angle == 90


def test_standing_lines_a_cell_apart_are_left_alone(engine):
    page = _page_with_a_standing_line("MORNING  TEA", cv2.ROTATE_90_CLOCKWISE)
    apart = [OcrLine(text="MORNING", box=Box(x0=82, y0=60, x1=118, y1=200), score=0.95, angle=90),
             OcrLine(text="TEA", box=Box(x0=82, y0=260, x1=118, y1=330), score=0.95, angle=90)]
    assert join_standing_pieces(page, apart, engine) == apart


def test_two_pieces_of_one_standing_word_whose_boxes_overlap_are_read_as_one(engine):
    # The detector cut a rotated day label inside the word: "SDAY" over "THURSI", overlapping.
    page = _page_with_a_standing_line("THURSDAY", cv2.ROTATE_90_COUNTERCLOCKWISE)
    pieces = [OcrLine(text="SDAY", box=Box(x0=82, y0=230, x1=118, y1=312), score=0.95, angle=270),
              OcrLine(text="THURSI", box=Box(x0=82, y0=300, x1=118, y1=400), score=0.95,
                      angle=270)]
    assert [line.text for line in join_standing_pieces(page, pieces, engine)] == ["THURSDAY"]
