"""`DocumentReading`: how well a document was read, as features — the OCR's mean and lowest
line confidence, how many lines, the share that run sideways, whether a ruled grid was found
and its size, how far the page was turned to straighten it, how blurred it is, the page count,
the tier's raw confidence and which model versions read it. Made from the cascade's
`PageTrace`s once the tier has answered, pushed to the `document_reading` feature view.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import cv2
import numpy as np
from pydantic import BaseModel, Field

from inference.preprocess import to_gray
from inference.schema import TimetableData
from inference.trace import PageTrace

# An id for "no uploader named": never pushed as history, so its history reads back empty.
NO_UPLOADER = ""


class DocumentReading(BaseModel):
    """One row of the `document_reading` feature view (its field names are the feature names;
    feature_repo/definitions.py builds the Feast schema from this model)."""

    document_id: str
    event_timestamp: datetime = Field(default_factory=lambda: datetime.now(UTC))
    uploader: str = NO_UPLOADER
    ocr_mean_confidence: float
    ocr_min_confidence: float
    line_count: int
    rotated_share: float  # lines whose reading direction is not horizontal
    ruled: bool  # a drawn grid was found on some page
    grid_rows: int  # of the largest table
    grid_cols: int
    skew_degrees: float  # rotation applied to straighten the page, quarter turns aside
    blur: float  # variance of the Laplacian of the blurriest page (lower = blurrier)
    page_count: int
    raw_confidence: float  # the tier's own score, before any calibration
    tier: str
    model_versions: str  # JSON of the result's modelVersions


ENTITY_KEYS = {"document_id", "uploader"}
READING_FEATURES = [name for name in DocumentReading.model_fields
                    if name not in {"document_id", "event_timestamp"}]


def skew_degrees(transform: np.ndarray) -> float:
    """The rotation in the page's transform (flattening, deskew), folded into (-45°, 45°] so
    that quarter turns (a page on its side, read correctly) do not count as skew."""
    angle = math.degrees(math.atan2(float(transform[1, 0]), float(transform[0, 0])))
    return round((angle + 45.0) % 90.0 - 45.0, 3)


def blur_measure(image: np.ndarray) -> float:
    """Variance of the Laplacian of the grey page: sharp strokes give large values."""
    return float(cv2.Laplacian(to_gray(image), cv2.CV_64F).var())


def document_reading(document_id: str, result: TimetableData, raw_confidence: float,
                     traces: list[PageTrace], uploader: str | None = None) -> DocumentReading:
    lines = [line for trace in traces for line in trace.lines]
    scores = [line.score for line in lines]
    tables = [table for trace in traces for table in trace.tables]
    largest = max(tables, key=lambda table: len(table.cells), default=None)
    rows = max((cell.row + cell.row_span for cell in largest.cells), default=0) if largest else 0
    cols = max((cell.col + cell.col_span for cell in largest.cells), default=0) if largest else 0
    return DocumentReading(
        document_id=document_id,
        uploader=uploader or NO_UPLOADER,
        ocr_mean_confidence=round(float(np.mean(scores)), 4) if scores else 0.0,
        ocr_min_confidence=round(float(np.min(scores)), 4) if scores else 0.0,
        line_count=len(lines),
        rotated_share=round(sum(line.angle != 0 for line in lines) / len(lines), 4)
        if lines else 0.0,
        ruled=any(table.ruled for table in tables),
        grid_rows=rows,
        grid_cols=cols,
        skew_degrees=max((skew_degrees(t.transform) for t in traces), key=abs, default=0.0),
        blur=round(min((blur_measure(t.image) for t in traces), default=0.0), 2),
        page_count=len(traces),
        raw_confidence=round(float(raw_confidence), 4),
        tier=result.tier,
        model_versions=json.dumps(dict(sorted(result.model_versions.items()))),
    )
