"""`training.document.labels`: the data engine's drawn lines → targets for the OCR lines."""

from __future__ import annotations

import numpy as np

from inference.document.features import PageReading, ReadLine
from inference.document.inputs import ROLES
from inference.schema import Box, TimeBlock, TimetableData
from training.document.labels import page_targets


def cell_line(text: str, row: int, col: int, width: int = 1) -> ReadLine:
    x, y = 100 * col, 40 * row
    return ReadLine(text=text, box=Box(x0=x + 5, y0=y + 5, x1=x + 60, y1=y + 30),
                    cell_box=Box(x0=x, y0=y, x1=x + 100 * width, y1=y + 40), table=0, row=row,
                    col=col, row_span=1, col_span=width, ruled=True)


def drawn(line: ReadLine, role: str, blocks: list[int]) -> dict:
    b = line.box
    return {"quad": [[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1], [b.x0, b.y1]], "role": role,
            "blocks": blocks}


def test_a_time_written_in_line_with_the_event_is_its_only_target():
    # Two slot headers share "10:00"; Maths (below the first) ends at 10:00, so the copy that
    # starts the neighbouring slot is not an answer for it, and Art's 10:00 is the other copy.
    lines = [cell_line("9:00-10:00", 0, 1), cell_line("10:00-11:00", 0, 2),
             cell_line("Monday", 1, 0), cell_line("Maths", 1, 1), cell_line("Art", 1, 2)]
    reading = PageReading(width=400, height=100, lines=lines)
    layout = {"lines": [drawn(lines[0], "time", []), drawn(lines[1], "time", []),
                        drawn(lines[2], "day", []), drawn(lines[3], "event", [0]),
                        drawn(lines[4], "event", [1])]}
    label = TimetableData(timeblocks=[
        TimeBlock(day="Monday", name="Maths", start_time="09:00", end_time="10:00"),
        TimeBlock(day="Monday", name="Art", start_time="10:00", end_time="11:00")])
    targets = page_targets(reading, layout, label, np.eye(3))

    assert [ROLES[r] for r in targets.roles] == ["time", "time", "day", "event", "event"]
    # atoms: 9:00, 10:00 (first header), 10:00, 11:00 (second header), then "no time"
    maths, art = 3, 4
    assert targets.end_of[maths].tolist() == [0, 1, 0, 0, 0]
    assert targets.start_of[art].tolist() == [0, 0, 1, 0, 0]
    assert targets.day_of[maths].tolist() == [0, 0, 1, 0, 0]


def test_without_a_copy_in_line_every_copy_of_the_right_time_is_a_target():
    # A double period spanning both slots, but the structure stage cut only the first slot's
    # column: the second header's "11:00" is still the end.
    lines = [cell_line("9:00-10:00", 0, 1), cell_line("10:00-11:00", 0, 3),
             cell_line("Monday", 1, 0), cell_line("Maths", 1, 1)]
    reading = PageReading(width=500, height=100, lines=lines)
    layout = {"lines": [drawn(lines[0], "time", []), drawn(lines[1], "time", []),
                        drawn(lines[2], "day", []), drawn(lines[3], "event", [0])]}
    label = TimetableData(timeblocks=[
        TimeBlock(day="Monday", name="Maths", start_time="09:00", end_time="11:00")])
    targets = page_targets(reading, layout, label, np.eye(3))
    assert targets.end_of[3].tolist() == [0, 0, 0, 1, 0]
    assert targets.start_of[3].tolist() == [1, 0, 0, 0, 0]
