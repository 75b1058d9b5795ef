"""What decoding knew about each block it made (issue 18): the probabilities behind every choice
(its lines' roles, their grouping, its day, its times), the OCR's certainty of the lines it read
and what the drawn grid decided, kept beside the block so its confidence can be learned from
more than one product (`inference.calibration`, fitted in training/calibration/signals.py).

The record is the decoder's, not the contract's: `SignalledTimetable` carries one per block
beside the TimetableData the document tier returns, as a private attribute that is never
serialised (a stored or returned timetable is the contract's alone). `block_features` turns a
result and its records into the numbers the block calibrator reads, adding what the assembled
timetable shows about a block (it overlaps another of its day, its times are out of order).
Torch-free: the calibrator applies it with numpy.
"""

from __future__ import annotations

import math
import re

import numpy as np
from pydantic import BaseModel, PrivateAttr

from inference.evaluation import normalise
from inference.schema import TimeBlock, TimetableData
from inference.validate import SCHOOL_DAY


class BlockSignals(BaseModel):
    """One block's decoding signals; every probability is in [0, 1]."""

    product: float  # the block's raw confidence: roles × day × times
    role_name: float  # mean P(event) of the name's lines
    role_members: float  # mean most-probable-role probability of all its lines
    group_inner: float  # weakest same-event link inside the block (1: one line)
    group_outer: float  # strongest same-event link to an event line left out (0: none)
    day: float  # day-pointer score of the chosen day header
    day_margin: float  # … minus the next day header's (the score itself when alone)
    start: float  # probability of the chosen start (all written copies), "no time" included
    start_margin: float
    end: float
    end_margin: float
    start_none: bool
    end_none: bool
    start_from_grid: bool  # the drawn grid narrowed where it may start
    end_from_grid: bool
    end_written: bool  # a printed range closes at its end
    times_in_cell: bool  # a time is printed among its own lines
    drawn_cell: bool  # all its lines sit in one ruled cell
    days_from_grid: bool  # the cell's span over the day headers named its days
    days: int  # blocks this event became (one per day)
    lines: int
    name_lines: int
    ocr_name: float  # weakest OCR score of its name's lines
    ocr_time: float  # weakest OCR score of the lines its times were read from (1: none)
    whole_words: float  # share of the name's words the model's vocabulary holds whole
    word_pieces: float  # the model's word pieces per word of the name
    page_ocr: float  # mean OCR score of its page's lines (a photo reads worse throughout)
    # The classical rules, reading the same page, made this very block (day, name, times): two
    # different readers agreeing is evidence neither gives alone.
    rules_agree: bool = False


class SignalledTimetable(TimetableData):
    """The document tier's TimetableData with each block's `BlockSignals`, in block order."""

    _block_signals: list[BlockSignals] = PrivateAttr(default_factory=list)

    @classmethod
    def of(cls, result: TimetableData, signals: list[BlockSignals]) -> SignalledTimetable:
        if len(signals) != len(result.timeblocks):
            raise ValueError(f"{len(signals)} block signals for {len(result.timeblocks)} blocks")
        signalled = cls.model_construct(**dict(result))
        signalled._block_signals = list(signals)
        return signalled

    @property
    def block_signals(self) -> list[BlockSignals]:
        return self._block_signals


def signals_of(result: TimetableData) -> list[BlockSignals] | None:
    """The result's block signals, or None when it carries none for its blocks (another tier,
    a result read back from JSON)."""
    if isinstance(result, SignalledTimetable) and len(result.block_signals) == len(
            result.timeblocks):
        return result.block_signals
    return None


def with_rules(blocks: list[TimeBlock], signals: list[BlockSignals],
               rules: list[TimeBlock]) -> list[BlockSignals]:
    """`signals` with `rules_agree` set for each block the rules' blocks hold too: the same day,
    name (after the contract's normalisation) and times."""
    made = {_agreement_key(b) for b in rules}
    return [s.model_copy(update={"rules_agree": _agreement_key(b) in made})
            for b, s in zip(blocks, signals, strict=True)]


def _agreement_key(block: TimeBlock) -> tuple:
    return block.day, normalise(block.name), block.start_time, block.end_time


# --- Features -----------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{3,}")
_TOKEN = re.compile(r"\S+")
_CLIP = 1e-4


def _logit(p: float) -> float:
    p = min(max(p, _CLIP), 1 - _CLIP)
    return math.log(p / (1 - p))


def name_shape(name: str) -> tuple[float, float, float]:
    """(share of its tokens that are words of three letters or more, share of one-character
    tokens, holds a digit): a subject's name against OCR fragments and codes."""
    tokens = _TOKEN.findall(name) or [""]
    words = sum(bool(_WORD.fullmatch(t.strip(".,:;()[]-&/'"))) for t in tokens)
    single = sum(len(t) == 1 for t in tokens)
    return words / len(tokens), single / len(tokens), float(any(c.isdigit() for c in name))


def _minutes(hhmm: str | None) -> int | None:
    return None if hhmm is None else int(hhmm[:2]) * 60 + int(hhmm[3:])


def timetable_checks(blocks: list[TimeBlock]) -> list[dict[str, float]]:
    """Per block, what the assembled timetable says of it: the validator's findings, per block
    (it overlaps another block of its day, another has its very times, its end is not after its
    start or lies outside the school day), and how it fits the rest — a right timetable tiles
    its days (a lesson starts where another ends), repeats a lesson in one slot over the week,
    and has slots of like lengths."""
    day_lo, day_hi = (_minutes(t) for t in SCHOOL_DAY)
    spans = [(b.day, _minutes(b.start_time), _minutes(b.end_time)) for b in blocks]
    names: dict[str, int] = {}
    slots: dict[tuple, set[str]] = {}
    for block, (day, start, end) in zip(blocks, spans, strict=True):
        names[block.name.casefold()] = names.get(block.name.casefold(), 0) + 1
        slots.setdefault((block.name.casefold(), start, end), set()).add(day)
    durations = [e - s for _, s, e in spans if s is not None and e is not None and e > s]
    typical = float(np.median(durations)) if durations else 0.0
    starts = {(d, s) for d, s, _ in spans if s is not None}
    ends = {(d, e) for d, _, e in spans if e is not None}
    first = {d: min(s for dd, s in starts if dd == d) for d, _ in starts}
    last = {d: max(e for dd, e in ends if dd == d) for d, _ in ends}
    checks = []
    for block, (day, start, end) in zip(blocks, spans, strict=True):
        overlap = same = 0.0
        for other_day, other_start, other_end in spans:
            if other_day != day or None in (start, end, other_start, other_end):
                continue
            if (other_start, other_end) == (start, end):
                same += 1.0  # itself once
            elif start < other_end and other_start < end:  # type: ignore[operator]
                overlap = 1.0
        timed = start is not None and end is not None
        checks.append({
            "overlaps": overlap, "same_times": float(same > 1),
            "odd_times": float((timed and end <= start)  # type: ignore[operator]
                               or any(t is not None and not day_lo <= t <= day_hi  # type: ignore[operator]
                                      for t in (start, end))),
            "log_name_repeats": math.log(names[block.name.casefold()]),
            "start_meets": float(start is not None and ((day, start) in ends
                                                        or first.get(day) == start)),
            "end_meets": float(end is not None and ((day, end) in starts
                                                    or last.get(day) == end)),
            "log_duration_ratio": (math.log((end - start) / typical)  # type: ignore[operator]
                                   if timed and end > start and typical else 0.0),  # type: ignore[operator]
            "log_slot_days": (math.log(len(slots[(block.name.casefold(), start, end)]))
                              if start is not None else 0.0),
        })
    return checks


def _block_row(block: TimeBlock, s: BlockSignals, checks: dict[str, float]) -> dict[str, float]:
    words, single, digit = name_shape(block.name)
    return {
        "logit_product": _logit(s.product), "logit_role_name": _logit(s.role_name),
        "logit_role_members": _logit(s.role_members),
        "logit_group_inner": _logit(s.group_inner), "logit_group_outer": _logit(s.group_outer),
        "logit_day": _logit(s.day), "day_margin": s.day_margin,
        "logit_start": _logit(s.start), "start_margin": s.start_margin,
        "logit_end": _logit(s.end), "end_margin": s.end_margin,
        "start_none": s.start_none, "end_none": s.end_none,
        "start_from_grid": s.start_from_grid, "end_from_grid": s.end_from_grid,
        "end_written": s.end_written, "times_in_cell": s.times_in_cell,
        "drawn_cell": s.drawn_cell, "days_from_grid": s.days_from_grid,
        "log_days": math.log(max(s.days, 1)), "log_lines": math.log(max(s.lines, 1)),
        "log_name_lines": math.log(max(s.name_lines, 1)),
        "logit_ocr_name": _logit(s.ocr_name), "logit_ocr_time": _logit(s.ocr_time),
        "logit_page_ocr": _logit(s.page_ocr),
        "whole_words": s.whole_words, "log_word_pieces": math.log1p(s.word_pieces),
        "name_words": words, "name_single_chars": single, "name_digit": digit,
        "log_name_chars": math.log1p(len(block.name)), "rules_agree": s.rules_agree, **checks,
    }


FEATURES: tuple[str, ...] = (
    "logit_product", "logit_role_name", "logit_role_members", "logit_group_inner",
    "logit_group_outer", "logit_day", "day_margin", "logit_start", "start_margin", "logit_end",
    "end_margin", "start_none", "end_none", "start_from_grid", "end_from_grid", "end_written",
    "times_in_cell", "drawn_cell", "days_from_grid", "log_days", "log_lines", "log_name_lines",
    "logit_ocr_name", "logit_ocr_time", "logit_page_ocr", "whole_words", "log_word_pieces",
    "name_words", "name_single_chars", "name_digit", "log_name_chars", "overlaps", "same_times",
    "odd_times", "log_name_repeats", "start_meets", "end_meets", "log_duration_ratio",
    "log_slot_days", "log_page_blocks", "rules_agree",
)


def block_features(result: TimetableData, signals: list[BlockSignals]) -> np.ndarray:
    """(blocks, len(FEATURES)): the calibrator's inputs, in FEATURES order."""
    if not signals:
        return np.zeros((0, len(FEATURES)))
    rows = [_block_row(block, s, checks) for block, s, checks in zip(
        result.timeblocks, signals, timetable_checks(result.timeblocks), strict=True)]
    # How many blocks the document has (a page read as a handful of blocks was misread).
    page = math.log1p(len(rows))
    return np.array([[float({**row, "log_page_blocks": page}[name]) for name in FEATURES]
                     for row in rows])
