"""Reading order: the lines of one cell (or any group of lines) in the order a person reads
them — rows top to bottom and left to right, or, for text set mostly sideways, columns of
rotated lines read bottom to top. Every tier reads cells this way."""

from __future__ import annotations

from inference.schema import OcrLine


def _rows(lines: list[OcrLine], across: str) -> list[list[OcrLine]]:
    """Group lines whose extents overlap on the `across` axis ("y": text rows, "x": columns of
    rotated text)."""
    def lo(line: OcrLine) -> float:
        return line.box.y0 if across == "y" else line.box.x0

    def hi(line: OcrLine) -> float:
        return line.box.y1 if across == "y" else line.box.x1

    groups: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: (lo(ln) + hi(ln)) / 2):
        if groups:
            last = groups[-1][0]
            overlap = min(hi(line), hi(last)) - max(lo(line), lo(last))
            if overlap > 0.5 * min(hi(line) - lo(line), hi(last) - lo(last)):
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines of one cell in reading order. Mostly-rotated text (by characters) reads bottom to
    top within a column and columns left to right; otherwise rows top to bottom, left to
    right within a row."""
    rotated = sum(len(line.text) for line in lines if line.angle)
    if rotated * 2 > sum(len(line.text) for line in lines):
        columns = _rows(lines, "x")
        return [line for col in columns for line in sorted(col, key=lambda ln: -ln.box.y1)]
    rows = _rows(lines, "y")
    return [line for row in rows for line in sorted(row, key=lambda ln: ln.box.x0)]


def cell_text(lines: list[OcrLine]) -> str:
    return " ".join(line.text for line in reading_order(lines)).strip()
