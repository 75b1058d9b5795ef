"""The document model's decisions → timeblocks and heading. Deterministic formatting only:
which lines form an event, which day names and written times the pointers chose; beside each
block, the probabilities and readings those choices rested on (`signals.BlockSignals`)."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from inference.document.features import (
    PageReading,
    cell_key,
    in_reading_order,
    line_days,
    time_atoms,
)
from inference.document.grid import Grid, is_drawn_cell, restrict
from inference.document.inputs import ROLES, word_pieces
from inference.document.records import column_labels, legend_lines, read_records
from inference.document.signals import BlockSignals
from inference.heading import (
    Heading,
    field_value,
    heading_text,
    names_another_role,
    parse_heading,
    plausible,
)
from inference.schema import DAYS, Box, CalendarFrame, TimeBlock
from inference.timeparse import (
    day_ranges,
    find_times,
    is_time_text,
    parse_day,
    strip_times,
    to_hhmm,
    without_day_words,
)

_EVENT, _NOTES, _OTHER = ROLES.index("event"), ROLES.index("notes"), ROLES.index("other")
_TIME, _DAY = ROLES.index("time"), ROLES.index("day")
_FIELDS = {"teacher": "teacher", "class": "class_name", "term": "term", "year": "year"}
STATUS_BAR = 0.1  # the share of the page's height a status bar stands in, at its top
# A phone's status bar beside its clock: the battery level, the network ("4G", "LTE", behind
# signal dots "···4G"), or both read as one ("5G78%").
_STATUS = re.compile(r"^(?=.*(?:G|LTE|%))[·•.\s]*(?:(?:[2345]G\+?|LTE)\s?)?(?:\d{1,3}\s?%)?$")
# A time printed before a name on its row (`times_beside`): centres this share of the taller
# line's height apart at most, the smaller line this share of the taller's height at least.
# (Digits have no descender: "10.35 - 11.40" stands 0.65 of "English" beside it.)
ROW_SLACK = 0.25
ROW_SIZE = 0.6
# A drawn cell holding this many list rows (a time, then a name) is a day's list, not a cell.
LIST_CELL_ROWS = 3
# ... and at most this many of the name's heights before it (a list's column of times beside
# its column of names; the time of the next cell over in a grid stands further off).
ROW_GAP = 10
# A line under a list row's time in print this much smaller than the row's name is the row's
# sub-line (a set, a room), not a name the time heads.
SUB_LINE = 0.9
# A time a calendar box prints alone is its start within this many minutes of its top.
SCALE_SLACK = 15
# Below this day-pointer probability for every day header, an "event" belongs to no day. Chosen
# on the training set's held-out split (see the note of issue 5), never on dev or bench pages.
MIN_DAY = 0.1
# Day headers the pointer scores within this of its best are a tie the page's geometry breaks.
DAY_TIE = 0.05
# Two event/notes lines with a same-event probability above this (averaged both ways) are one
# timeblock. Chosen on the same held-out split.
SAME_EVENT = 0.35


@dataclass
class PageDecisions:
    """Probabilities from one forward pass, as numpy arrays."""

    roles: np.ndarray  # (n, R) softmax
    group: np.ndarray  # (n, n) sigmoid
    day: np.ndarray  # (n, n) sigmoid
    start: np.ndarray  # (n, A + 1) softmax; last column = no time written
    end: np.ndarray

    @classmethod
    def from_logits(cls, logits: dict[str, np.ndarray]) -> PageDecisions:
        return cls(roles=_softmax(logits["roles"]), group=_sigmoid(logits["group"]),
                   day=_sigmoid(logits["day"]), start=_softmax(logits["start"]),
                   end=_softmax(logits["end"]))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(-1, keepdims=True))
    return shifted / shifted.sum(-1, keepdims=True)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    # The tanh form never overflows (masked pairs carry logits of -1e4).
    return 0.5 * (1 + np.tanh(0.5 * logits))


# A name line ending so goes on in the next line ("Karakia &" over "Roll").
_GOES_ON = re.compile(r"(?:[&+,/-]|\band)$", re.IGNORECASE)


def goes_on_into(reading: PageReading, a: int, b: int) -> bool:
    """Whether line `a` ends in "&" (and the like) and `b` is the line right under it, both
    lying flat (a standing line's next is beside it, not under it)."""
    top, under = reading.lines[a].box, reading.lines[b].box
    # The geometry first: the pattern is searched only for a line with one right under it.
    return (a != b and not reading.lines[a].angle and not reading.lines[b].angle
            and 0 <= under.y0 - top.y1 <= top.height and under.x_overlap(top) > 0
            and bool(_GOES_ON.search(reading.lines[a].text.strip())))


# The last words of a sentence run onto a line of their own: lower case, a full stop.
_TAIL = re.compile(r"^[a-z][a-z ]*\.$")


def sentence_tail(reading: PageReading, members: list[int], event_lines: set[int]) -> bool:
    """Whether the event is a note's last words ("uniform." under "Reminder: … label all"): a
    lower-case line ending in a full stop, right under a line that is no event, on its left
    edge."""
    if len(members) != 1 or not _TAIL.match(reading.lines[members[0]].text.strip()):
        return False
    tail = reading.lines[members[0]].box
    return any(j not in event_lines and j != members[0]
               and -tail.height / 2 <= tail.y0 - line.box.y1 <= tail.height
               and abs(line.box.x0 - tail.x0) <= tail.height
               for j, line in enumerate(reading.lines))


def event_groups(reading: PageReading, event_lines: list[int], group: np.ndarray
                 ) -> list[list[int]]:
    """Connected components of event/notes lines linked with probability > `SAME_EVENT`, or
    sharing one ruled cell: the cell is the unit (a subject with its teacher code and room in
    the corners is one event), and lines of two ruled cells are never linked. The structure
    stage has already split a region that visibly holds several entries
    (`structure.split_crowded_cells`)."""
    parent = {i: i for i in event_lines}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cell = {i: cell_key(reading.lines[i]) if is_drawn_cell(reading.lines[i]) else None
            for i in event_lines}
    for a in event_lines:
        for b in event_lines:
            # Two drawn cells are two events: a link across a ruling is the model's guess.
            apart = cell[a] is not None and cell[b] is not None and cell[a] != cell[b]
            if a < b and not apart and (group[a, b] + group[b, a]) / 2 > SAME_EVENT:
                parent[root(a)] = root(b)
    for a in event_lines:
        for b in event_lines:
            if (cell[a] == cell[b] or None in (cell[a], cell[b])) and goes_on_into(reading, a, b):
                parent[root(a)] = root(b)
    first_in_cell: dict[tuple, int] = {}
    for i in event_lines:
        if cell[i] is not None:
            parent[root(i)] = root(first_in_cell.setdefault(cell[i], i))
    groups: dict[int, list[int]] = {}
    for i in event_lines:
        groups.setdefault(root(i), []).append(i)
    return [item for members in groups.values() for item in list_items(reading, members)]


# A list's item number before its words ("1. Welcome", "2) Phonics"), not a decimal ("2.5 hrs").
_LIST_ITEM = re.compile(r"^\s*(\d{1,2})\s*[.)]\s*(?=[^\W\d_])")


def list_items(reading: PageReading, members: list[int]) -> list[list[int]]:
    """A group whose lines number a list's items ("1. Welcome & self-" over "registration",
    then "2. Phonics"), two numbers at least, is one event an item: each numbered line with
    the unnumbered lines under it in its column, up to the next item. The model links the
    lines of a day's untimed list as one run of words; the numbers say where each begins."""
    numbers = {i: int(m.group(1)) for i in members
               if (m := _LIST_ITEM.match(reading.lines[i].text))}
    if len(set(numbers.values())) < 2:
        return [members]
    items: dict[int, list[int]] = {i: [i] for i in numbers}
    for j in members:
        if j in numbers:
            continue
        box = reading.lines[j].box
        column = [i for i in numbers if reading.lines[i].box.x_overlap(box) > 0]
        above = [i for i in column if reading.lines[i].box.y0 <= box.y0]
        # A line over the list's first item (its title) goes with that item.
        owner = (max(above, key=lambda i: reading.lines[i].box.y0) if above else
                 min(column, key=lambda i: reading.lines[i].box.y0) if column else None)
        items.setdefault(j if owner is None else owner, []).append(j)
    return [sorted(item) for item in items.values()]


def by_value(p: np.ndarray, minutes: list[int]) -> tuple[list[int], np.ndarray]:
    """(the distinct written times, ascending; the pointer's summed probability on each one's
    copies, with "no time written" last)."""
    values = sorted(set(minutes))
    index = {v: k for k, v in enumerate(values)}
    summed = np.zeros(len(values) + 1)
    for atom, v in enumerate(minutes):
        summed[index[v]] += p[atom]
    summed[-1] = p[-1]
    return values, summed


def time_pair(start_p: np.ndarray, end_p: np.ndarray, minutes: list[int]
              ) -> tuple[int | None, int | None, float]:
    """(start minutes, end minutes, joint probability): the most probable pair of written
    times with the end after the start; None is "no time written", which pairs with anything.

    Training rewards the pointer for the total probability on every written copy of the right
    time ("9:00" ends one slot and starts the next), so decoding compares times the same way:
    by the summed probability of their copies, not by the single most probable copy."""
    values, start_v = by_value(start_p, minutes)
    _, end_v = by_value(end_p, minutes)
    value = np.array([*values, -1])
    none = np.arange(len(values) + 1) == len(values)
    valid = (value[None, :] > value[:, None]) | none[:, None] | none[None, :]
    joint = np.where(valid, start_v[:, None] * end_v[None, :], 0.0)
    s, e = np.unravel_index(int(joint.argmax()), joint.shape)
    return (None if none[s] else int(value[s]), None if none[e] else int(value[e]),
            float(joint[s, e]))


def range_end(atoms: list[tuple[int, int, int]], start_p: np.ndarray, start: int
              ) -> int | None:
    """Where no geometry says which time ends the event and the pointer says none: the end of
    the printed range whose start it took ("8:45-9:05" over an unruled column of boxes). A
    start-only header has no range to end, and the end stays unwritten."""
    copies = [k for k, atom in enumerate(atoms) if atom[2] == start]
    k = max(copies, key=lambda k: start_p[k], default=None)
    if k is None or k + 1 >= len(atoms):
        return None
    (line, position, _), (next_line, next_position, minutes) = atoms[k], atoms[k + 1]
    same_range = next_line == line and next_position == position + 1 and minutes > start
    return minutes if same_range else None


_NAME_LIKE = re.compile(r"[^\W\d_]{2}")  # a run of two letters: a word or a course code, not a time
_MERIDIEM = re.compile(r"(?<=\d)\s*[ap]\.?m\b\.?", re.IGNORECASE)  # "1210pm": a garbled time
_MERIDIEM_ALONE = re.compile(r"\s*(?:[ap]\.?\s?m\.?|m)\s*", re.IGNORECASE)
# "PM" read apart from its time ("1:20" then "PM" along the row): no event's name.
_MERIDIEM_WORD = re.compile(r"\b[ap]\.?m\b\.?", re.IGNORECASE)
_TEACHER_CODE = re.compile(r"^[A-Z]{2,4}$")  # "BRN", "MAY": a teacher's initials
_CLASS_TAUGHT = re.compile(r"^\d{1,2}[A-Z]{1,3}\d?$")  # "10B", "8R2": a teacher's class, a name
# "Year 5", "Grade 3": the class a teacher takes, written out.
_CLASS_WRITTEN_OUT = re.compile(r"^(?:year|yr|grade|class)\s*\d{1,2}[A-Z]?$", re.IGNORECASE)
# "11M/Re4", "9K/Fr2", "13/MaF", "Y9 Gg/2", "L6 Ec/A": a teaching group's code (year, form or
# sixth-form year, subject, "/", set).
_GROUP_CODE = re.compile(r"^(?=.*[A-Za-z])[YLU]?\d{1,2}[A-Za-z]{0,3}\s?[A-Za-z]{0,4}\s?/\s?"
                         r"[A-Za-z0-9][\w:]{0,5}$")
_INITIALS = re.compile(r"^[A-Z](?:\s?[&/.]\s?[A-Z])+\.?$")  # a subject's initials: "D&T", "P.E."
# A remark in sentences under the timetable ("Times are shown in local time. Activities …"):
# eight words or more, one sentence ended and another begun. No event is named so. A title's
# full stop ("Engr. Bilal Ahmed", "Prof. Khan" under a lab's name) ends no sentence.
_SENTENCE = re.compile(r"^(?=(?:\S+\s+){7}\S).*(?<![A-Za-z])(?!(?:Engr|Prof|Asst|Assoc|Capt|Hon)\.)"
                       r"[A-Za-z]*[a-z]{3}\.\s+[A-Z][a-z]")
# A footnote under a table ("* Sport on Wednesday afternoon: bring a hat", "* Roll call
# 08:25 in C1."): a line opening with an asterisk or a dagger and running to four words or
# more, never an event.
_FOOTNOTE = re.compile(r"^\s*[*†‡]\s*\S+(?:\s+\S+){3,}")
# A colour key's title ("Key", "Legend", "Colour key:") or a college legend's ("Faculty /
# Subject Details"): the names beside it or in the row or two under it name kinds of lesson
# or the staff, not lessons.
_KEY_TITLE = re.compile(r"^\s*(?:(?:colou?r\s+|subject\s+)?(?:key|legend)"
                        r"|(?:faculty|subject|course|staff)\s*(?:/\s*(?:faculty|subject|course)\s*)?"
                        r"(?:details|names|list))\s*:?\s*$", re.IGNORECASE)
# How far under its title (in the title's heights) a key's rows reach.
KEY_ROWS = 2.5


def key_lines(reading: PageReading) -> set[int]:
    """Lines that make up a key: outside every table, its title and the names right of it on
    its line or in the rows just under it (a colour key); in a table, a title heading the
    table (no line of it above the title) makes the whole table a key (abbreviations and what
    they stand for, where "Fr" for French reads as a day); a header row of a legend's column
    labels ("Subject Code | Subject | Teacher") makes what is under it a key."""
    found = legend_lines(reading.lines)
    for k, title in enumerate(reading.lines):
        if not _KEY_TITLE.match(title.text):
            continue
        if title.table >= 0:
            table = [j for j, line in enumerate(reading.lines) if line.table == title.table]
            if all(reading.lines[j].box.y1 > title.box.y0 for j in table):
                found.update(table)
            continue
        t = title.box
        found.add(k)
        found.update(j for j, other in enumerate(reading.lines) if other.table < 0 and (
            (other.box.x0 > t.x1 and other.box.y0 < t.y1 and other.box.y1 > t.y0)
            or 0 <= other.box.y0 - t.y1 <= KEY_ROWS * t.height))
    return found


# "Week A", "WEEK 2": a two-week rota's heading over its table, never an event.
_WEEK_LABEL = re.compile(r"^(?:week|wk)\s*[A-Z0-9]$", re.IGNORECASE)
# A list row's period label before its name ("Period 3: Science, Lab 2, 11:05-12:00",
# "Lesson 2 - Maths"): the period's, not the event's name.
_PERIOD_LABEL = re.compile(r"^(?:period|lesson|p)\s*\d{1,2}\s*[:.\-–]\s*(?=\S)", re.IGNORECASE)
# A printout's page number ("Page 1 of 1", "page 2/3"), never an event.
_PAGE_NUMBER = re.compile(r"^\s*page\s*\d+\s*(?:of|/)\s*\d+\s*$", re.IGNORECASE)
# An app's button in a screenshot ("+ Add a card", "+ New event", "Add lesson"), never an event.
_UI_ACTION = re.compile(r"^(?:[+＋]\s*(?:add|new|create)\b|(?:add|create) (?:an? )?"
                        r"(?:card|event|item|task|lesson|entry)s?$)", re.IGNORECASE)


# An app's navigation tabs along the screen's foot ("Home", "Schedule", "Grades", "Messages").
_TAB_WORDS = {"home", "schedule", "grades", "messages", "profile", "settings", "calendar",
              "inbox", "notifications", "more", "dashboard", "classes", "courses", "assignments",
              "timetable", "menu", "search", "account", "today", "chat", "people", "files",
              "homework", "reports", "attendance", "news", "planner", "tasks", "exams", "me",
              "results", "marks", "notices", "alerts", "feed"}
MIN_TABS = 3
# A tab's word misread ("Homewori", "Mcre") is still one, beside two read right at least.
TAB_LIKE = 70


# A spreadsheet's own name for a sheet ("Sheet3", "Sheet 1"): its row is the sheet tabs.
_SHEET_TAB = re.compile(r"^sheet\s?\d{1,2}$", re.IGNORECASE)


def app_tab_bar(reading: PageReading, n: int) -> set[int]:
    """The lines of an app's tab bar: three or more navigation words on one row, and nothing
    else on it (a screenshot's foot, not a day's events); two of them read right at least.
    Or a spreadsheet's sheet tabs under its grid: the row holding a "Sheet2"."""
    lines = reading.lines[:n]
    tabs: set[int] = set()
    for line in lines:
        row = [j for j, other in enumerate(lines)
               if abs(other.box.cy - line.box.cy) < 0.5 * max(line.box.height, other.box.height)]
        words = [lines[j].text.strip().lower() for j in row]
        exact = sum(word in _TAB_WORDS for word in words)
        if _SHEET_TAB.match(line.text.strip()) or len(row) >= MIN_TABS and exact >= 2 and all(
                process.extractOne(word, _TAB_WORDS, scorer=fuzz.ratio, score_cutoff=TAB_LIKE)
                for word in words):
            tabs.update(row)
    return tabs


def _text(reading: PageReading, indices: list[int]) -> str:
    ordered = in_reading_order(reading.lines, indices)
    parts = [part for part in (strip_times(reading.lines[i].text) for i in ordered) if part]
    # A word spelled letter by letter down a column ("L", "U", "N", "C", "H") is one word, also
    # where the reading took some of its letters as one line ("L" over "UNCH"), or a scan's
    # speck beside a letter as a stop ("C.", "S:").
    letters = [part.strip(".,:;'`") for part in parts]
    if len(parts) > 2 and all(len(letter) == 1 for letter in letters):
        return spelled(letters)
    boxes = [reading.lines[i].box for i in ordered]
    if (len(parts) == len(ordered) == 2 and any(len(p) == 1 for p in parts)
            and all(p.isalpha() and p.isupper() for p in parts)
            and all(a.x_overlap(b) > 0 for a in boxes for b in boxes)):
        # Stacked upright its pieces read top down ("L" over "UNCH"); turned to read upwards,
        # bottom up ("TEA" under "B" under "REAK"): whichever is more a word.
        down = sorted(range(len(parts)), key=lambda k: boxes[k].y0)
        return min(("".join(parts[k] for k in down), "".join(parts[k] for k in down[::-1])),
                   key=lambda word: vocabulary_fit(word)[1])
    return " ".join(parts).strip()


def spelled(letters: list[str]) -> str:
    """The word spelled by `letters`, read forwards or backwards, whichever is more a word (fewer
    word pieces): a word turned to read bottom to top ("B R E A K" up a column) has its letters
    found top down, "KAERB"."""
    forwards, backwards = "".join(letters), "".join(reversed(letters))
    return min((forwards, backwards), key=lambda word: vocabulary_fit(word)[1])


def name_and_notes(reading: PageReading, members: list[int], role: np.ndarray, grid: Grid,
                   teachers_own: bool = False) -> tuple[list[int], list[int]]:
    """Which lines of one event are its name and which its notes. The model's roles decide,
    with one thing a reader sees at once: in a drawn cell, the codes in its corners are notes,
    and when nothing is left to name the event, the line nearest the cell's centre is the
    name, and otherwise the cell's first line is (a cell reads top down; a teacher's class
    such as "10B" and a subject's initials such as "D&T" are lines of words here). A name is
    read in one go: its lines end at the first other worded line. The letters of a word
    spelled down a cell are all its name."""
    if all(len(reading.lines[i].text.strip()) == 1 for i in members):
        return list(members), []  # a word spelled letter by letter down a cell
    # A meridiem the reading split off its time ("155-245" then "pm") names nothing.
    members = [i for i in members if not _MERIDIEM_ALONE.fullmatch(reading.lines[i].text)
               ] or members
    names = [i for i in members if role[i] == _EVENT] or list(members)
    corner = grid.corner_lines(members)
    plain = [i for i in members if i not in corner]
    names = [i for i in names if i not in corner] or plain[:1] or names
    subjects = _subject_lines(reading, _worded_lines(reading, plain), members, teachers_own)
    if subjects and not any(i in subjects for i in names):
        names = subjects[:1]
    # A name has a word: a range printed beside it in the cell ("Homeroom  7:50 AM – 8:05 AM"
    # along a short calendar box, the name in its corner) names nothing.
    with_words = [i for i in members if _NAME_LIKE.search(strip_times(reading.lines[i].text))]
    if not any(i in with_words for i in names):
        names = ([i for i in plain if i in with_words][:1]
                 or [i for i in members if i in with_words and role[i] == _EVENT] or names)
    if corner or len(plain) < len(members) or not grid.in_one_cell(members):
        names = _whole_name(reading, members, _first_run(reading, members, names))
        return names, [i for i in members if i not in names]
    # A cell (drawn, or a card read from the text) whose first worded line the model did not
    # call the name: that line is. A bracketed line is a sub-line, and one without a word (a
    # time OCR garbled) no name.
    worded = _worded_lines(reading, plain)
    subjects = _subject_lines(reading, worded, members, teachers_own)
    if subjects:
        worded, names = subjects, [i for i in names if i in subjects]
    if worded and worded[0] not in names:
        names = [worded[0]]
    names = _whole_name(reading, members, _first_run(reading, members, names))
    return names, [i for i in members if i not in names]


def _subject_lines(reading: PageReading, ordered: list[int], members: list[int],
                   teachers_own: bool) -> list[int]:
    """Of a cell's worded lines (in reading order), those that may name its subject where another
    names the class it is taught to, a note then: "Year 5" written out over "Maths" over "Rm 4"
    on a staff timetable, or a teaching group's code over its subject ("11M/Re4" over "RE" over
    its room and teacher, on a pupil's). Under a group's code a subject has no digit and a line
    of the cell (`members`) under it: a teacher's "10X/Ma2" over its room alone ("Lab 3",
    "LIB") is named by the code, and so is every group on a teacher's own timetable
    (`teachers_own`: the class taught is the lesson there, "9Y/Fr1" over "French" over
    "L3"). [] where no line names a class."""
    texts = {i: reading.lines[i].text.strip() for i in ordered}
    written = {i for i in ordered if _CLASS_WRITTEN_OUT.match(texts[i])}
    codes = set() if teachers_own else {i for i in ordered if _GROUP_CODE.match(texts[i])}
    if not written and not codes:
        return []

    def over_another(i: int) -> bool:
        return any(reading.lines[j].box.cy > reading.lines[i].box.y1 for j in members)

    return [i for i in ordered if i not in written | codes
            and not (codes and (any(c.isdigit() for c in texts[i]) or not over_another(i)))]


def _worded_lines(reading: PageReading, lines: list[int]) -> list[int]:
    """`lines` in reading order that may name an event: words (a time garbled with its "pm"
    is none), a class taught ("10B"), a subject's initials ("D&T"); a bracketed sub-line
    never."""
    return [i for i in in_reading_order(reading.lines, lines)
            if (_NAME_LIKE.search(_MERIDIEM.sub("", reading.lines[i].text))
                or _CLASS_TAUGHT.match(reading.lines[i].text.strip())
                or _INITIALS.match(reading.lines[i].text.strip()))
            and not reading.lines[i].text.lstrip().startswith("(")]


def _whole_name(reading: PageReading, members: list[int], names: list[int]) -> list[int]:
    """`names` with the lines it runs on from or into: the line before it when that line ends
    in "&", "and", a comma or a hyphen, and the line after a name line that ends so."""
    ordered = in_reading_order(reading.lines, members)
    run = [i for i in ordered if i in names]
    if not run or len(run) != len(names):
        return names
    first, last = ordered.index(run[0]), ordered.index(run[-1])
    if last - first + 1 != len(run):
        return names  # not one run of lines: left as the model said
    while first > 0 and _GOES_ON.search(reading.lines[ordered[first - 1]].text.strip()):
        first -= 1
    while (last + 1 < len(ordered) and _GOES_ON.search(reading.lines[ordered[last]].text.strip())
           and strip_times(reading.lines[ordered[last + 1]].text)):
        last += 1
    return ordered[first:last + 1]


def _first_run(reading: PageReading, members: list[int], names: list[int]) -> list[int]:
    """The name lines read before any other worded line: a name is read in one go, so a line
    the model called a name after a teacher's line ("Biology / Ms Hina / R-14") is a note. A
    teacher's code in capitals under a name written in lower case ("Eng / BRN / 204") ends
    the name too."""
    run: list[int] = []
    for i in in_reading_order(reading.lines, members):
        text = reading.lines[i].text.strip()
        if run and _TEACHER_CODE.match(text) and not reading.lines[run[0]].text.isupper():
            break
        if i in names:
            run.append(i)
        elif run and strip_times(text):
            break
    return run or names


def line_roles(reading: PageReading, decisions: PageDecisions,
               atoms: list[tuple[int, int, int]], day_names: list[list[str]]) -> np.ndarray:
    """Each line's most probable role among those its text allows: a worded line that holds
    no written time is no time header ("TAM-1" or "ENG-1" look like ranges to the model, not
    to the parser), and a line that names no day is no day header (a "C" of "LUNCH")."""
    probs = decisions.roles.copy()
    timed = {i for i, _, _ in atoms}
    for i, line in enumerate(reading.lines[:len(probs)]):
        if i not in timed and sum(c.isalpha() for c in line.text) >= 2:
            probs[i, _TIME] = 0.0
        if not day_names[i]:
            probs[i, _DAY] = 0.0
    role = probs.argmax(1)
    _named_in_the_body(reading, role, timed)
    return role


def _named_in_the_body(reading: PageReading, role: np.ndarray, timed: set[int]) -> None:
    """A line the model calls a heading field ("English 10" looks like a class), a period
    label or nothing at all, that stands in a cell or card under a day header with a time
    under it in the same cell, is the cell's event: the heading is above the timetable and the
    period labels beside it, not inside a day's column (in place). The first day's column of
    a page of cards looks like a column of period labels to the model."""
    lines = reading.lines[:len(role)]
    heads = [line.box for line, r in zip(lines, role, strict=True) if r == _DAY]
    recast = [ROLES.index(name) for name in (*_FIELDS, "index")] + [_OTHER]
    for i, line in enumerate(lines):
        key = cell_key(line)
        if (role[i] not in recast or key is None or i in timed
                or not any(head.y1 <= line.box.y0 and head.x_overlap(line.box) > 0
                           for head in heads)):
            continue
        if any(j in timed and cell_key(other) == key and other.box.y0 >= line.box.cy
               for j, other in enumerate(lines)):
            role[i] = _EVENT


def _pointer_signals(p: np.ndarray, minutes: list[int], chosen: int | None
                     ) -> tuple[float, float, int | None]:
    """(probability of the chosen time, its lead over the next time, the atom it was most
    likely read from; None for "no time written")."""
    values, summed = by_value(p, minutes)
    k = len(values) if chosen is None else values.index(chosen)
    rest = np.delete(summed, k)
    margin = float(summed[k] - (rest.max() if rest.size else 0.0))
    copies = [a for a, v in enumerate(minutes) if v == chosen]
    atom = max(copies, key=lambda a: p[a]) if copies else None
    return float(summed[k]), margin, atom


def _links(link: np.ndarray, members: list[int], event_lines: list[int]) -> tuple[float, float]:
    """(weakest same-event link inside the block, strongest to an event line left out), of the
    pair probabilities averaged both ways (`link`)."""
    inner = [link[a, b] for a in members for b in members if a < b]
    others = [i for i in event_lines if i not in members]
    outer = link[np.ix_(members, others)].max() if others else 0.0
    return float(min(inner, default=1.0)), float(outer)


_WORDS = re.compile(r"[^\W\d_]+")


def vocabulary_fit(name: str) -> tuple[float, float]:
    """(share of the name's words the model's vocabulary holds whole, word pieces per word): a
    subject's name against an OCR misreading of one ("Cuided Reaclirs" is seven pieces)."""
    words = _WORDS.findall(name)
    if not words:
        return 0.0, 0.0
    pieces = [len(word_pieces(word)) for word in words]
    return sum(k == 1 for k in pieces) / len(words), sum(pieces) / len(words)


def nearest_headers(reading: PageReading, members: list[int], headers: list[int]) -> list[int]:
    """The day headers an event may belong to: not one above it with another header below it
    in its own column that is also above the event. Day cards stacked in a column each head
    the lines under them, up to the next card; a grid has one row of day headers, and in a
    grid with days as rows a row's own header is beside its events, not above them. On a page
    of day cards (a header above another), the cards over the event's own column and a header
    beside it are its days: a card further down, or in the next column of cards, is not."""
    top = min(reading.lines[i].region.y0 for i in members)
    right = max(reading.lines[i].region.x1 for i in members)

    def above(j: int) -> bool:
        box = reading.lines[j].box
        return box.y1 <= top and box.x0 < right

    def shadowed(j: int) -> bool:
        box = reading.lines[j].box
        return above(j) and any(
            above(k) and reading.lines[k].box.y0 > box.y1
            and reading.lines[k].box.x_overlap(box) > 0 for k in headers)

    def beside(j: int) -> bool:  # a days-as-rows header, on the event's row before it
        box = reading.lines[j].box
        return box.y0 < bottom and box.y1 > top and box.x0 < left

    bottom = max(reading.lines[i].region.y1 for i in members)
    left = min(reading.lines[i].region.x0 for i in members)
    kept = [j for j in headers if not shadowed(j)]
    # Cards, not a grid's one row of headers: some header stands above another.
    if not any(reading.lines[k].box.y0 > reading.lines[j].box.y1
               and reading.lines[k].box.x_overlap(reading.lines[j].box) > 0
               for j in headers for k in headers):
        return kept
    # Under a card of its own (above it, in its column: the nearest column of cards to its
    # left, or over its own width), an event is none of the cards further down its column
    # nor of another column's: the cards over it, or a header beside it, are its days.
    lefts = [reading.lines[j].box.x0 for j in kept if above(j)]
    column = max(lefts, default=0.0) - reading.lines[members[0]].box.height
    over = [j for j in kept if above(j) and (reading.lines[j].box.x0 >= column
                                            or reading.lines[j].box.x1 > left)]
    # Under no card at all (a mail's inbox beside a newsletter's day lists): only a header
    # beside it can be its day. Under one, a header level with it in another column of cards
    # (none of the cards over it stands over that header: Tuesday's title beside Friday's first
    # row) is not; in the column of those cards (days as rows, names centred), it is.
    return [j for j in kept if j in over or beside(j) and (not over or any(
        reading.lines[j].box.x_overlap(reading.lines[k].box) > 0 for k in over))]


@dataclass
class Group:
    """Lines decoded as one event, and what the page itself fixes of it: its name and notes
    lines (a slot's label, a records row), its day headers and the time atoms printed for it
    (a band between two tables, a records row). None: the model and the grid decide."""

    members: list[int]
    names: list[int] | None = None
    notes: list[int] = field(default_factory=list)
    days: list[int] | None = None
    times: list[int] | None = None


def decode_blocks(reading: PageReading, decisions: PageDecisions, teachers_own: bool = False
                  ) -> list[TimeBlock]:
    return decode_blocks_with_signals(reading, decisions, teachers_own)[0]


def decode_blocks_with_signals(reading: PageReading, decisions: PageDecisions,
                               teachers_own: bool = False
                               ) -> tuple[list[TimeBlock], list[BlockSignals]]:
    """The page's timeblocks and, for each, what decoding knew about it (`BlockSignals`);
    `teachers_own`: the page is a teacher's own timetable (its heading names a teacher and no
    class), whose cells are named by the class taught."""
    n = len(decisions.roles)
    atoms = time_atoms(reading.lines[:n])
    day_names = line_days(reading.lines[:n])
    records = read_records(reading.lines[:n], atoms, day_names)
    day_names = [records.days.get(i, names) for i, names in enumerate(day_names)]
    role = line_roles(reading, decisions, atoms, day_names)
    minutes = [m for _, _, m in atoms]
    candidates = [j for j in range(n) if day_names[j]]
    grid = Grid(reading, role, day_names, atoms)
    # Each line's list-row time, looked up once: it makes a line an event and times it.
    row_times = {i: beside for i in range(n) if (beside := times_beside(reading, atoms, i))}
    listed = list_row_lines(reading, row_times)
    row_notes = list_row_notes(reading, listed, candidates, n)
    noted = {j for js in row_notes.values() for j in js} | grid.notes_row_lines
    event_lines = sorted(({i for i in range(n) if role[i] in (_EVENT, _NOTES)}
                          | grid.body_lines() | grid.lattice_lines()
                          | calendar_box_lines(reading, n) | listed)
                         - noted - app_tab_bar(reading, n))
    # A line that goes on in an event's line under it ("Karakia &" over "Roll") is the event's.
    event_lines = sorted(set(event_lines) | {
        a for a in range(n) if role[a] == _OTHER and a not in noted
        and any(goes_on_into(reading, a, b) for b in event_lines)})
    page_ocr = float(np.mean([line.score for line in reading.lines[:n]]))
    link = (decisions.group + decisions.group.T) / 2
    blocks, signals = [], []
    # A records table's rows are its events, whatever the model made of them.
    groups = [Group(row.names + row.notes, row.names, row.notes, [row.day], row.times)
              for row in records.rows]
    # The model's events, and the lines printed between two tables of the week ("Break 10:30 -
    # 10:50"), each an event of its own; then the cells a slot's label names (a break row of
    # times alone).
    bands = grid.bands_between_tables()
    paired = day_header_pairs(reading, candidates, day_names)
    heads = other_heads(reading, candidates, day_names, paired)
    model = event_groups(reading, [i for i in event_lines if i not in records.lines],
                         decisions.group)
    grouped = {i for members in model for i in members} | records.lines
    ranges = range_lines(reading, atoms)
    for members in model + [[i] for i in sorted(bands) if i not in grouped]:
        band = members[0] if len(members) == 1 and members[0] in bands else None
        groups += (listed.isdisjoint(members)
                   and split_stacked_entries(reading, members, atoms, ranges)
                   or split_list_rows(reading, members, listed, row_notes)) if band is None else [
            Group(members, days=bands[band][0], times=[k for k, a in enumerate(atoms)
                                                       if a[0] == bands[band][1]])]
    groups += [Group(members, names=label) for members, label in grid.label_named_cells()
               if not records.lines.intersection(members)]
    key = key_lines(reading)
    labels = column_labels(reading.lines)
    headed_tables = {reading.lines[j].table for j in candidates}
    for group in groups:
        members = group.members
        if key.issuperset(members):
            continue  # a colour key's swatch names
        if labels.issuperset(members):
            continue  # a table's column labels ("Time | Subject" under each day)
        if paired.issuperset(members):
            continue  # a day header's other language ("Iau" over "Thu")
        if group.names is None:
            members = grid.whole_cell(members)
            names, notes = name_and_notes(reading, members, role, grid, teachers_own)
            notes = notes + grid.notes_below(members)
        else:
            names, notes = group.names, group.notes
        name = _LIST_ITEM.sub("", _PERIOD_LABEL.sub("", _text(reading, names)))
        # A name needs a letter: digits alone are a row number, punctuation is OCR debris. One
        # ending in a comma is a letter's greeting or sign-off ("Dear parents,", "Kind regards,").
        if (not any(c.isalpha() for c in name) or _WEEK_LABEL.match(name)
                or _SENTENCE.search(name) or _UI_ACTION.match(name) or _PAGE_NUMBER.match(name)
                or _FOOTNOTE.match(reading.lines[names[0]].text)
                or _sign_off(reading, names[-1])
                or sentence_tail(reading, group.members, set(event_lines))):
            continue
        if group.days is None and heads and under_other_head(reading, members, heads):
            continue  # a column beside the week's, a section after it: no day's events
        # A table's events take the days its own headers (or the page's free text) name.
        table = reading.lines[members[0]].table
        column = calendar_days(reading, members, candidates)
        if reading.calendar is not None and not column:
            continue  # a calendar's events are its boxes: not its side panel, not its title
        # A table with no day header of its own whose columns are the week's (its lower half,
        # cut off by a hatched band the ruling stops at) takes the headers of the one over it;
        # so does a row of the week's cells left out of both.
        week = [] if table in headed_tables else grid.week_above(
            table, Box.enclosing([reading.lines[i].box for i in members]))
        tables = {table, -1, *week}
        # Day names over the week's table head no table of its own under it (a course key).
        apart = table >= 0 and table not in headed_tables and not week
        headers = [j for j in candidates if reading.lines[j].table in tables and not (
            apart and reading.lines[j].table < 0 and grid.behind_another_table(j, table))]
        own_days = group.days or column or nearest_headers(reading, members, headers)
        if not own_days:
            continue
        if len(own_days) > 1 and grid.is_cell(members):
            own_days = _day_over_cell(reading, members, own_days, table) or own_days
        day_score = decisions.day[members][:, own_days].mean(0)
        # A day card right above the event and no other: its day, however unsure the pointer;
        # so is the day over a calendar's column.
        card = bool(column) or len(own_days) == 1 and reading.lines[own_days[0]].box.y1 <= min(
            reading.lines[i].region.y0 for i in members)
        if day_score.max() < MIN_DAY and group.names is None and group.days is None and not card:
            continue  # no day header is this line's day: a title or a header cell's caption
        chosen = group.days or column or [own_days[k] for k in np.flatnonzero(day_score > 0.5)]
        if not chosen:  # the pointer torn between headers: the nearest of them on the page
            tied = np.flatnonzero(day_score >= day_score.max() - DAY_TIE)
            event_box = Box.enclosing([reading.lines[i].box for i in members])
            chosen = [own_days[min(tied, key=lambda k: _distance(
                reading.lines[own_days[k]].box, event_box))]]
        row = ([] if group.days is not None or column or grid.is_cell(members)
               else _header_row(reading, members, own_days))
        if _left_of_the_days(reading, members, row):
            continue
        if len(chosen) == 1 and (over := _column_day(reading, members, row)) is not None:
            chosen = [over]
        axis = grid.time_axis(members, chosen[0])
        if group.days is None and (grid.in_header_band(members, axis)
                                   or grid.is_footer(members, axis)):
            continue
        covered = grid.covered_days(members, axis) if group.days is None else []
        if group.days is None and (len(covered) <= 1 or grid.cut_short(members, axis)
                                   or not grid.is_cell(members)):
            # Written once across its row, its drawn cell cut short by a stain or a fold, or
            # its fill found only part of the way (a photo's shading): a break across the
            # week is every day's.
            covered = max([covered, grid.break_across_the_week(members, axis)], key=len)
        # A day's events lie after its header, never wholly above it (a title row the border
        # closes over the day headers is no event of theirs), nor wholly left of it where the
        # days' headers run down the page (a break across the week stands beside them all).
        day_boxes = [reading.lines[j].box for j in covered or chosen]
        if len(day_boxes) > 1 and (max(b.cy for b in day_boxes) - min(b.cy for b in day_boxes)
                                   > max(b.cx for b in day_boxes) - min(b.cx for b in day_boxes)):
            end = max(reading.lines[i].region.x1 for i in members)
            chosen = [j for j in covered or chosen if reading.lines[j].box.x0 < end]
        else:
            bottom = max(reading.lines[i].region.y1 for i in members)
            chosen = [j for j in covered or chosen if reading.lines[j].box.y0 < bottom]
        if not chosen:
            continue
        days = list(dict.fromkeys(d for j in chosen for d in day_names[j]))
        starts, ends, end_written = grid.slot_masks(members, axis)
        start_p = decisions.start[members].mean(0)
        if starts is not None and starts.any():  # a header begins where the cell begins
            start_p = np.append(start_p[:-1], 0.0)
        start_p = restrict(start_p, starts)
        end_p = decisions.end[members].mean(0)
        if end_written:  # a printed range closes here: "no end written" is not an answer
            end_p = np.append(end_p[:-1], 0.0)
        end_p = restrict(end_p, ends)
        lead = min(names, key=lambda i: reading.lines[i].box.x0)
        if group.times is not None:  # printed for it (a band, a row), whatever the pointers
            start_p, end_p = printed_range(atoms, group.times)
        elif lead in listed and is_drawn_cell(reading.lines[lead]):
            start_p, end_p = printed_range(atoms, row_times[lead])  # a row of a day's list box
        elif (starts is None and ends is None and len(chosen) == 1
              and (day_times := grid.day_time_column(members, chosen[0]))):
            start_p, end_p = printed_range(atoms, day_times)  # the day's own Time column
        elif starts is None and ends is None and (card := grid.card_atoms(members)):
            start_p, end_p = printed_range(atoms, card)  # a card's own time ("3:15" alone)
        elif (grid.is_cell(members) and (starts is None or not starts.any())
              and (legend := grid.legend_range(name))):
            start_p, end_p = printed_range(atoms, legend)  # "Break" under no header: the legend's
        elif starts is None and ends is None and (beside := row_times.get(lead)):
            start_p, end_p = printed_range(atoms, beside)  # a list row: "8:50-9:50  Physics"
        start, end, time_p = time_pair(start_p, end_p, minutes)
        if end is None and start is not None and ends is None:
            end = range_end(atoms, start_p, start)
        confidence = float(decisions.roles[members].max(1).mean() * day_score.max() * time_p)
        box = Box.enclosing([reading.lines[i].region for i in members])
        start_prob, start_margin, start_atom = _pointer_signals(start_p, minutes, start)
        end_prob, end_margin, end_atom = _pointer_signals(end_p, minutes, end)
        inner, outer = _links(link, members, event_lines)
        ranked = np.sort(day_score)[::-1]
        time_lines = {atoms[a][0] for a in (start_atom, end_atom) if a is not None}
        whole_words, pieces = vocabulary_fit(name)
        signal = BlockSignals(
            product=confidence, role_name=float(decisions.roles[names, _EVENT].mean()),
            role_members=float(decisions.roles[members].max(1).mean()),
            group_inner=inner, group_outer=outer, day=float(ranked[0]),
            day_margin=float(ranked[0] - (ranked[1] if ranked.size > 1 else 0.0)),
            start=start_prob, start_margin=start_margin, end=end_prob, end_margin=end_margin,
            start_none=start is None, end_none=end is None,
            start_from_grid=starts is not None, end_from_grid=ends is not None,
            end_written=end_written, times_in_cell=any(i in members for i, _, _ in atoms),
            drawn_cell=grid.is_cell(members), days_from_grid=bool(covered), days=len(days),
            lines=len(members), name_lines=len(names),
            ocr_name=min(reading.lines[i].score for i in names),
            ocr_time=min((reading.lines[i].score for i in time_lines), default=1.0),
            whole_words=whole_words, word_pieces=pieces, page_ocr=page_ocr)
        if reading.calendar is not None and grid.is_cell(members):  # after the pointers' signals
            first = reading.lines[members[0]]
            start, end = on_the_scale(reading.calendar, first.region, grid.own_times(members),
                                      start, end, first.region.height < 1.5 * first.box.height)
        elif group.times is None:  # a part of a divided period: in proportion to the slot
            inner_start, inner_end = grid.within_slot(members, axis)
            start = start if inner_start is None else inner_start
            end = end if inner_end is None else inner_end
        if end is None and start is not None:  # no time printed says it: after the signals
            end = grid.clock_end(members, axis)
        # One line for the week with a day's own times in it: "13:10 – 13:55 (Wed 12:50 – 13:35)".
        ranges = (day_ranges(" ".join(reading.lines[i].text for i in members))
                  if len(days) > 1 else None)
        if ranges is not None:
            name = without_day_words(name)
        for day in days:
            if ranges is not None:
                week, own = ranges
                start, end = own.get(day, week).values
            blocks.append(TimeBlock(day=day, name=name,
                                    start_time=None if start is None else to_hhmm(start),
                                    end_time=None if end is None else to_hhmm(end),
                                    notes=_text(reading, notes) or None,
                                    confidence=round(confidence, 4), source_box=box))
            signals.append(signal)
    blocks, signals = once_each(blocks, signals)
    return join_spelled_across(blocks), signals


def once_each(blocks: list[TimeBlock], signals: list[BlockSignals]
               ) -> tuple[list[TimeBlock], list[BlockSignals]]:
    """Each block once: a break named both in its slot's label cell and in the merged cell
    across the days ("Break" beside "10:50–11:10" and "Break" across the week) is one event a
    day, the first found kept. So is a card read twice, once whole and once its first lines
    alone ("AP Environmental Sci" and "AP Environmental Sci Period 4 – Rm 302" over the same
    box, the same day and times): the whole one is kept. Without times, only the place tells
    one event from another: a lesson in two untimed periods of a day ("Science" in Period 3
    and in Period 4, cells apart) is two."""
    kept: list[int] = []
    by_key: dict[tuple, list[TimeBlock]] = {}  # the kept blocks of each day, name and times
    for k, block in enumerate(blocks):
        key = (block.day, block.name.casefold().strip(), block.start_time, block.end_time)
        same = by_key.setdefault(key, [])
        if (all(_apart_untimed(block, other) for other in same)
                and not any(_part_of(block, other) for other in blocks)):
            kept.append(k)
            same.append(block)
    return [blocks[k] for k in kept], [signals[k] for k in kept]


def _apart_untimed(block: TimeBlock, other: TimeBlock) -> bool:
    """Two blocks with no time at all, read from places on the page that do not overlap."""
    return (block.start_time is None and block.end_time is None
            and block.source_box is not None and other.source_box is not None
            and block.source_box.overlap_area(other.source_box) == 0)


def _part_of(block: TimeBlock, other: TimeBlock) -> bool:
    """Whether `block` is `other`'s first lines alone: the same day and times, its text a
    strict beginning of the other's, over the same place on the page."""
    text = " ".join(filter(None, (block.name, block.notes))).casefold()
    whole = " ".join(filter(None, (other.name, other.notes))).casefold()
    if (other is block or (block.day, block.start_time, block.end_time)
            != (other.day, other.start_time, other.end_time)
            or len(whole) <= len(text) or not whole.startswith(text)
            or block.source_box is None or other.source_box is None):
        return False
    box = block.source_box
    return box.overlap_area(other.source_box) >= 0.5 * box.width * box.height


def _distance(a: Box, b: Box) -> float:
    """Between the two boxes' centres."""
    return float(np.hypot(a.cx - b.cx, a.cy - b.cy))


def _header_row(reading: PageReading, members: list[int], headers: list[int]) -> list[int]:
    """The day headers over the event when they stand in one row (days as columns), left to
    right; [] when fewer than two do or they are not one row."""
    lines = reading.lines
    top = min(lines[i].region.y0 for i in members)
    row = sorted((j for j in headers if lines[j].box.y1 <= top), key=lambda j: lines[j].box.cx)
    if len(row) < 2 or any(lines[j].box.y_overlap(lines[k].box) <= 0
                           for j, k in itertools.pairwise(row)):
        return []
    return row


def _column_day(reading: PageReading, members: list[int], row: list[int]) -> int | None:
    """Of a row of day headers (`_header_row`), the header of the column an undrawn event
    stands in: the one whose stretch across (halfway to its neighbours' centres) holds the
    event's centre. The pointer may name a neighbour's day for a card a column over; the
    page's geometry does not. None without a row."""
    if not row:
        return None
    lines = reading.lines
    centre = Box.enclosing([lines[i].box for i in members]).cx
    edges = [(lines[j].box.cx + lines[k].box.cx) / 2 for j, k in itertools.pairwise(row)]
    return row[bisect.bisect(edges, centre)]


def _left_of_the_days(reading: PageReading, members: list[int], row: list[int]) -> bool:
    """The undrawn text stands wholly left of the first day's column under a row of day
    headers (`_header_row`): a row's label ("AM Reg" over "08:40 - 09:00"), no event."""
    if not row:
        return False
    first, second = (reading.lines[j].box for j in row[:2])
    return max(reading.lines[i].box.x1 for i in members) < first.cx - (second.cx - first.cx) / 2


def _day_over_cell(reading: PageReading, members: list[int], headers: list[int], table: int
                   ) -> list[int]:
    """The one day header standing over the event's drawn cell, outside the cell's table (a
    week laid out as one table per day under a band of day names), over half its width on
    the cell; [] when not exactly one does."""
    cell = reading.lines[members[0]].region
    over = [j for j in headers if reading.lines[j].table != table
            and reading.lines[j].box.y1 <= cell.y0
            and cell.x_overlap(reading.lines[j].box) >= 0.5 * reading.lines[j].box.width]
    return over if len(over) == 1 else []


def day_header_pairs(reading: PageReading, candidates: list[int], day_names: list[list[str]]
                     ) -> set[int]:
    """Lines naming no day that share a drawn header cell with a day header and nothing else,
    stacked on it: the day in the school's other language ("Iau" over "Thu" in a Welsh
    school's headers), neither an event nor the head of another column."""
    cells = Counter(cell_key(line) for line in reading.lines)
    paired = set()
    for k in candidates:
        key = cell_key(reading.lines[k])
        if key is None or cells[key] != 2:
            continue
        for i, line in enumerate(reading.lines[:len(day_names)]):
            if (i != k and cell_key(line) == key and not day_names[i]
                    and not find_times(line.text)
                    and line.box.shares_column(reading.lines[k].box)):
                paired.add(i)
    return paired


@dataclass(frozen=True)
class OtherHead:
    """A heading among the day headers that names no day: the head of a part of the page
    that holds no day's events. `days`: the day headers it stands among; `across`: in their
    row (a column beside the week's), else in their stack (a section after the last day's)."""

    line: int
    days: list[int]
    across: bool


def other_heads(reading: PageReading, candidates: list[int], day_names: list[list[str]],
                paired: set[int]) -> list[OtherHead]:
    """The short lines (four words at most) that stand among three or more day headers as one
    of them, after the first, and name no day and no time, nor have one on their row: on their
    row (an app's "Homework / To do" list beside the week, a "Notes" column), or down their
    stack at their left edge and size (a newsletter's "Notices" after Friday's list). Not a
    day header's other language in its cell (`paired`: the page's `day_header_pairs`)."""
    lines = reading.lines

    def on_row(a: Box, b: Box) -> bool:
        return abs(a.cy - b.cy) < 0.5 * min(a.height, b.height)

    def in_stack(a: Box, b: Box) -> bool:
        return (abs(a.x0 - b.x0) < 0.5 * min(a.height, b.height)
                and 0.75 < a.height / b.height < 1.33)

    # A list's entry at the days' edge and size ("Show and tell  9-9:15am" under "MON") has
    # its time on its row; a heading ("Notices") has none.
    timed = [line.box for line in lines if find_times(line.text)]

    def timed_row(box: Box) -> bool:
        return any(on_row(box, other) for other in timed)

    heads: dict[int, OtherHead] = {}
    for j in candidates:
        for across, peer in ((True, on_row), (False, in_stack)):
            days = [k for k in candidates if peer(lines[k].box, lines[j].box)]
            if len(days) < 3 or len({day for k in days for day in day_names[k]}) < 3:
                continue
            first = (min(lines[k].box.x1 for k in days) if across
                     else min(lines[k].box.y1 for k in days))
            for i, line in enumerate(lines[:len(day_names)]):
                if (i not in heads and not day_names[i] and not line.angle
                        and peer(line.box, lines[j].box)
                        and (line.box.x0 if across else line.box.y0) > first
                        and sum(c.isalpha() for c in line.text) >= 2
                        and len(line.text.split()) <= 4 and not find_times(line.text)
                        and i not in paired and not timed_row(line.box)):
                    heads[i] = OtherHead(i, days, across)
    return list(heads.values())


def under_other_head(reading: PageReading, members: list[int], heads: list[OtherHead]) -> bool:
    """Whether the event's lines stand under one of `heads` (or are one): in its column,
    nearer it than any day header of its row; or in its section of the stack, after it and
    before the next day header down the stack."""
    box = Box.enclosing([reading.lines[i].box for i in members])
    for head in heads:
        own = reading.lines[head.line].box
        if box.y1 < own.y0:
            continue
        days = [reading.lines[k].box for k in head.days]
        if head.across:
            if abs(box.cx - own.cx) < min(abs(box.cx - day.cx) for day in days):
                return True
        elif box.x0 >= own.x0 - own.height and box.y0 < min(
                (day.y0 for day in days if day.y0 > own.y0), default=float("inf")):
            return True
    return False


def list_row_lines(reading: PageReading, row_times: dict[int, list[int]]) -> set[int]:
    """The worded lines with a list row's time right before them (`row_times`, from
    `times_beside`): each is an event, whatever the model made of it ("8:50–9:50  Spanish (Rm
    21)" called "other" on a page of day lists). Not in a drawn cell (a grid cell's own time
    beside its name), unless the cell holds a list of its own: a day card drawn as one box,
    its rows each a time and a name."""
    named = {i for i in row_times
             if _NAME_LIKE.search(_MERIDIEM_WORD.sub("", strip_times(reading.lines[i].text)))}
    rows_in = Counter(cell_key(reading.lines[i]) for i in named)
    return {i for i in named if not is_drawn_cell(reading.lines[i])
            or rows_in[cell_key(reading.lines[i])] >= LIST_CELL_ROWS}


def list_row_notes(reading: PageReading, names: set[int], headers: list[int], n: int
                   ) -> dict[int, list[int]]:
    """The worded lines printed further along a list row's text row, after its name and
    before any other time ("09:00–11:00   CS201 Lecture   Room B12"): the row's notes, not
    events of their own. Not a line nearer another day's header than the name is (an unruled
    grid's next day along the row). `names`: the list rows' name lines (`list_row_lines`).
    Name line → its note lines."""

    lines = reading.lines[:n]
    # Each line's time and column, found once: every candidate note asks for them.
    timed = {k for k, line in enumerate(lines) if find_times(line.text)}
    tops = [reading.lines[h].box for h in headers]

    def column(k: int) -> float | None:
        """Where the day header nearest across, of those above line k, is centred."""
        box = lines[k].box
        return min((h.cx for h in tops if h.y1 <= box.y0), key=lambda cx: abs(cx - box.cx),
                   default=None)

    columns = [column(k) for k in range(n)]

    def same_column(a: int, b: int) -> bool:
        ca, cb = columns[a], columns[b]
        return (ca is None or cb is None
                or abs(ca - cb) <= max(lines[a].box.height, lines[b].box.height))

    notes: dict[int, list[int]] = {}
    for j, line in enumerate(lines):
        if (j in names or line.angle or is_drawn_cell(line) or j in timed
                or not _NAME_LIKE.search(line.text)):
            continue
        before = [i for i in names if _on_one_row(lines[i].box, line.box)
                  and lines[i].box.x1 <= line.box.x0 and same_column(j, i)]
        if not before:
            continue
        name = max(before, key=lambda i: lines[i].box.x1)
        if not any(_on_one_row(lines[k].box, line.box)
                   and lines[name].box.x1 <= lines[k].box.cx <= line.box.x0 for k in timed):
            notes.setdefault(name, []).append(j)
    return notes


def split_list_rows(reading: PageReading, members: list[int], names: set[int],
                    row_notes: dict[int, list[int]]) -> list[Group]:
    """The model's group split at each list row's name: a row printing its own time is an
    event of its own ("10:00–12:00  CS210 Lab" over "13:00–14:00  MA210 Lecture" in a day's
    list, which the model took for one). Each part is named by its row's name line; the rest
    of the part (a remark under it) and the lines further along its row are its notes. A group
    holding no list row stays as the model made it. `names`: the list rows' name lines."""
    order = in_reading_order(reading.lines, members)
    heads = [k for k, i in enumerate(order) if i in names]
    if not heads:
        return [Group(members)]
    parts = []
    for a, b in zip(heads, [*heads[1:], len(order)], strict=True):
        name, part = order[a], order[0 if a == heads[0] else a:b]
        notes = [i for i in part if i != name] + row_notes.get(name, [])
        parts.append(Group(part + row_notes.get(name, []), names=[name], notes=notes))
    return parts


def range_lines(reading: PageReading, atoms: list[tuple[int, int, int]]) -> dict[int, list[int]]:
    """The time-only lines printing one range, not a list's: line → its two atoms."""
    by_line: dict[int, list[int]] = {}
    for a, (i, _, _) in enumerate(atoms):
        by_line.setdefault(i, []).append(a)
    return {i: own for i, own in by_line.items()
            if len(own) == 2 and atoms[own[0]][2] < atoms[own[1]][2]
            and not strip_times(reading.lines[i].text).strip(" -–—")}


def split_stacked_entries(reading: PageReading, members: list[int],
                          atoms: list[tuple[int, int, int]], ranges: dict[int, list[int]]
                          ) -> list[Group] | None:
    """A cell holding two or more events each named with its own printed range right under
    (or, the cell's way throughout, right over) its name, one after the other ("Guided
    Reading" over "11:25–11:50", then "Spelling" over "11:50–12:15": a divided period), which
    the model took for one: the group split at each name, each part timed by its range, its
    other lines its notes. None when the group holds fewer. `ranges`: the page's
    `range_lines`."""
    order = in_reading_order(reading.lines, members)
    names = [k for k, i in enumerate(order) if _NAME_LIKE.search(reading.lines[i].text)
             and not find_times(reading.lines[i].text)]

    def entries(under: bool) -> list[tuple[int, int]]:
        """(position of a name in `order`, its range's line) for the names with one."""
        found = []
        for k in names:
            name = reading.lines[order[k]]
            near = [i for i in ranges if cell_key(reading.lines[i]) == cell_key(name)
                    and reading.lines[i].box.x_overlap(name.box)
                    >= 0.5 * min(reading.lines[i].box.width, name.box.width)
                    and -name.box.height / 2 <= (reading.lines[i].box.y0 - name.box.y1 if under
                                                 else name.box.y0 - reading.lines[i].box.y1)
                    < name.box.height]
            if near:
                found.append((k, min(near, key=lambda i: abs(reading.lines[i].box.cy
                                                              - name.box.cy))))
        return found

    found = entries(under=True)
    if len(found) < 2:
        found = entries(under=False)
    if (len(found) < 2 or len({line for _, line in found}) < len(found)
            or any(atoms[ranges[a][-1]][2] > atoms[ranges[b][0]][2]
                   for (_, a), (_, b) in itertools.pairwise(found))):
        return None
    groups = []
    for n, (k, line) in enumerate(found):
        part = order[0 if n == 0 else k:found[n + 1][0] if n + 1 < len(found) else None]
        notes = [i for i in part if i not in (order[k], line)]
        groups.append(Group([*part, line], names=[order[k]], notes=notes, times=ranges[line]))
    return groups


def _sign_off(reading: PageReading, last: int) -> bool:
    """A name line ending in a comma with nothing right after it on its row: a letter's
    greeting or sign-off ("Dear parents,", "Kind regards,"). A calendar box's "Homeroom, 7:55 –
    8:05am" goes on along its row."""
    line = reading.lines[last]
    return line.text.rstrip().endswith(",") and not any(
        _on_one_row(other.box, line.box)
        and 0 <= other.box.x0 - line.box.x1 + 2 <= 2 * line.box.height
        for other in reading.lines if other is not line)


def _on_one_row(a: Box, b: Box) -> bool:
    """Centred on one text row at one size: a list row's parts, not a grid's stacked lines."""
    return (abs(a.cy - b.cy) <= ROW_SLACK * max(a.height, b.height)
            and min(a.height, b.height) >= ROW_SIZE * max(a.height, b.height))


def calendar_box_lines(reading: PageReading, n: int) -> set[int]:
    """The worded lines of a calendar's event boxes: each box is an event, whatever the model
    made of its lines (it was taught on grids, where such a box is no cell)."""
    frame = reading.calendar
    if frame is None:
        return set()
    return {i for i, line in enumerate(reading.lines[:n])
            if is_drawn_cell(line) and frame.area.contains_point(line.region.cx, line.region.cy)
            and _NAME_LIKE.search(line.text)}


def calendar_days(reading: PageReading, members: list[int], headers: list[int]) -> list[int]:
    """On a calendar week view, the day headers over the column the event's box stands in, by
    the first quarter of its width (a box beside another in its column stands clear of the
    header's own width; the column's edge is estimated where no two boxes begin on it);
    empty on any other page, or outside the calendar."""
    frame = reading.calendar
    box = reading.lines[members[0]].region
    if frame is None or not frame.area.x0 <= box.cx <= frame.area.x1:
        return []
    column = frame.column(box.x0 + box.width / 4)
    return [j for j in headers if frame.column(reading.lines[j].box.cx) == column >= 0]


def on_the_scale(scale: CalendarFrame, box: Box, printed: list[int], start: int | None,
                 end: int | None, text_only: bool = False) -> tuple[int | None, int | None]:
    """A calendar box's times (`inference/calendar.py`): a range it prints stands; a time it
    prints alone is its start (Apple prints no end) where the box's top says so too, within
    `SCALE_SLACK` (elsewhere it is a room's number: "Queens 1.40" in a box at 14:00); what it
    does not print is read off the scale at its top edge and at its bottom edge with the gap
    the app leaves under a box. `text_only`: the box was found only as its name's text (a
    filled box the rulings missed), whose bottom is no event's end: a range the pointers
    chose that starts where its top does is the one printed under the name."""
    if not scale.area.x0 <= box.cx <= scale.area.x1 or len(set(printed)) > 1:
        return start, end
    top, bottom = scale.minutes(box.y0), scale.minutes(box.y1 + scale.gap)
    if (text_only and not printed and start is not None and end is not None
            and start < end and abs(start - top) <= SCALE_SLACK):
        return start, end
    return (printed[0] if printed and abs(printed[0] - top) <= SCALE_SLACK else top), bottom


def times_beside(reading: PageReading, atoms: list[tuple[int, int, int]], first: int
                 ) -> list[int]:
    """The atoms of a time-only line printed right before line `first` (an event's name) on
    its text row, with nothing between them ("8:50–9:50   Physics (Lab 3)" in a list of a
    day's lessons), or, with none before it, right after it (`_time_after`): where no grid
    says the event's times, that line does. Empty when there is none."""
    name = reading.lines[first].box

    # Printed as the name is (a grid cell's own small time over the name beside it is no
    # list row's).
    left = [i for i, line in enumerate(reading.lines) if i != first and not line.angle
            and _on_one_row(line.box, name)
            and name.x0 - ROW_GAP * name.height <= line.box.x1 <= name.x0 + 2]
    if not left:
        return _time_after(reading, atoms, first)
    nearest = max(left, key=lambda i: reading.lines[i].box.x1)
    time = reading.lines[nearest].box
    # What stands before the time on its row ("Tuesday" in "Tuesday 3:30 – 4:30 Chess Club").
    before = [reading.lines[i].box for i in left if reading.lines[i].box.x1 <= time.x0 + 2]
    if not is_time_text(reading.lines[nearest].text) or _heads_a_name(reading, time, before,
                                                                      name):
        return []  # no time, or the time of a cell's or a card's name under (or over) it
    return [k for k, atom in enumerate(atoms) if atom[0] == nearest]


def _right_under(box: Box, top: Box) -> bool:
    return box.shares_column(top) and 0 <= box.y0 - top.y1 < top.height / 2


def _heads_a_name(reading: PageReading, time: Box, before: list[Box], name: Box) -> bool:
    """Whether the time is printed right over (or under) the name of its own event in a cell
    or a card ("8:40" over "CheckConn"), not before the name on its row. A day's title over a
    list's first row is no such name, nor is a section's title over the whole row
    ("After-school clubs"), nor a line in smaller print than the row's name (its sub-line:
    "9:05-9:30 Phonics" over "Set 1"), nor a line over the time that stands right under
    the time before it in the list's column (the sub-line of the row before)."""
    for line in reading.lines:
        box = line.box
        if (not box.shares_column(time) or any(box.x_overlap(b) > 0 for b in before)
                or box.height < SUB_LINE * name.height
                or not _NAME_LIKE.search(strip_times(line.text))):
            continue
        if _right_under(box, time):
            return True
        if (abs(time.y0 - box.y1) < time.height / 2 and not parse_day(line.text)
                and not any(is_time_text(other.text) and _right_under(box, other.box)
                            and other.box.shares_column(time) for other in reading.lines)):
            return True
    return False


def _time_after(reading: PageReading, atoms: list[tuple[int, int, int]], first: int
                ) -> list[int]:
    """The atoms of a time-only line printed after line `first` on its text row, the next
    line there, within `ROW_GAP` of its height ("Science (Lab 2) ……… 11:10–12:10": a pupil
    planner's times set flush right after dot leaders the reading leaves out). Empty when
    there is none."""
    if parse_day(reading.lines[first].text):
        return []  # "Monday  3:30 - 4:30  Football Club": the row's day, not an event
    name = reading.lines[first].box
    right = [i for i, line in enumerate(reading.lines) if i != first and not line.angle
             and _on_one_row(line.box, name)
             and name.x1 - 2 <= line.box.x0 <= name.x1 + ROW_GAP * name.height]
    if not right:
        return []
    nearest = min(right, key=lambda i: reading.lines[i].box.x0)
    if not is_time_text(reading.lines[nearest].text):
        return []
    return [k for k, atom in enumerate(atoms) if atom[0] == nearest]


def printed_range(atoms: list[tuple[int, int, int]], own: list[int]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Start and end distributions certain of the first and last of the atoms `own` (no end
    when they hold one time)."""
    start, end = np.zeros(len(atoms) + 1), np.zeros(len(atoms) + 1)
    start[own[0]] = 1.0
    end[own[-1] if atoms[own[-1]][2] != atoms[own[0]][2] else -1] = 1.0
    return start, end


def join_spelled_across(blocks: list[TimeBlock]) -> list[TimeBlock]:
    """A word spelled one letter a day across a slot ("L", "U", "N", "C", "H" in the week's
    lunch cells) names each of those days' blocks whole: three or more one-letter blocks of one
    slot, on as many days, read in the week's order. Each block keeps its own day."""
    slots: dict[tuple[str | None, str | None], list[int]] = {}
    for k, block in enumerate(blocks):
        if len(block.name) == 1 and block.name.isalpha():
            slots.setdefault((block.start_time, block.end_time), []).append(k)
    joined = list(blocks)
    for members in slots.values():
        if len(members) < 3 or len({blocks[k].day for k in members}) < len(members):
            continue
        members.sort(key=lambda k: DAYS.index(blocks[k].day))
        word = spelled([blocks[k].name for k in members])
        for k in members:
            joined[k] = blocks[k].model_copy(update={"name": word})
    return joined


def decode_heading(reading: PageReading, decisions: PageDecisions) -> Heading:
    """The heading parser reads the lines marked as heading fields (`line_roles`), plus the
    free-standing lines it calls `other` (a school name, a title: the parser skips what is not
    a field, and a field line the model under-calls is still read), in reading order; a field
    the parser cannot read is the text after the label of the line most likely to hold it,
    when that text is shaped like the field (`heading.plausible`). Lines above the topmost day
    or time header are heading too, also inside the table's border (a title row of the grid)."""
    if not len(decisions.roles):
        return Heading()
    n = len(decisions.roles)
    # As the blocks read them: a worded line holding no time is no time header.
    role = line_roles(reading, decisions, time_atoms(reading.lines[:n]),
                      line_days(reading.lines[:n]))
    field_roles = [ROLES.index(name) for name in _FIELDS]
    lines = reading.lines
    # A line naming days and a term or a year ("Fall 2026 · Monday – Saturday" under a title)
    # is the heading's, not a day header.
    for i in np.flatnonzero(role == _DAY):
        dated = parse_heading(lines[i].text)
        if dated.year or dated.term:
            role[i] = _OTHER
    # Likewise a line naming a term beside the school day's times ("Spring 2 2025 | Doors open
    # 8:40 · Home time 3:15") is no time header.
    for i in np.flatnonzero(role == _TIME):
        if parse_heading(lines[i].text).term:
            role[i] = _OTHER
    # A phone screenshot's status bar (its clock, "5G", the battery's "68%") is no heading and
    # its clock no time header.
    # At the screen's top: a form's class code "4G" down in the grid is none.
    status = [lines[i].box for i in range(len(role)) if _STATUS.match(lines[i].text.strip())
              and lines[i].box.cy < STATUS_BAR * reading.height]
    status_bar = {i for i in range(len(role)) for box in status
                  if abs(lines[i].box.cy - box.cy) < 0.5 * max(lines[i].box.height, box.height)}
    header_top = min((lines[i].box.y0 for i in range(len(role))
                      if role[i] in (_DAY, _TIME) and i not in status_bar), default=0.0)

    def in_heading(i: int) -> bool:
        if i in status_bar:
            return False
        if role[i] in field_roles:
            return True
        if role[i] in (_DAY, _TIME):
            return False
        above = (lines[i].box.y0 + lines[i].box.y1) / 2 < header_top
        return above or (role[i] == _OTHER and lines[i].table < 0)

    page = [line.ocr_line() for line in lines]
    heading = parse_heading(heading_text([page[i] for i in range(len(role)) if in_heading(i)],
                                         page))
    for role_name, attribute in _FIELDS.items():
        # Only a line still holding the field's role: an event's name in a day's card that the
        # model thought a class ("English 10") is no heading (`_named_in_the_body`).
        scores = decisions.roles[:, ROLES.index(role_name)] * (role == ROLES.index(role_name))
        if getattr(heading, attribute) is not None or scores.max() < 0.5 or attribute == "year":
            continue
        # "Class Advisor: Dr. M. Kavitha" names no teacher, "Teacher: Mrs Smith" does.
        *label, text = reading.lines[int(scores.argmax())].text.split(":", 1)
        text = field_value(attribute, text.strip())
        if plausible(attribute, text) and not (attribute == "teacher" and label
                                               and names_another_role(f"{label[0]}:")):
            setattr(heading, attribute, text)
    return heading
