"""The document model's decisions → timeblocks and heading. Deterministic formatting only:
which lines form an event, which day names and written times the pointers chose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from inference.assembly import reading_order
from inference.document.features import PageReading, line_days, time_atoms
from inference.document.model import ROLES
from inference.heading import Heading, parse_heading
from inference.schema import Box, TimeBlock
from inference.timeparse import strip_times, to_hhmm

_EVENT, _NOTES, _OTHER = ROLES.index("event"), ROLES.index("notes"), ROLES.index("other")
_FIELDS = {"teacher": "teacher", "class": "class_name", "term": "term", "year": "year"}
# Below this day-pointer probability for every day header, an "event" belongs to no day. Chosen
# on the training set's held-out split (see the note of issue 5), never on dev or bench pages.
MIN_DAY = 0.1
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
    def from_logits(cls, logits: dict[str, torch.Tensor]) -> PageDecisions:
        return cls(
            roles=torch.softmax(logits["roles"], -1).numpy(),
            group=torch.sigmoid(logits["group"]).numpy(),
            day=torch.sigmoid(logits["day"]).numpy(),
            start=torch.softmax(logits["start"], -1).numpy(),
            end=torch.softmax(logits["end"], -1).numpy(),
        )


def event_groups(event_lines: list[int], group: np.ndarray) -> list[list[int]]:
    """Connected components of event/notes lines linked with probability > `SAME_EVENT`."""
    parent = {i: i for i in event_lines}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in event_lines:
        for b in event_lines:
            if a < b and (group[a, b] + group[b, a]) / 2 > SAME_EVENT:
                parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in event_lines:
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def time_pair(start_p: np.ndarray, end_p: np.ndarray, minutes: list[int]
              ) -> tuple[int | None, int | None, float]:
    """(start minutes, end minutes, joint probability): the most probable pair of written
    times with the end after the start; None is "no time written", which pairs with anything.

    Training rewards the pointer for the total probability on every written copy of the right
    time ("9:00" ends one slot and starts the next), so decoding compares times the same way:
    by the summed probability of their copies, not by the single most probable copy."""
    values = sorted(set(minutes))
    index = {v: k for k, v in enumerate(values)}
    start_v, end_v = np.zeros(len(values) + 1), np.zeros(len(values) + 1)
    for atom, v in enumerate(minutes):
        start_v[index[v]] += start_p[atom]
        end_v[index[v]] += end_p[atom]
    start_v[-1], end_v[-1] = start_p[-1], end_p[-1]
    value = np.array([*values, -1])
    none = np.arange(len(values) + 1) == len(values)
    valid = (value[None, :] > value[:, None]) | none[:, None] | none[None, :]
    joint = np.where(valid, start_v[:, None] * end_v[None, :], 0.0)
    s, e = np.unravel_index(int(joint.argmax()), joint.shape)
    return (None if none[s] else int(value[s]), None if none[e] else int(value[e]),
            float(joint[s, e]))


def _text(reading: PageReading, indices: list[int]) -> str:
    ordered = reading_order([reading.lines[i].ocr_line() for i in indices])
    return " ".join(strip_times(line.text) for line in ordered).strip()


def decode_blocks(reading: PageReading, decisions: PageDecisions) -> list[TimeBlock]:
    n = len(decisions.roles)
    role = decisions.roles.argmax(1)
    event_lines = [i for i in range(n) if role[i] in (_EVENT, _NOTES)]
    atoms = time_atoms(reading.lines[:n])
    day_names = line_days(reading.lines[:n])
    candidates = [j for j in range(n) if day_names[j]]
    blocks = []
    for members in event_groups(event_lines, decisions.group):
        names = [i for i in members if role[i] == _EVENT]
        notes = [i for i in members if role[i] == _NOTES]
        if not names:  # notes alone: the model missed the name line; notes are the best name
            names, notes = notes, []
        name = _text(reading, names)
        # A name needs a letter: digits alone are a row number, punctuation is OCR debris.
        if not any(c.isalpha() for c in name) or not candidates:
            continue
        day_score = decisions.day[members][:, candidates].mean(0)
        if day_score.max() < MIN_DAY:
            continue  # no day header is this line's day: a title or a header cell's caption
        chosen = [candidates[k] for k in np.flatnonzero(day_score > 0.5)]
        if not chosen:
            chosen = [candidates[int(day_score.argmax())]]
        days = list(dict.fromkeys(d for j in chosen for d in day_names[j]))
        start_p = decisions.start[members].mean(0)
        end_p = decisions.end[members].mean(0)
        start, end, time_p = time_pair(start_p, end_p, [m for _, _, m in atoms])
        confidence = float(decisions.roles[members].max(1).mean() * day_score.max() * time_p)
        box = Box.enclosing([reading.lines[i].region for i in members])
        for day in days:
            blocks.append(TimeBlock(day=day, name=name,
                                    start_time=None if start is None else to_hhmm(start),
                                    end_time=None if end is None else to_hhmm(end),
                                    notes=_text(reading, notes) or None,
                                    confidence=round(confidence, 4), source_box=box))
    return blocks


def decode_heading(reading: PageReading, decisions: PageDecisions) -> Heading:
    """The heading parser reads the lines the model marks as heading fields, plus the
    free-standing lines it calls `other` (a school name, a title: the parser skips what is not
    a field, and a field line the model under-calls is still read), in reading order; a field
    the parser cannot read is the text after the label of the line most likely to hold it."""
    if not len(decisions.roles):
        return Heading()
    role = decisions.roles.argmax(1)
    field_roles = [ROLES.index(name) for name in _FIELDS]
    chosen = [reading.lines[i].ocr_line() for i in range(len(role))
              if role[i] in field_roles or (role[i] == _OTHER and reading.lines[i].table < 0)]
    heading = parse_heading("\n".join(line.text for line in reading_order(chosen)))
    for role_name, attribute in _FIELDS.items():
        scores = decisions.roles[:, ROLES.index(role_name)]
        if getattr(heading, attribute) is not None or scores.max() < 0.5 or attribute == "year":
            continue
        text = reading.lines[int(scores.argmax())].text
        setattr(heading, attribute, text.split(":", 1)[-1].strip() or None)
    return heading
