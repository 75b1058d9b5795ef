"""A page being drawn, with its layout labels recorded as it is drawn: every text line that
reaches the page is recorded by the one function that draws text, so the layout labels cannot
miss a line or disagree with the pixels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

Angle = Literal[0, 90, 270]
Rgb = tuple[int, int, int]
Point = tuple[float, float]
LineRole = Literal["day", "time", "event", "notes", "heading", "index", "footnote", "other"]
CellRole = Literal["day", "time", "event", "heading", "index", "empty", "corner"]

# Transpose that turns upright text into text read bottom-to-top (90) or top-to-bottom (270).
_TRANSPOSE = {90: Image.Transpose.ROTATE_90, 270: Image.Transpose.ROTATE_270}


@dataclass
class LineLabel:
    text: str
    quad: list[Point]  # the text's own top-left, top-right, bottom-right, bottom-left on the page
    angle: Angle
    role: LineRole
    fields: list[str] = field(default_factory=list)
    cell: int | None = None
    blocks: list[int] = field(default_factory=list)
    font: str = ""

    def box(self) -> tuple[float, float, float, float]:
        xs, ys = [p[0] for p in self.quad], [p[1] for p in self.quad]
        return min(xs), min(ys), max(xs), max(ys)

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "box": [round(v, 1) for v in self.box()],
            "quad": [[round(x, 1), round(y, 1)] for x, y in self.quad],
            "angle": self.angle,
            "role": self.role,
            "field": self.fields[0] if self.fields else None,
            "fields": self.fields,
            "cell": self.cell,
            "blocks": self.blocks,
            "font": self.font,
        }


@dataclass
class CellLabel:
    quad: list[Point]
    row: int
    col: int
    row_span: int
    col_span: int
    role: CellRole
    blocks: list[int] = field(default_factory=list)
    table: int = 0

    def to_json(self) -> dict:
        xs, ys = [p[0] for p in self.quad], [p[1] for p in self.quad]
        return {
            "box": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)],
            "quad": [[round(x, 1), round(y, 1)] for x, y in self.quad],
            "row": self.row, "col": self.col, "rowSpan": self.row_span,
            "colSpan": self.col_span, "role": self.role, "blocks": self.blocks,
            "table": self.table,
        }


def rect_quad(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _text_quad(x0: float, y0: float, x1: float, y1: float, angle: Angle) -> list[Point]:
    tl, tr, br, bl = rect_quad(x0, y0, x1, y1)
    if angle == 90:  # reads upwards: the text's top-left is the box's bottom-left
        return [bl, tl, tr, br]
    if angle == 270:
        return [tr, br, bl, tl]
    return [tl, tr, br, bl]


class Canvas:
    def __init__(self, width: int, height: int, paper: Rgb):
        self.image = Image.new("RGB", (width, height), paper)
        self.draw = ImageDraw.Draw(self.image)
        self.lines: list[LineLabel] = []
        self.cells: list[CellLabel] = []

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    def add_cell(self, cell: CellLabel) -> int:
        self.cells.append(cell)
        return len(self.cells) - 1

    def text(self, text: str, x: float, y: float, font: ImageFont.FreeTypeFont, fill: Rgb,
             angle: Angle, role: LineRole, *, cell: int | None = None,
             blocks: list[int] | None = None, fields: list[str] | None = None,
             highlight: Rgb | None = None) -> LineLabel | None:
        """Draw one line with the top-left of its (rotated) line box at (x, y); record its ink
        box. Returns None (and draws nothing) for text that leaves no ink."""
        ascent, descent = font.getmetrics()
        width = max(1, int(font.getlength(text)) + 4)
        mask = Image.new("L", (width, ascent + descent + 4), 0)
        ImageDraw.Draw(mask).text((2, 2), text, font=font, fill=255)
        if angle in _TRANSPOSE:
            mask = mask.transpose(_TRANSPOSE[angle])
        ink = mask.getbbox()
        if ink is None:
            return None
        ix, iy = int(round(x)), int(round(y))
        if highlight is not None:
            pad = 2
            self.draw.rectangle([ix + ink[0] - pad, iy + ink[1] - pad,
                                 ix + ink[2] + pad, iy + ink[3] + pad], fill=highlight)
        self.image.paste(Image.new("RGB", mask.size, fill), (ix, iy), mask)
        quad = _text_quad(ix + ink[0], iy + ink[1], ix + ink[2], iy + ink[3], angle)
        line = LineLabel(text, quad, angle, role, list(fields or []), cell, list(blocks or []),
                         font=font.path.rsplit("/", 1)[-1] if isinstance(font.path, str) else "")
        self.lines.append(line)
        return line
