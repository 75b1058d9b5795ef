"""Period numbers the reading missed (`inference.periodlabels`): an empty header cell, or a
number out of order, between numbered ones is read again and kept when it reads the number
its neighbours say."""

import cv2
import numpy as np

from inference.ocr import get_engine
from inference.periodlabels import read_missing_labels
from inference.schema import Box, Cell, OcrLine, Table
from inference.settings import Settings

ROW = 70  # each period's row, px


def _page(numbers: list[str]) -> tuple[np.ndarray, Table]:
    """A ruled first column of period numbers, one a row, beside a wide second column."""
    page = np.full((ROW * len(numbers) + 20, 400, 3), 255, np.uint8)
    cells = []
    for k, number in enumerate(numbers):
        top = 10 + ROW * k
        cv2.rectangle(page, (10, top), (100, top + ROW), (0, 0, 0), 2)
        cv2.rectangle(page, (100, top), (390, top + ROW), (0, 0, 0), 2)
        cv2.putText(page, number, (45, top + 48), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
        cells += [Cell(box=Box(x0=10, y0=top, x1=100, y1=top + ROW), row=k, col=0),
                  Cell(box=Box(x0=100, y0=top, x1=390, y1=top + ROW), row=k, col=1)]
    return page, Table(box=Box(x0=10, y0=10, x1=390, y1=10 + ROW * len(numbers)), cells=cells,
                       ruled=True)


def _line(text: str, k: int) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=40, y0=20 + ROW * k, x1=75, y1=65 + ROW * k))


def test_a_period_number_the_reading_missed_or_misread_is_read_again():
    page, table = _page(["1", "2", "3", "4"])
    engine = get_engine("rapid", Settings())
    # "2" found by no line, "4" read "9".
    lines = [_line("1", 0), _line("3", 2), _line("9", 3)]
    found = read_missing_labels(page, [table], lines, engine)
    assert sorted(line.text for line in found) == ["1", "2", "3", "4"]


def test_a_number_missed_past_unnumbered_break_cells_is_read_again():
    # Break and lunch rows with empty headers between the periods: "3", "", "", "5".
    page, table = _page(["1", "2", "", "3", "", "4", "5"])
    engine = get_engine("rapid", Settings())
    lines = [_line(text, k) for k, text in enumerate(["1", "2", "", "3", "", "", "5"]) if text]
    found = read_missing_labels(page, [table], lines, engine)
    assert sorted(line.text for line in found) == ["1", "2", "3", "4", "5"]


def test_a_roman_numeral_the_reading_missed_is_read_again():
    page, table = _page(["I", "II", "III"])  # an Indian college's bell key
    engine = get_engine("rapid", Settings())
    found = read_missing_labels(page, [table], [_line("II", 1), _line("III", 2)], engine)
    assert sorted(line.text for line in found) == ["I", "II", "III"]


def test_a_band_of_words_or_a_cell_its_neighbours_disagree_on_is_left_as_read():
    page, table = _page(["1", "2", "4", "5"])  # period 3 left out on purpose
    engine = get_engine("rapid", Settings())
    lines = [_line("1", 0), _line("2", 1), _line("4", 2), _line("5", 3)]
    assert read_missing_labels(page, [table], lines, engine) == lines
    words, table = _page(["Reg", "", "Lunch", ""])
    lines = [_line("Reg", 0), _line("Lunch", 2)]
    assert read_missing_labels(words, [table], lines, engine) == lines
