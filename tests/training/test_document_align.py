"""`training.document.align`: targets for the document model from a contract label alone, as a
reviewer's correction gives it (no boxes, no layout labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from inference.document.features import PageReading, ReadLine, time_atoms
from inference.document.inputs import ROLES
from inference.schema import Box, TimeBlock, TimetableData
from training.document.align import IGNORE, agreement, aligned_targets

R = {name: k for k, name in enumerate(ROLES)}


def line(text: str, cell: tuple[int, int, int, int] | None, x: float, y: float) -> ReadLine:
    box = Box(x0=x, y0=y, x1=x + 60, y1=y + 16)
    if cell is None:
        return ReadLine(text=text, box=box, cell_box=box)
    return ReadLine(text=text, box=box, cell_box=Box(x0=cell[0], y0=cell[1], x1=cell[2],
                                                     y1=cell[3]), table=0, ruled=True)


# Mrs Smith (a heading)
#          | 9:00-10:00     | 10:00-11:00
# Monday   | Maths / Rm 4   | English
# Tuesday  | Maths          | Art
PAGE = PageReading(width=300, height=200, lines=[
    line("Mrs Smith", None, 5, 2),
    line("9:00-10:00", (100, 20, 200, 50), 105, 25),
    line("10:00-11:00", (200, 20, 300, 50), 205, 25),
    line("Monday", (0, 50, 100, 110), 5, 60),
    line("Maths", (100, 50, 200, 110), 105, 60),
    line("Rm 4", (100, 50, 200, 110), 105, 85),
    line("English", (200, 50, 300, 110), 205, 60),
    line("Tuesday", (0, 110, 100, 170), 5, 120),
    line("Maths", (100, 110, 200, 170), 105, 120),
    line("Art", (200, 110, 300, 170), 205, 120),
])
LABEL = TimetableData(teacher="Mrs Smith", timeblocks=[
    TimeBlock(day="Monday", name="Maths", start_time="09:00", end_time="10:00", notes="Rm 4"),
    TimeBlock(day="Monday", name="English", start_time="10:00", end_time="11:00"),
    TimeBlock(day="Tuesday", name="Maths", start_time="09:00", end_time="10:00"),
    TimeBlock(day="Tuesday", name="Art", start_time="10:00", end_time="11:00"),
])


def test_each_block_finds_its_cell_and_a_daily_lesson_its_own_day():
    targets = aligned_targets(PAGE, LABEL)
    assert [sorted(b) for b in targets.blocks] == [[], [], [], [], [0], [0], [1], [], [2], [3]]
    assert targets.same_event[4, 5] == 1 and targets.same_event[4, 8] == 0


def test_roles_come_from_the_label_and_what_cannot_be_placed_is_masked():
    roles = aligned_targets(PAGE, LABEL).roles
    assert roles[4] == R["event"] and roles[5] == R["notes"]
    assert roles[3] == R["day"] and roles[1] == R["time"]
    assert roles[0] == IGNORE  # the heading: no layout label says what it is


def test_day_and_time_pointers_name_the_label_s_day_and_the_copies_in_line():
    targets = aligned_targets(PAGE, LABEL)
    atoms = time_atoms(PAGE.lines)
    assert np.flatnonzero(targets.day_of[8] > 0).tolist() == [7]  # Tuesday's Maths → Tuesday
    start = [atoms[k][2] for k in np.flatnonzero(targets.start_of[9, :-1] > 0)]
    end = [atoms[k][2] for k in np.flatnonzero(targets.end_of[9, :-1] > 0)]
    assert (start, end) == ([600], [660])  # Art: the 10:00 of its own column, not 9:00's end


def test_on_generated_pages_the_alignment_mostly_agrees_with_the_layout_labels(prepared: Path):
    from training.document.data import load_examples

    pages = [(e.reading, aligned_targets(e.reading, e.label), e.targets)
             for e in load_examples(prepared)]
    measured = agreement(pages)
    assert measured.placed > 0.6 and measured.same_event > 0.9 and measured.roles > 0.7
