"""The document model's pieces on a hand-made page: a 2-day × 2-slot grid with a heading."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from inference.document.decode import (
    PageDecisions,
    decode_blocks,
    decode_heading,
    join_spelled_across,
    key_lines,
    on_the_scale,
    once_each,
    spelled,
    time_pair,
)
from inference.document.features import PageReading, ReadLine, line_days, time_atoms
from inference.document.inputs import ROLES, time_allowed
from inference.document.model import page_tensors
from inference.heading import field_value
from inference.schema import Box, CalendarFrame, TimeBlock

R = {name: k for k, name in enumerate(ROLES)}


def line(text: str, x: float, y: float, row: int = -1, col: int = -1, cell: Box | None = None
         ) -> ReadLine:
    """A line at (x, y); in the table cell (row, col) when given, whose box is `cell` (by
    default just around the line)."""
    box = Box(x0=x, y0=y, x1=x + 90, y1=y + 20)
    if cell is None:
        cell = Box(x0=x - 5, y0=y - 5, x1=x + 95, y1=y + 25) if row >= 0 else box
    return ReadLine(text=text, box=box, cell_box=cell, table=0 if row >= 0 else -1, row=row,
                    col=col, row_span=1 if row >= 0 else 0, col_span=1 if row >= 0 else 0,
                    ruled=row >= 0)


ART_CELL = Box(x0=115, y0=135, x1=215, y1=185)


@pytest.fixture
def grid() -> PageReading:
    lines = [
        line("Teacher: Mrs Smith", 10, 10),                       # 0 heading
        line("9:00-10:00", 120, 60, 0, 1),                        # 1 time header
        line("10:00-11:00", 220, 60, 0, 2),                       # 2 time header
        line("Monday", 20, 100, 1, 0),                            # 3 day
        line("Maths", 120, 100, 1, 1),                            # 4 event
        line("English", 220, 100, 1, 2),                          # 5 event
        line("Tuesday", 20, 140, 2, 0),                           # 6 day
        line("Art", 120, 140, 2, 1, ART_CELL),                    # 7 event
        line("bring apron", 120, 160, 2, 1, ART_CELL),            # 8 notes of Art
    ]
    return PageReading(width=400, height=200, lines=lines)


def test_time_atoms_flatten_every_written_time_in_order(grid):
    atoms = time_atoms(grid.lines)
    assert [(i, m) for i, _, m in atoms] == [(1, 540), (1, 600), (2, 600), (2, 660)]


def test_a_range_split_over_two_lines_of_a_cell_is_still_one_range():
    # OCR reads a header cell "9 –" / "9.30" / "RWI" as three lines; the range is read from the
    # cell's text in reading order and belongs to the line that completes it.
    # Outside a table a line is read alone: the last "9 -" is no time.
    cell = Box(x0=115, y0=15, x1=215, y1=95)
    split = [line("9 -", 120, 20, 0, 1, cell), line("9.30", 120, 45, 0, 1, cell),
             line("RWI", 120, 70, 0, 1, cell), line("9 -", 300, 20)]
    atoms = time_atoms(split)
    assert atoms == [(1, 0, 540), (1, 1, 570)]


def test_a_lone_dotted_number_far_outside_the_page_s_ranges_is_a_room():
    # A sixth form's room "6.15" under each lesson's name: 18:15 on a page whose ranges run
    # 10:15 to 12:00 is no time of its day. A start-only "8.50" before them stands (in the
    # school day), as does "1.15" (13:15).
    heads = [line(text, 120 + 100 * k, 20) for k, text in
             enumerate(["1015-1030", "1030-1100", "1100-1200"])]
    cell = Box(x0=115, y0=55, x1=215, y1=140)
    lesson = [line("English Literature", 120, 60, 1, 1, cell), line("6.15", 120, 80, 1, 1, cell),
              line("8.50", 120, 100, 1, 1, cell), line("1.15", 120, 120, 1, 1, cell)]
    assert [m for _, _, m in time_atoms(heads + lesson)] == [615, 630, 630, 660, 660, 720,
                                                             530, 795]


def test_a_day_header_cell_names_its_day_even_when_no_line_alone_does():
    # A day written letter by letter down a narrow column (OCR misreads one letter), a short
    # form alone in its cell, and a line that names days on its own.
    column = Box(x0=15, y0=95, x1=115, y1=240)
    letters = [line(c, 20, 100 + 22 * k, 1, 0, column) for k, c in enumerate("M0nday")]
    lines = [*letters, line("Tu", 20, 300, 2, 0), line("W", 20, 340, 3, 0),
             line("Mon - Wed", 300, 20), line("Maths", 120, 100, 1, 1), line("W", 300, 60)]
    days = line_days(lines)
    assert days[:6] == [["Monday"]] * 6
    assert days[6:9] == [["Tuesday"], ["Wednesday"], ["Monday", "Tuesday", "Wednesday"]]
    assert days[9] == []  # an event is no day
    assert days[10] == ["Wednesday"]  # alone outside a table: a day only the pointers can use
    assert page_tensors(PageReading(width=400, height=500, lines=lines)
                        ).day_candidates.tolist() == [bool(d) for d in days]


def test_a_sentence_that_mentions_days_heads_none():
    # A footnote under day-list cards: the events above are not its days'.
    lines = [line("PE kits needed Tuesday and Friday. Library books back on Thursdays.", 20, 900),
             line("Monday – Week A", 20, 20), line("Tuesday (PE day)", 20, 60),
             line("MONDAY (late start) — all periods", 20, 100)]
    assert line_days(lines) == [[], ["Monday"], ["Tuesday"], ["Monday"]]


def test_time_pointers_stay_inside_their_own_table(grid):
    # A second table beside the first (one timetable per day, side by side).
    other = line("13:00-14:00", 320, 60, 0, 1).model_copy(update={"table": 1})
    page = PageReading(width=500, height=200, lines=[*grid.lines, other])
    atoms = time_atoms(page.lines)
    allowed = time_allowed(page, atoms)
    maths, heading = 4, 0
    assert allowed[maths].tolist() == [True, True, True, True, False, False, True]
    assert allowed[heading].all()  # a line outside every table may take any time


def test_page_tensors_describe_every_line_and_pair(grid):
    tensors = page_tensors(grid)
    n = len(grid.lines)
    assert tensors.input_ids.shape[0] == n and tensors.layout.shape == (n, 12)
    assert tensors.geometry.shape[:2] == (n, n) and tensors.atoms.shape == (4, 5)
    assert tensors.day_candidates.tolist() == [i in (3, 6) for i in range(n)]
    assert int(tensors.layout.max()) <= 100


def test_text_boxes_still_align_a_row_when_its_cells_are_merged(grid):
    # The structure stage merged the whole first column (days) into one tall cell: the cell
    # features no longer tell Monday's row from Tuesday's, the text-box overlaps still do.
    tall = grid.lines[3].cell_box.union(grid.lines[6].cell_box)
    merged = [line.model_copy(update={"cell_box": tall, "row": 1, "row_span": 2})
              if k in (3, 6) else line for k, line in enumerate(grid.lines)]
    geometry = page_tensors(PageReading(width=400, height=200, lines=merged)).geometry
    cell_y_overlap, text_y_overlap = 14, 24
    maths, monday, tuesday = 4, 3, 6
    assert geometry[maths, monday, cell_y_overlap] == geometry[maths, tuesday, cell_y_overlap]
    assert geometry[maths, monday, text_y_overlap] == 1.0
    assert geometry[maths, tuesday, text_y_overlap] == 0.0

def test_a_cell_over_two_slots_shares_its_end_edge_with_the_second_header_only(grid):
    # "Games" runs over both of Tuesday's slots: its cell starts at the first time header's
    # ruling and ends at the second's, and it is the same cell as its own notes line.
    wide = grid.lines[7].cell_box.union(grid.lines[2].cell_box.model_copy(
        update={"y0": 135, "y1": 165}))
    games = line("Games", 120, 140, 2, 1).model_copy(update={"cell_box": wide, "col_span": 2})
    kit = games.model_copy(update={"text": "bring kit"})
    page = PageReading(width=400, height=200, lines=[*grid.lines[:6], games, kit])
    geometry = page_tensors(page).geometry
    x0_shared, x1_shared, same_cell = 26, 28, 30
    first, second, event, notes = 1, 2, 6, 7
    assert geometry[event, first, x0_shared] == 1.0 and geometry[event, second, x0_shared] < 0.01
    assert geometry[event, second, x1_shared] == 1.0 and geometry[event, first, x1_shared] < 0.01
    assert geometry[event, notes, same_cell] == 1.0 and geometry[event, second, same_cell] < 0.01
    first_column, last_column = 31, 33  # the same facts in the structure stage's grid
    assert geometry[event, first, first_column] == 1 and geometry[event, second, first_column] == 0
    assert geometry[event, second, last_column] == 1 and geometry[event, first, last_column] == 0


def _roles(*names: str) -> np.ndarray:
    """The model's roles, certain: one a line, in order."""
    roles = np.zeros((len(names), len(ROLES)))
    for i, role in enumerate(names):
        roles[i, R[role]] = 1.0
    return roles


def _decisions(grid: PageReading) -> PageDecisions:
    """What a perfect model would say about `grid`."""
    n, atoms = len(grid.lines), 4
    roles = _roles("teacher", "time", "time", "day", "event", "event", "day", "event", "notes")
    group = np.eye(n)
    group[7, 8] = group[8, 7] = 1.0
    day = np.zeros((n, n))
    day[[4, 5], 3] = 1.0
    day[[7, 8], 6] = 1.0
    start, end = np.zeros((n, atoms + 1)), np.zeros((n, atoms + 1))
    start[:, -1] = end[:, -1] = 1.0
    for i, (s, e) in {4: (0, 1), 5: (2, 3), 7: (0, 1), 8: (0, 1)}.items():
        start[i] = end[i] = 0.0
        start[i, s] = end[i, e] = 1.0
    return PageDecisions(roles, group, day, start, end)


def test_decode_turns_decisions_into_formatted_blocks(grid):
    blocks = decode_blocks(grid, _decisions(grid))
    got = sorted((b.day, b.name, b.start_time, b.end_time, b.notes) for b in blocks)
    assert got == [("Monday", "English", "10:00", "11:00", None),
                   ("Monday", "Maths", "09:00", "10:00", None),
                   ("Tuesday", "Art", "09:00", "10:00", "bring apron")]
    assert all(b.confidence == pytest.approx(1.0) for b in blocks)


def test_a_time_written_twice_is_chosen_by_the_sum_of_its_copies():
    # "12:30-1:00" above "1:00-1:05": 13:00 is written twice, each copy less likely than 12:30
    # alone, together more likely; the end must come after the start.
    minutes = [750, 780, 780, 785]
    start = np.array([0.40, 0.25, 0.30, 0.0, 0.05])
    end = np.array([0.0, 0.05, 0.0, 0.90, 0.05])
    got_start, got_end, p = time_pair(start, end, minutes)
    assert (got_start, got_end) == (780, 785) and p == pytest.approx(0.55 * 0.90)
    assert time_pair(np.array([1.0, 0.0]), np.array([0.9, 0.1]), [600])[:2] == (600, None)


def test_an_event_of_no_day_or_without_a_letter_is_no_timeblock(grid):
    decisions = _decisions(grid)
    decisions.day[5] = 0.02  # the model: "English" lies under no day header (a caption)
    page = grid.model_copy(deep=True)
    page.lines[7].text = "3"  # a row number the model called an event
    page.lines[8].text = "-"
    got = sorted((b.day, b.name) for b in decode_blocks(page, decisions))
    assert got == [("Monday", "Maths")]


def test_a_row_of_column_labels_is_no_event(grid):
    # Each day's "Time | Subject" under its name (a college sheet with a time column per day):
    # the model calls them events; labels side by side on one row are a sub-header.
    page = grid.model_copy(deep=True)
    page.lines[4].text, page.lines[5].text = "Time", "Subject"
    got = sorted((b.day, b.name) for b in decode_blocks(page, _decisions(grid)))
    assert got == [("Tuesday", "Art")]
    page.lines[4].text, page.lines[5].text = "Per.", "Time"  # a period number's column
    got = sorted((b.day, b.name) for b in decode_blocks(page, _decisions(grid)))
    assert got == [("Tuesday", "Art")]
    page.lines[4].text, page.lines[5].text = "Lesson 1", "Lesson 2"  # numbered: events
    got = sorted((b.day, b.name) for b in decode_blocks(page, _decisions(grid)))
    assert got == [("Monday", "Lesson 1"), ("Monday", "Lesson 2"), ("Tuesday", "Art")]


def test_decode_heading_reads_the_lines_marked_as_fields(grid):
    assert decode_heading(grid, _decisions(grid)).teacher == "Mrs Smith"


def test_a_line_marked_teacher_that_names_another_role_names_no_teacher(grid):
    # A college class's in-charge, printed where a teacher would be; the model marks it.
    lines = [grid.lines[0].model_copy(update={"text": "In-charge:Dr.S.Lakshmi"}),
             *grid.lines[1:]]
    page = grid.model_copy(update={"lines": lines})
    assert decode_heading(page, _decisions(grid)).teacher is None


def test_a_line_marked_teacher_is_read_up_to_where_another_field_starts(grid):
    # A calendar's name in its sidebar: the class, then its teacher after a dash.
    lines = [grid.lines[0].model_copy(update={"text": "Mrs Smith Code: SMI Dept: Maths"}),
             *grid.lines[1:]]
    page = grid.model_copy(update={"lines": lines})
    assert decode_heading(page, _decisions(grid)).teacher == "Mrs Smith"
    assert field_value("class_name", "SS2 Science B-Ms Adeyemi") == "SS2 Science B"


def test_a_row_closed_over_the_day_headers_is_no_event_of_theirs():
    # Days head the columns; a heading row the table's border closes over them spans the grid.
    # The model calls its line an event of both days, but it lies wholly above them.
    lines = [
        line("Semester IV", 150, 20, 0, 0, Box(x0=5, y0=5, x1=395, y1=45)),  # 0 heading row
        line("Monday", 120, 60, 1, 1),                                       # 1 day
        line("Tuesday", 220, 60, 1, 2),                                      # 2 day
        line("9:00-10:00", 20, 100, 2, 0),                                   # 3 time
        line("Maths", 120, 100, 2, 1),                                       # 4 event
        line("Art", 220, 100, 2, 2),                                         # 5 event
    ]
    page = PageReading(width=400, height=200, lines=lines)
    n = len(lines)
    roles = _roles("event", "day", "day", "time", "event", "event")
    day = np.zeros((n, n))
    day[0, [1, 2]] = day[4, 1] = day[5, 2] = 1.0
    start, end = np.zeros((n, 3)), np.zeros((n, 3))
    start[:, -1] = end[:, -1] = 1.0
    for i in (4, 5):
        start[i], end[i] = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]
    blocks = decode_blocks(page, PageDecisions(roles, np.eye(n), day, start, end))
    assert sorted((b.day, b.name) for b in blocks) == [("Monday", "Maths"), ("Tuesday", "Art")]


def _with_other_lines(grid: PageReading, extra: list[ReadLine]
                      ) -> tuple[PageReading, PageDecisions]:
    """`grid` with `extra` lines the model calls `other`."""
    decisions = _decisions(grid)
    n = len(grid.lines) + len(extra)
    roles = np.zeros((n, len(ROLES)))
    roles[:len(grid.lines)] = decisions.roles
    roles[len(grid.lines):, R["other"]] = 1.0
    return (grid.model_copy(update={"lines": [*grid.lines, *extra]}),
            PageDecisions(roles, np.eye(n), np.zeros((n, n)), decisions.start, decisions.end))


def test_a_title_row_inside_the_grid_above_the_days_is_heading(grid):
    # The table's border encloses its title row: "9WOD" sits in a cell above the time headers,
    # and the model calls it `other`. A line under the headers stays out of the heading.
    assert decode_heading(*_with_other_lines(grid, [line("9WOD", 120, 20, 0, 1)])
                          ).class_name == "9WOD"
    assert decode_heading(*_with_other_lines(grid, [line("4B", 20, 150, 2, 0)])
                          ).class_name is None


@pytest.mark.slow  # loads MiniLM (~2 s)
def test_only_the_adapted_layers_run_per_step_and_the_split_is_exact(grid):
    from inference.document.model import build_model

    model = build_model(rank=2, tuned_layers=2).eval()
    tensors = page_tensors(grid)
    full = model.encoder(input_ids=tensors.input_ids, attention_mask=tensors.attention_mask
                         ).last_hidden_state
    hidden = model.frozen_states(tensors.input_ids, tensors.attention_mask)
    mask = model._mask(hidden, tensors.attention_mask)
    for layer in model._bert().encoder.layer[model.split:]:
        hidden = layer(hidden, mask)
    assert torch.allclose(full, hidden, atol=1e-5)
    lora = [name for name, p in model.named_parameters() if p.requires_grad and "lora_" in name]
    assert lora and all(".layer.4." in name or ".layer.5." in name for name in lora)


@pytest.mark.slow  # a few optimiser steps on one page (~10 s)
def test_training_steps_lower_the_loss_on_a_page(grid):
    from inference.document.model import build_model
    from training.document.labels import PageTargets
    from training.document.loss import page_loss

    torch.manual_seed(0)
    decisions = _decisions(grid)
    n = len(grid.lines)
    day_of = np.where(decisions.day.any(1, keepdims=True), decisions.day, -1.0)
    targets = PageTargets(
        roles=decisions.roles.argmax(1).tolist(),
        blocks=[{0} if i in (4,) else {1} if i == 5 else {2} if i in (7, 8) else set()
                for i in range(n)],
        same_event=decisions.group.astype(np.float32), day_of=day_of.astype(np.float32),
        start_of=decisions.start.astype(np.float32), end_of=decisions.end.astype(np.float32))
    model = build_model(rank=2)
    tensors = page_tensors(grid)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    losses = []
    for _ in range(8):
        loss = sum(page_loss(model(tensors), targets, tensors).values())
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.6 * losses[0]


def _merged_cell_page() -> tuple[PageReading, PageDecisions]:
    """An aSc-style export: "MATH EXT3" merged over two periods, its teacher code and room in
    the cell's bottom corners, period headers "1." / "2." with their times below."""
    head1, head2 = Box(x0=100, y0=0, x1=200, y1=60), Box(x0=200, y0=0, x1=300, y1=60)
    row, merged = Box(x0=0, y0=60, x1=100, y1=160), Box(x0=100, y0=60, x1=300, y1=160)

    def at(text, x, y, cell, w=40, h=16):
        return ReadLine(text=text, box=Box(x0=x, y0=y, x1=x + w, y1=y + h), cell_box=cell,
                        table=0, row=0, col=0, ruled=True)

    lines = [at("1.", 140, 5, head1, 15), at("7:50 8:35", 125, 30, head1, 50),
             at("2.", 240, 5, head2, 15), at("8:35 9:20", 225, 30, head2, 50),
             at("Monday", 10, 100, row, 60),
             at("SE", 104, 140, merged, 18), at("MATH EXT3", 160, 95, merged, 80),
             at("MR1", 270, 140, merged, 26)]
    page = PageReading(width=300, height=160, lines=lines)
    n, atoms = len(lines), len(time_atoms(lines))
    roles = _roles("index", "time", "index", "time", "day", "event", "notes", "event")
    day = np.zeros((n, n))
    day[5:, 4] = 1.0
    # A model that links no two lines and points at the second period's start: the cell and
    # the header edges still decide.
    start, end = np.zeros((n, atoms + 1)), np.zeros((n, atoms + 1))
    start[:, 1] = end[:, 3] = 1.0
    return page, PageDecisions(roles, np.eye(n), day, start, end)


def test_a_ruled_cell_is_one_event_named_by_its_centre_not_its_corners():
    page, decisions = _merged_cell_page()
    [block] = decode_blocks(page, decisions)
    assert (block.name, block.notes) == ("MATH EXT3", "SE MR1")


def test_a_merged_cell_takes_exactly_the_slots_it_covers():
    page, decisions = _merged_cell_page()
    [block] = decode_blocks(page, decisions)
    assert (block.start_time, block.end_time) == ("07:50", "09:20")


def test_a_time_printed_in_the_cell_overrides_the_headers_and_alone_is_the_start():
    page, decisions = _merged_cell_page()
    page.lines[6].text = "8:00 MATH EXT3"
    n = len(page.lines)
    atoms = len(time_atoms(page.lines))
    decisions.start = np.zeros((n, atoms + 1))
    decisions.end = np.zeros((n, atoms + 1))
    decisions.start[:, 0] = decisions.end[:, 4] = 1.0  # the pointers prefer the headers
    [block] = decode_blocks(page, decisions)
    assert (block.name, block.start_time, block.end_time) == ("MATH EXT3", "08:00", "09:20")


def test_a_drawn_cell_reads_top_down_when_the_model_names_a_later_line():
    page, decisions = _merged_cell_page()
    cell = page.lines[6].cell_box
    centred = [("Database System (Th)", 130, 70, 140, "teacher"), ("(Dr. Z)", 170, 95, 60, "notes"),
               ("Room 211", 165, 120, 70, "event")]
    lines = page.lines[:5] + [
        ReadLine(text=text, box=Box(x0=x, y0=y, x1=x + w, y1=y + 16), cell_box=cell, table=0,
                 ruled=True) for text, x, y, w, _ in centred]
    for k, (*_, role) in enumerate(centred):
        decisions.roles[5 + k] = 0.0
        decisions.roles[5 + k, R[role]] = 1.0
    [block] = decode_blocks(PageReading(width=300, height=160, lines=lines), decisions)
    assert (block.name, block.notes) == ("Database System (Th)", "(Dr. Z) Room 211")


def test_a_range_beside_a_name_in_its_cell_names_nothing():
    # A short calendar box: "Homeroom" against its left side, its range printed beside it
    # nearer the centre; the model calls both the event.
    page, decisions = _merged_cell_page()
    cell = page.lines[6].cell_box
    row = [("Homeroom", 102, 70), ("7:50 AM - 8:05 AM", 200, 90)]
    lines = page.lines[:5] + [
        ReadLine(text=text, box=Box(x0=x, y0=100, x1=x + w, y1=116), cell_box=cell, table=0,
                 ruled=True) for text, x, w in row]
    n = len(lines)
    roles = np.zeros((n, len(ROLES)))
    roles[:5] = decisions.roles[:5]
    roles[5:, R["event"]] = 1.0
    atoms = len(time_atoms(lines))
    day = np.zeros((n, n))
    day[5:, 4] = 1.0
    start, end = np.zeros((n, atoms + 1)), np.zeros((n, atoms + 1))
    start[:, -1] = end[:, -1] = 1.0
    decisions = PageDecisions(roles, np.ones((n, n)), day, start, end)
    [block] = decode_blocks(PageReading(width=300, height=160, lines=lines), decisions)
    assert block.name == "Homeroom"


@pytest.mark.parametrize(("roles", "name", "notes"), [
    (("event", "notes", "event"), "Biology", "Ms Hina R-14"),  # a room the model called a name
    (("event", "event", "notes"), "Computer Science", "Ms Hina"),  # a name over two lines
    (("notes", "event", "notes"), "10B", "Physics Lab 3"),  # a teacher's class heads the cell
    (("event", "notes", "notes"), "Maths", "Year 5 Rm 4"),  # the class written out: a note
])
def test_a_drawn_cell_s_name_is_read_in_one_go(roles, name, notes):
    page, decisions = _merged_cell_page()
    cell = page.lines[6].cell_box
    texts = {"Biology": ("Biology", "Ms Hina", "R-14"),
             "Computer Science": ("Computer", "Science", "Ms Hina"),
             "10B": ("10B", "Physics", "Lab 3"),
             "Maths": ("Year 5", "Maths", "Rm 4")}[name]
    lines = page.lines[:5] + [
        ReadLine(text=text, box=Box(x0=150, y0=70 + 25 * k, x1=210, y1=86 + 25 * k),
                 cell_box=cell, table=0, ruled=True) for k, text in enumerate(texts)]
    for k, role in enumerate(roles):
        decisions.roles[5 + k] = 0.0
        decisions.roles[5 + k, R[role]] = 1.0
    [block] = decode_blocks(PageReading(width=300, height=160, lines=lines), decisions)
    assert (block.name, block.notes) == (name, notes)


@pytest.mark.parametrize(("texts", "name", "notes"), [
    # A pupil's timetable: the teaching group's code over the subject over its room.
    ((("11M/Re4", 150, 70), ("RE", 150, 95), ("R2", 150, 120)), "RE", "11M/Re4 R2"),
    # A teacher's: the group's code over its room alone, a teacher code beside that: the code
    # names the lesson, however worded the room.
    ((("13/MaF", 150, 70), ("LIB", 150, 95), ("DHU", 250, 95)), "13/MaF", "LIB DHU"),
])
def test_a_teaching_group_s_code_is_a_note_where_a_subject_stands_under_it(texts, name, notes):
    page, decisions = _merged_cell_page()
    cell = page.lines[6].cell_box
    lines = page.lines[:5] + [
        ReadLine(text=text, box=Box(x0=x, y0=y, x1=x + 40, y1=y + 16), cell_box=cell, table=0,
                 ruled=True) for text, x, y in texts]
    decisions.roles[5:] = 0.0
    decisions.roles[5, R["event"]] = decisions.roles[6:, R["notes"]] = 1.0
    [block] = decode_blocks(PageReading(width=300, height=160, lines=lines), decisions)
    assert (block.name, block.notes) == (name, notes)
    # On a teacher's own timetable (its heading names a teacher, no class) the class taught
    # is the lesson, whatever subject is printed under it.
    [own] = decode_blocks(PageReading(width=300, height=160, lines=lines), decisions,
                          teachers_own=True)
    assert own.name == texts[0][0]


def test_a_word_turned_to_read_upwards_is_spelled_the_right_way_round():
    assert spelled(list("KAERB")) == "BREAK"  # letters found top down in a column read upwards
    assert spelled(list("LUNCH")) == "LUNCH"


def test_a_word_spelled_one_letter_a_day_names_every_day_s_block():
    week = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    letters = [TimeBlock(day=day, name=letter, start_time="12:50", end_time="13:30")
               for day, letter in zip(week, "LUNCH", strict=True)]
    other = TimeBlock(day="Monday", name="A", start_time="09:00", end_time="10:00")  # a set
    joined = join_spelled_across([*letters[::-1], other])
    assert [(b.day, b.name) for b in joined[:5]] == [(d, "LUNCH") for d in week[::-1]]
    assert joined[5].name == "A"


def test_a_day_card_heads_the_lines_under_it_up_to_the_next_card():
    from inference.document.decode import nearest_headers

    # Two cards stacked in one column: Monday above Thursday, times left, names right.
    lines = [line("Monday", 10, 0), line("8:30 - 9:15", 10, 30), line("English", 150, 30),
             line("Thursday", 10, 100), line("8:30 - 9:15", 10, 130), line("French", 150, 130),
             line("Tuesday", 400, 0)]
    reading = PageReading(width=600, height=200, lines=lines)
    headers = [0, 3, 6]
    # Monday stands behind Thursday, and Tuesday heads the next column of cards.
    assert nearest_headers(reading, [5], headers) == [3]
    # English: under Monday's card, neither the card further down nor the next column's.
    assert nearest_headers(reading, [2], headers) == [0]


def test_a_line_naming_days_and_a_term_over_the_grid_is_heading_not_a_day_header(grid):
    # "Fall 2026 · Monday - Saturday" under a title: the model calls it a day header.
    page, decisions = _with_other_lines(grid, [line("Fall 2026 · Monday - Saturday", 120, 2, 0, 1)])
    decisions.roles[-1] = 0.0
    decisions.roles[-1, R["day"]] = 1.0
    heading = decode_heading(page, decisions)
    assert (heading.term, heading.year) == ("Fall", 2026)


def test_a_phone_s_status_bar_is_no_heading_and_its_clock_no_time_header(grid):
    # A screenshot: the clock "7:12" and the battery's "68%" on one row at the very top.
    # All of them stand in the one table read from the page's text.
    page, decisions = _with_other_lines(grid, [line("7:12", 10, -40, 0, 0),
                                               line("68%", 300, -40, 0, 3),
                                               line("Term 1 · 2026", 10, 35, 0, 0)])
    decisions.roles[-3] = 0.0
    decisions.roles[-3, R["time"]] = 1.0  # the model calls the clock a time header
    heading = decode_heading(page, decisions)
    assert (heading.teacher, heading.term, heading.year) == ("Mrs Smith", "Term 1", 2026)


@pytest.mark.parametrize("network", ["···4G", "5G78%", "LTE"])
def test_a_status_bar_is_known_by_its_network_too(grid, network):
    # The battery read glued to the network ("5G78%"), or no battery at all: only signal
    # dots and "4G" beside the clock.
    page, decisions = _with_other_lines(grid, [line("9:41", 10, -40, 0, 0),
                                               line(network, 300, -40, 0, 3),
                                               line("Term 1 · 2026", 10, 35, 0, 0)])
    decisions.roles[-3] = 0.0
    decisions.roles[-3, R["time"]] = 1.0
    heading = decode_heading(page, decisions)
    assert (heading.term, heading.year) == ("Term 1", 2026)


def test_an_undrawn_card_under_one_day_of_a_row_of_days_is_that_day_s_whatever_the_pointer():
    # Days head the columns of a rule-less page; the pointer names Tuesday for a card standing
    # under Wednesday (a column over), and every day for a band written once across the week.
    # The row's label left of Monday's column, which the model calls an event, is none.
    lines = [
        line("Monday", 140, 20), line("Tuesday", 260, 20), line("Wednesday", 380, 20),  # 0-2
        line("AM Reg", 20, 60),                                                          # 3
        line("Humanities", 382, 60),                                                     # 4
        line("Lunch", 260, 100),                                                         # 5
    ]
    page = PageReading(width=500, height=200, lines=lines)
    n = len(lines)
    roles = _roles("day", "day", "day", "event", "event", "event")
    day = np.zeros((n, n))
    day[3, 0] = day[4, 1] = 1.0
    day[5, [0, 1, 2]] = 1.0
    start, end = np.zeros((n, 2)), np.zeros((n, 2))
    start[:, -1] = end[:, -1] = 1.0
    blocks = decode_blocks(page, PageDecisions(roles, np.eye(n), day, start, end))
    assert sorted((b.day, b.name) for b in blocks) == [
        ("Monday", "Lunch"), ("Tuesday", "Lunch"), ("Wednesday", "Humanities"),
        ("Wednesday", "Lunch")]


def test_a_calendar_box_found_only_as_its_text_keeps_the_range_printed_under_its_name():
    # A filled box the rulings missed: its region is its name's line ("Guided Reading" at
    # 11:35), so the scale at its bottom says 11:50; the pointers read "11:35 - 12:15"
    # printed under the name, starting where the box's top does.
    scale = CalendarFrame(minutes_per_pixel=1.0, minutes_at_top=0.0,
                          area=Box(x0=0, y0=0, x1=1000, y1=2000))
    name = Box(x0=100, y0=695, x1=300, y1=710)
    assert on_the_scale(scale, name, [], 695, 735, text_only=True) == (695, 735)
    # A drawn box keeps its edges: its bottom is its end, whatever the pointers chose.
    assert on_the_scale(scale, name, [], 695, 735) == (695, 710)
    # Pointers that start elsewhere than the box's top read some other box's time.
    assert on_the_scale(scale, name, [], 600, 735, text_only=True) == (695, 710)


def test_a_card_read_whole_and_by_its_first_lines_alone_is_one_block():
    box = Box(x0=100, y0=100, x1=300, y1=160)
    whole = TimeBlock(day="Friday", name="AP Environmental Sci Period 4 - Rm 302",
                      start_time="10:55", end_time="11:50", source_box=box)
    first = whole.model_copy(update={"name": "AP Environmental Sci",
                                     "source_box": Box(x0=100, y0=100, x1=300, y1=130)})
    elsewhere = first.model_copy(update={"source_box": Box(x0=400, y0=100, x1=600, y1=130)})
    signals = [None, None, None]
    assert once_each([first, whole], signals[:2])[0] == [whole]
    # The same lesson's name in another cell at the same time is a block of its own.
    assert once_each([elsewhere, whole], signals[:2])[0] == [elsewhere, whole]


def test_a_header_of_legend_labels_makes_a_key_unless_it_names_days_or_times():
    def row(texts: list[str], y: int) -> list[ReadLine]:
        return [line(text, 10 + 120 * k, y) for k, text in enumerate(texts)]

    legend = row(["Subject Code", "Subject", "Cr. Hrs", "Teacher"], 20) + row(
        ["EE-341", "Power Electronics", "3+1", "Dr. Memon"], 50)
    assert key_lines(PageReading(width=600, height=100, lines=legend)) == set(range(8))
    # A college's list of its week: the rows are events.
    records = row(["Course Code", "Course Title", "Day", "Time", "Lecturer"], 20) + row(
        ["EE-341", "Power Electronics", "Monday", "9:00-10:00", "Dr. Memon"], 50)
    assert key_lines(PageReading(width=700, height=100, lines=records)) == set()
