"""Records table: a timetable kept as a list, one lesson a row, under a header row naming its
fields ("Day | Start | End | Subject | Room | Teacher", "Weekday | From | To | Course",
"Day | Time | Lesson | Class").

Such a table is no grid of days and slots: a reader takes each row as one event, its day from
the Day column (written on the row, or once for the day's first row, or in a cell spanning
the day's rows) or, where the header names no day, from the row over its section that names
one alone ("Monday 13/01/2025" over rows of "Time | Activity | Room | Staff"); its times from
the row's own Start and End (or one Time range), its name from the name column (Subject,
Lesson, Course, …) and its notes from the room, teacher and class columns, left to right. The
document model, taught on grids, reads such rows as a grid with days down a column and gets
the days and times wrong; so where a header row names at least a name and a time column, its
rows are read here, and the decoding makes one block of each
(`decode.decode_blocks_with_signals`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from statistics import median

from inference.document.features import ReadLine
from inference.schema import Box
from inference.timeparse import is_time_text, parse_day_codes

# Header words, lower case, punctuation and spaces squeezed out ("Start time" → "starttime").
DAY = {"day", "days", "weekday"}
START = {"start", "starts", "starttime", "from", "begin", "begins", "timefrom"}
END = {"end", "ends", "endtime", "to", "finish", "finishes", "until", "timeto"}
RANGE = {"time", "times", "timing"}
# The name column: the first of these the header has ("Course | Title": the course's code is
# a note of its title; "Course code | Description": the description names the lesson).
NAMES = ["subject", "lesson", "title", "course", "module", "activity", "event", "class",
         "description"]
NOTES = {"room", "rooms", "location", "venue", "teacher", "teachers", "staff", "tutor",
         "lecturer", "instructor", "class", "group", "notes", "building", "code", "coursecode",
         "subjectcode"}
FIELD_WORDS = DAY | START | END | RANGE | set(NAMES) | NOTES
# A period number's column ("Per. | Time | Class" over each day's table): labels no field
# of a record, but a column all the same.
PERIOD = {"per", "period", "pd", "block"}
# A gap between rows this many times the usual row pitch ends the table.
TABLE_GAP = 2.5


@dataclass(frozen=True)
class Record:
    """One row of a records table: its name and notes lines, the line naming its day, and the
    time atoms (indices into `features.time_atoms`) of its start and end."""

    names: list[int]
    notes: list[int]
    day: int
    times: list[int]


@dataclass(frozen=True)
class RecordsTable:
    """The rows read as events, every line of the table (its header row, and rows too short
    to be events): lines no other reading should take, and the days of the Days column's
    lines that name them only in codes ("MWF"), by line."""

    rows: list[Record]
    lines: set[int]
    days: dict[int, list[str]] = dataclass_field(default_factory=dict)


def _word(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def column_labels(lines: list[ReadLine]) -> set[int]:
    """Lines naming a column ("Time", "Subject", "Room") beside another such line on their row:
    a table's sub-header (each day's "Time | Subject" under its name), never an event."""
    labels = [i for i, line in enumerate(lines) if not line.angle
              and not any(c.isdigit() for c in line.text)
              and _word(line.text) in FIELD_WORDS | PERIOD]
    return {i for i in labels if any(
        j != i and abs(lines[j].box.cy - lines[i].box.cy)
        < 0.5 * max(lines[j].box.height, lines[i].box.height) for j in labels)}


# A legend table's column labels (a college sheet's "Subject Code | Abbreviation | Subject |
# Cr. Hrs | Teacher" under its grid), letters only: what the codes stand for, no lessons.
_LEGEND_COLUMNS = {"code", "subjectcode", "coursecode", "abbreviation", "abbr", "subject",
                   "subjectname", "course", "coursetitle", "crhrs", "credit", "credits",
                   "teacher", "faculty", "facultyname", "nameoffaculty", "instructor",
                   "lecturer"}
MIN_LEGEND_COLUMNS = 3


def legend_lines(lines: list[ReadLine]) -> set[int]:
    """The lines of a legend: a row of at least `MIN_LEGEND_COLUMNS` legend column labels
    and what stands under it across their span in the same table (the structure may rule
    the legend into the grid's table above it)."""
    labels = [i for i, line in enumerate(lines) if _word(line.text) in _LEGEND_COLUMNS]
    found: set[int] = set()
    for i in labels:
        row = [j for j, line in enumerate(lines) if line.table == lines[i].table
               and abs(line.box.cy - lines[i].box.cy) < 0.5 * lines[i].box.height]
        words = [_word(lines[j].text) for j in row]
        # A records table's header names its days and times too ("Course Code | Course Title
        # | Day | Time | Room | Lecturer"): its rows are events.
        if (sum(word in _LEGEND_COLUMNS for word in words) < MIN_LEGEND_COLUMNS
                or any(word in DAY | START | END | RANGE for word in words)):
            continue
        span = Box.enclosing([lines[j].box for j in row if j in labels])
        found.update(j for j, line in enumerate(lines)
                     if line.table == lines[i].table and line.box.cy >= span.y0
                     and span.x0 - span.height <= line.box.cx <= span.x1 + span.height)
    return found


def _header(lines: list[ReadLine]) -> dict[str, int] | None:
    """The topmost row of header words naming a day, a name and a time column, else (days
    heading sections) a name and a time column, each field once: field → line index (notes
    columns as "notes:<k>")."""
    rows: dict[int, dict[str, int]] = {}
    said: dict[int, list[str]] = {}  # each row's field words, repeats kept
    for i, line in enumerate(lines):
        word = _word(line.text)
        if not word or line.angle:
            continue
        if word[:-1] in FIELD_WORDS and word not in FIELD_WORDS:
            word = word[:-1]  # a web table's sort arrow read as a letter ("Dayt", "End t")
        row = next((r for r in rows if abs(lines[r].box.cy - line.box.cy)
                    < 0.5 * max(lines[r].box.height, line.box.height)), i)
        fields = rows.setdefault(row, {})
        if word in FIELD_WORDS:
            said.setdefault(row, []).append(word)
        for field, words in (("day", DAY), ("start", START), ("end", END), ("range", RANGE)):
            if word in words and field not in fields:
                fields[field] = i
        if word in NAMES:
            fields[f"name:{NAMES.index(word)}"] = i
        elif word in NOTES:
            fields[f"notes:{i}"] = i
    # A header naming the day's column first; else one without, each field once (the days
    # head sections of one table, not each its own "Time | Subject" side by side).
    for needs_day in (True, False):
        for row in sorted(rows, key=lambda r: lines[r].box.y0):
            fields = dict(rows[row])
            names = sorted(key for key in fields if key.startswith("name:"))
            once = len(set(said.get(row, []))) == len(said.get(row, []))
            if (("day" in fields or not needs_day and once) and names
                    and ("start" in fields or "range" in fields)):
                chosen = fields.pop(names[0])
                for key in names[1:]:  # "Lesson | Class": the second name column is a note's
                    line = fields.pop(key)
                    fields[f"notes:{line}"] = line
                fields["name"] = chosen
                return fields
    return None


def _columns(lines: list[ReadLine], header: dict[str, int]) -> list[tuple[str, float, float]]:
    """(field, left, right) of each header's column: from a little left of its header to a
    little left of the next (a header stands at its cell's left or centre; a sheet writes
    times flush right in their cells, up to the next header)."""
    ordered = sorted(header.items(), key=lambda item: lines[item[1]].box.x0)
    columns = []
    for k, (field, i) in enumerate(ordered):
        slack = lines[i].box.height / 2
        right = (1e9 if k + 1 == len(ordered) else lines[ordered[k + 1][1]].box.x0 - slack)
        columns.append((field, -1e9 if k == 0 else lines[i].box.x0 - slack, right))
    return columns


def _column_of(line: ReadLine, columns: list[tuple[str, float, float]]) -> str | None:
    """The field of the column the line overlaps most; a clock time goes to a time column it
    overlaps and a worded line to another, where it overlaps both kinds."""
    timed = is_time_text(line.text)
    spans = [(min(line.box.x1, right) - max(line.box.x0, left), field)
             for field, left, right in columns]
    touching = [(overlap, field) for overlap, field in spans if overlap > 0]
    fitting = [(overlap, field) for overlap, field in touching
               if (field in ("start", "end", "range")) == timed]
    return max(fitting or touching, default=(0.0, None))[1]


def _rows(lines: list[ReadLine], below: float) -> list[list[int]]:
    """The lines under the header, in text rows top down, up to a gap far wider than the
    rows' usual pitch."""
    body = sorted((i for i, line in enumerate(lines) if line.box.cy > below and not line.angle),
                  key=lambda i: lines[i].box.cy)
    rows: list[list[int]] = []
    for i in body:
        if rows and abs(lines[rows[-1][0]].box.cy - lines[i].box.cy) < 0.5 * lines[i].box.height:
            rows[-1].append(i)
        else:
            rows.append([i])
    tops = [min(lines[i].box.cy for i in row) for row in rows]
    pitch = median([b - a for a, b in zip(tops, tops[1:], strict=False)] or [0.0])
    for k in range(1, len(rows)):
        if pitch and tops[k] - tops[k - 1] > TABLE_GAP * pitch:
            return rows[:k]
    return rows


def read_records(lines: list[ReadLine], atoms: list[tuple[int, int, int]],
                 day_names: list[list[str]]) -> RecordsTable:
    """The page's records table (see the module); no rows and no lines where it has none."""
    header = _header(lines)
    if header is None:
        return RecordsTable([], set())
    columns = _columns(lines, header)
    below = max(lines[i].box.y1 for i in header.values())
    atoms_of: dict[int, list[int]] = {}
    for k, (i, _, _) in enumerate(atoms):
        atoms_of.setdefault(i, []).append(k)
    records: list[Record] = []
    taken = set(header.values())
    coded: dict[int, list[str]] = {}
    day: int | None = None
    for row in _rows(lines, below):
        taken.update(row)
        if "day" not in header and len(row) == 1 and day_names[row[0]]:
            day = row[0]  # a section's day over its rows ("Monday 13/01/2025")
            continue
        fields: dict[str, list[int]] = {}
        for i in sorted(row, key=lambda i: lines[i].box.x0):
            column = _column_of(lines[i], columns)
            if column is not None:
                fields.setdefault(column.split(":")[0], []).append(i)
        # In the Days column, a registrar's codes name days too ("MWF": one block each).
        coded.update({i: codes for i in fields.get("day", []) if not day_names[i]
                      and (codes := parse_day_codes(lines[i].text))})
        days = [i for i in fields.get("day", []) if day_names[i] or i in coded]
        day = days[0] if days else _spanning_day(lines, day_names, row, day)
        times = [k for column in ("start", "end", "range") for i in fields.get(column, [])
                 for k in atoms_of.get(i, [])]
        names = [i for i in fields.get("name", []) if any(c.isalpha() for c in lines[i].text)]
        if day is None or not names or not times:
            continue
        records.append(Record(names=names, notes=fields.get("notes", []), day=day,
                              times=times[:2]))
    if "day" not in header and not records:
        return RecordsTable([], set())  # "Time | Subject" over a grid: no sections, no records
    return RecordsTable(records, taken, coded)


def _spanning_day(lines: list[ReadLine], day_names: list[list[str]], row: list[int],
                  last: int | None) -> int | None:
    """A row with no day written on it: the day whose drawn cell spans it (a day centred in
    the cell of its rows), else the last day written above it (written once per day)."""
    middle = median(lines[i].box.cy for i in row)
    spanning = [j for j, names in enumerate(day_names) if names and lines[j].ruled
                and lines[j].region.y0 <= middle <= lines[j].region.y1
                and lines[j].region.height > 2 * lines[j].box.height]
    return spanning[0] if spanning else last
