"""The classical tier: the hand-written rules read each page's cells by geometry
(`assembly.py`), the heading parser reads the text outside the timetable (`heading.py`), and
the validator checks the result (`validate.py`). It needs no model, so it is what `auto`
falls back to while the registry has no document champion."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from inference.heading import heading_text, parse_heading
from inference.schema import TimetableData
from inference.validate import validate

if TYPE_CHECKING:
    from inference.settings import Settings
    from inference.trace import PageTrace


def _confidence(traces: list[PageTrace]) -> float:
    """A first honest estimate (calibration comes with the cascade): OCR certainty of the
    blocks, discounted for implied times, missing times and warnings."""
    blocks = [b for trace in traces for b in trace.assembly.blocks]
    if not blocks:
        return 0.0
    block_conf = float(np.mean([b.confidence or 0.0 for b in blocks]))
    timed = sum(b.start_time is not None and b.end_time is not None for b in blocks) / len(blocks)
    ruled = all(table.ruled for trace in traces for table in trace.tables)
    return round(block_conf * (0.5 + 0.5 * timed) * (1.0 if ruled else 0.7), 4)


def assemble_document(traces: list[PageTrace]) -> TimetableData:
    """The rules' timetable of a document from its pages' assemblies."""
    blocks = [b for trace in traces for b in trace.assembly.blocks]
    warnings = [w for trace in traces for w in trace.assembly.warnings]
    for index, trace in enumerate(traces):
        if not trace.assembly.blocks:
            warnings.append(f"page {index + 1}: no timetable found, skipped")
    heading = parse_heading("\n".join(
        heading_text(trace.assembly.heading_lines, trace.lines) for trace in traces))
    warnings.extend(validate(blocks))
    return TimetableData(
        teacher=heading.teacher,
        class_name=heading.class_name,
        term=heading.term,
        year=heading.year,
        timeblocks=blocks,
        confidence=_confidence(traces),
        tier="classical",
        model_versions={},
        warnings=warnings,
    )


class ClassicalTier:
    """The rules as a tier (`inference.tiers`)."""

    def __init__(self, settings: Settings) -> None:
        del settings  # the rules have nothing to load

    def read(self, traces: list[PageTrace]) -> TimetableData:
        return assemble_document(traces)
