"""A contract label alone (a reviewer's correction, a Claude answer) → training targets for the
lines the pipeline read on that page: the first step of learning from real uploads.

A correction is a `TimetableData`: blocks with a day, a name, times and notes, but no boxes.
The layout labels of the data engine (`labels.py`) are not there, so the targets are found by
aligning each gold block to what was read:
- **the block's unit**: a reading unit (a table cell's lines, or a line outside any table)
  whose text, times stripped, is most like the block's name (or name and notes), scored as
  the contract scores names; among equally good units, one in the band of a day header that
  names the block's day (the grid's geometry breaks the tie). A cell merged over several days
  serves each of their blocks;
- **roles**: in a matched unit, lines like the name are `event`, the rest `notes`; a line
  that names a day and belongs to no block is `day`; one holding a written time is `time`;
  every other line is masked (`IGNORE`): the alignment cannot tell a heading from a footer
  without layout labels, so it does not guess;
- **same-event pairs**, **day pointers** and **start/end pointers** as `labels.page_targets`
  makes them from the layout labels (the copies of the right time in line with the event).
`agreement` compares the two on synthetic pages, where both exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.document.features import PageReading, line_days, reading_units, time_atoms
from inference.document.inputs import ROLES
from inference.evaluation import normalise, text_similarity
from inference.schema import TimetableData
from inference.timeparse import from_hhmm, strip_times
from training.document.labels import PageTargets, aligned_with

IGNORE = -100  # a role the loss skips (torch's cross-entropy ignore index)
MIN_NAME = 0.6  # a unit must be at least this like a block's name to be its unit
_EVENT, _NOTES = ROLES.index("event"), ROLES.index("notes")
_DAY, _TIME = ROLES.index("day"), ROLES.index("time")


def _unit_text(reading: PageReading, unit: list[int]) -> str:
    return " ".join(strip_times(reading.lines[i].text) for i in unit).strip()


def block_units(reading: PageReading, label: TimetableData, units: list[list[int]],
                days: list[list[str]], in_band: np.ndarray) -> list[int | None]:
    """For each gold block, the index of the reading unit (`features.reading_units`) it was
    read from (None: no unit is like its name). `days`: each line's day names; `in_band`:
    `labels.aligned_with` of the page."""
    texts = [_unit_text(reading, unit) for unit in units]
    day_lines = {day: [j for j, named in enumerate(days) if day in named] for day in
                 {block.day for block in label.timeblocks}}
    chosen: list[int | None] = []
    used: set[int] = set()
    for block in label.timeblocks:
        full = f"{block.name} {block.notes or ''}"
        best, best_key = None, None
        for u, (unit, text) in enumerate(zip(units, texts, strict=True)):
            like = max(text_similarity(text, block.name), text_similarity(text, full))
            if like < MIN_NAME:
                continue
            on_day = any(in_band[unit[0], j] for j in day_lines[block.day])
            # A daily lesson is written once per day: a clear match in the day's band first,
            # a unit no other block took before one already taken (a cell over several days
            # is the exception), then the closest wording.
            key = (like >= 0.8, on_day, u not in used, like)
            if best_key is None or key > best_key:
                best, best_key = u, key
        chosen.append(best)
        if best is not None:
            used.add(best)
    return chosen


def aligned_targets(reading: PageReading, label: TimetableData) -> PageTargets:
    """`PageTargets` for the page's lines from its contract label alone (see the module)."""
    n = len(reading.lines)
    units = reading_units(reading.lines)
    days = line_days(reading.lines)
    in_line = aligned_with(reading)
    matched = block_units(reading, label, units, days, in_line)
    blocks: list[set[int]] = [set() for _ in range(n)]
    for b, u in enumerate(matched):
        for i in units[u] if u is not None else ():
            blocks[i].add(b)

    atoms = time_atoms(reading.lines)
    timed = {i for i, _, _ in atoms}
    roles = []
    for i, line in enumerate(reading.lines):
        if blocks[i]:
            names = [label.timeblocks[b].name for b in blocks[i]]
            text = strip_times(line.text)
            is_name = any(normalise(text) and normalise(text) in normalise(name)
                          or text_similarity(text, name) >= 0.8 for name in names)
            roles.append(_EVENT if is_name or not text else _NOTES)
        elif days[i]:
            roles.append(_DAY)
        elif i in timed:
            roles.append(_TIME)
        else:
            roles.append(IGNORE)

    is_event = np.array([bool(b) for b in blocks])
    same_event = np.zeros((n, n), np.float32)
    for i in np.flatnonzero(is_event):
        for j in np.flatnonzero(is_event):
            same_event[i, j] = float(bool(blocks[i] & blocks[j]))

    named = [set(d) if roles[j] == _DAY else set() for j, d in enumerate(days)]
    day_of = np.full((n, n), -1.0, np.float32)
    start_of = np.zeros((n, len(atoms) + 1), np.float32)
    end_of = np.zeros((n, len(atoms) + 1), np.float32)
    for i in np.flatnonzero(is_event):
        gold = [label.timeblocks[b] for b in blocks[i]]
        wanted_days = {block.day for block in gold}
        if any(named[j] & wanted_days for j in range(n)):
            day_of[i] = [float(bool(named[j] & wanted_days)) for j in range(n)]
        for target, edge in ((start_of, "start_time"), (end_of, "end_time")):
            wanted = {from_hhmm(getattr(block, edge)) for block in gold if block.time_scored}
            if wanted == {None}:
                target[i, -1] = 1.0
            elif wanted:
                right = np.array([m in wanted for _, _, m in atoms], dtype=bool)
                near = right & in_line[i, [j for j, _, _ in atoms]]
                target[i, :-1] = near if near.any() else right
    return PageTargets(roles, blocks, same_event, day_of, start_of, end_of)


@dataclass
class Agreement:
    """How often the label-only targets say what the layout labels say, per head, on the
    lines (pairs, pointers) both define."""

    roles: float  # event/notes/day/time lines with the same role (masked lines left out)
    placed: float  # share of the layout's event/notes lines the alignment placed in a block
    same_event: float  # pairs of event lines both call the same (same event or not)
    day: float  # event lines whose day pointers name the same days
    start: float  # event lines whose start targets are the same atoms
    end: float


def _pointed(day_row: np.ndarray, days: list[list[str]]) -> set[str]:
    """The days the positive lines of one day-pointer row name."""
    return {d for j in np.flatnonzero(day_row > 0) for d in days[j]}


def agreement(pages: list[tuple[PageReading, PageTargets, PageTargets]]) -> Agreement:
    """`pages`: (reading, targets from the contract label, targets from the layout labels)."""
    tallies = {key: [0, 0] for key in ("roles", "placed", "same", "day", "start", "end")}

    def count(key: str, hits: int, total: int) -> None:
        tallies[key][0] += hits
        tallies[key][1] += total

    for reading, ours, theirs in pages:
        ours_roles, their_roles = np.array(ours.roles), np.array(theirs.roles)
        known = ours_roles != IGNORE
        count("roles", int((ours_roles[known] == their_roles[known]).sum()), int(known.sum()))
        gold_event = np.array([bool(b) for b in theirs.blocks])
        ours_event = np.array([bool(b) for b in ours.blocks])
        count("placed", int((gold_event & ours_event).sum()), int(gold_event.sum()))
        both = np.flatnonzero(gold_event & ours_event)
        if len(both):
            grid = np.ix_(both, both)
            count("same", int((ours.same_event[grid] == theirs.same_event[grid]).sum()),
                  len(both) ** 2)
        days = line_days(reading.lines)
        rows = [i for i in both if (theirs.day_of[i] > 0).any()]
        count("day", sum(_pointed(ours.day_of[i], days) == _pointed(theirs.day_of[i], days)
                         for i in rows), len(rows))
        for key, a, b in (("start", ours.start_of, theirs.start_of),
                          ("end", ours.end_of, theirs.end_of)):
            rows = [i for i in both if (b[i] > 0).any()]
            count(key, sum(bool(np.array_equal(a[i] > 0, b[i] > 0)) for i in rows), len(rows))
    share = {key: round(hits / total, 4) if total else float("nan")
             for key, (hits, total) in tallies.items()}
    return Agreement(roles=share["roles"], placed=share["placed"], same_event=share["same"],
                     day=share["day"], start=share["start"], end=share["end"])
