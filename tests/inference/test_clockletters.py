"""`inference.clockletters`: a handwritten time read as letters is read back as digits."""

from __future__ import annotations

import pytest

from inference.clockletters import read_clock_letters
from inference.schema import Box, OcrLine


def _read(text: str) -> str:
    line = OcrLine(text=text, box=Box(x0=0, y0=0, x1=200, y1=20), score=0.9)
    return read_clock_letters([line])[0].text


@pytest.mark.parametrize(("text", "read"), [
    ("q:CC - q:45 Maths", "9:00 - 9:45 Maths"),
    ("IC:3C - Il:3C Science (Lal Z)", "10:30 - 11:30 Science (Lal Z)"),  # words stay words
    ("IU:3C Break", "10:30 Break"),
    # A hand's meridiem written on: "am" read "un", "an"; "pm" read "pn"; "0m" says neither.
    ("q:ZCun", "9:20am"), ("I0:1Can - 11:COan", "10:10am - 11:00am"), ("1:25pn", "1:25pm"),
    ("12:350m", "12:35"),
    ("qZCan", "9:20am"),  # a time header's line alone, its colon lost too
])
def test_look_alike_letters_in_a_clock_are_its_digits(text: str, read: str) -> None:
    assert _read(text) == read


@pytest.mark.parametrize("text", ["SO:OS", "Sci:Lab", "Re: CC", "ratio 3:2", "10:30-11:05",
                                  "Islam", "Mr Islam",  # out of school hours; not alone
                                  "9:00 an assembly"])
def test_what_is_no_clock_or_no_valid_time_is_left_as_read(text: str) -> None:
    assert _read(text) == text
