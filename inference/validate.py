"""Checks on an assembled timetable; findings become `warnings`, nothing is dropped."""

from __future__ import annotations

from inference.schema import TimeBlock

SCHOOL_DAY = ("07:00", "18:30")


def validate(blocks: list[TimeBlock]) -> list[str]:
    warnings = []
    for block in blocks:
        where = f"{block.day} {block.name!r}"
        if block.start_time and block.end_time and block.end_time <= block.start_time:
            warnings.append(f"{where}: ends at {block.end_time}, not after {block.start_time}")
        for value in (block.start_time, block.end_time):
            if value and not SCHOOL_DAY[0] <= value <= SCHOOL_DAY[1]:
                warnings.append(f"{where}: {value} is outside the school day")
        if block.start_time is None:
            warnings.append(f"{where}: no start time found")
    by_day: dict[str, list[TimeBlock]] = {}
    for block in blocks:
        if block.start_time and block.end_time:
            by_day.setdefault(block.day, []).append(block)
    for day, day_blocks in by_day.items():
        ordered = sorted(day_blocks, key=lambda b: (b.start_time, b.end_time))
        for a, b in zip(ordered, ordered[1:], strict=False):
            assert a.end_time and b.start_time
            if b.start_time < a.end_time:
                warnings.append(
                    f"{day}: {a.name!r} ({a.start_time}–{a.end_time}) overlaps "
                    f"{b.name!r} ({b.start_time}–{b.end_time})"
                )
    return warnings
