"""Debug drawings: what each stage found, drawn on the page, so a person can look at it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from inference.trace import PageTrace

_CELL = (40, 160, 40)
_LINE = (200, 80, 0)
_BLOCK = (0, 0, 220)


def draw_trace(trace: PageTrace) -> np.ndarray:
    canvas = trace.image.copy()
    for table in trace.tables:
        for cell in table.cells:
            b = cell.box
            cv2.rectangle(canvas, (int(b.x0), int(b.y0)), (int(b.x1), int(b.y1)), _CELL, 2)
            cv2.putText(canvas, f"{cell.row},{cell.col}", (int(b.x0) + 3, int(b.y0) + 14),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.4, _CELL, 1)
    for line in trace.lines:
        b = line.box
        cv2.rectangle(canvas, (int(b.x0), int(b.y0)), (int(b.x1), int(b.y1)), _LINE, 1)
    for block in trace.assembly.blocks:
        if block.source_box is None:
            continue
        b = block.source_box
        label = f"{block.day[:2]} {block.start_time or '?'}-{block.end_time or '?'}"
        cv2.putText(canvas, label, (int(b.x0) + 3, int(b.y1) - 5),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, _BLOCK, 1)
    return canvas


def write_debug(traces: list[PageTrace], out_dir: Path, stem: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, trace in enumerate(traces):
        path = out_dir / f"{stem}-p{index + 1}.png"
        cv2.imwrite(str(path), draw_trace(trace))
        paths.append(path)
    return paths
