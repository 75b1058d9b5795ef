"""Heading spaces (`inference.respace`): a heading line read with its words run together takes
the spaces of a second reading, and only its spaces."""

from __future__ import annotations

import numpy as np
import pytest

from inference.respace import respace_heading, spaced_like
from inference.schema import Box, OcrLine


@pytest.mark.parametrize(("first", "second", "spaced"), [
    # The second reading's letters differ ("Xl-B"); the first reading's are kept.
    ("Class:FScPre-EngineeringXI-B2024-25", "Class: FSc Pre-Engineering Xl-B 2024-25",
     "Class: FSc Pre-Engineering XI-B 2024-25"),
    ("Govt.IslamiaCollege—ClassTimeTable", "Govt. Islamia College — Class Time Table",
     "Govt. Islamia College — Class Time Table"),
    ("Mr A. Kowalski Autumn12024", "MrA.Kowalski Autumn 1 2024", "Mr A. Kowalski Autumn 1 2024"),
    ("Teaching timetable", "Something else entirely", None),
])
def test_a_line_takes_the_spaces_of_another_reading_of_it(first, second, spaced):
    assert spaced_like(first, second) == spaced


class SpacedReader:
    """Reads every crop as `text`, counting the crops it is handed."""

    name, model_versions = "scripted", {}

    def __init__(self, text: str) -> None:
        self.text, self.crops = text, 0

    def read_crop(self, crop):
        self.crops += 1
        return self.text, 0.9


def test_only_heading_lines_that_run_words_together_are_read_again():
    page = np.full((200, 600, 3), 255, np.uint8)
    glued = OcrLine(text="Mr.AslamJavedTimetable", box=Box(x0=10, y0=10, x1=300, y1=30))
    spaced = OcrLine(text="Term 3 2025", box=Box(x0=10, y0=40, x1=120, y1=60))
    cell = OcrLine(text="ComputerScience", box=Box(x0=10, y0=100, x1=200, y1=120))
    reader = SpacedReader("Mr.Aslam Javed Timetable")
    lines = respace_heading(page, [glued, spaced, cell], [glued, spaced], reader)
    assert [line.text for line in lines] == [
        "Mr.Aslam Javed Timetable", "Term 3 2025", "ComputerScience"]
    assert reader.crops == 2  # enlarged twice over: bicubic, then Lanczos


class ReaderBy:
    """Reads each enlargement its own way: bicubic runs words together, Lanczos parts them."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)

    def read_crop(self, crop):
        return self.texts.pop(0), 0.9


def test_the_reading_that_parts_the_most_words_is_kept():
    page = np.full((200, 600, 3), 255, np.uint8)
    glued = OcrLine(text="BScMathematicsYear2·Semester2,2025-Weeklylecturegrid",
                    box=Box(x0=10, y0=10, x1=450, y1=30))
    reader = ReaderBy("BScMathematicsYear2·Semester2,2025-Weeklylecture grid",
                      "BSc Mathematics Year 2·Semester 2,2025-Weekly lecture grid")
    (line,) = respace_heading(page, [glued], [glued], reader)
    assert line.text == "BSc Mathematics Year 2·Semester 2,2025-Weekly lecture grid"
