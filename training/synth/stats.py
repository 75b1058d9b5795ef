"""Describing a generated set: the mix of layouts, captures, rulings, fonts and sizes, read
back from the manifest so it describes what was written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.table import Table

from training.synth.writer import read_manifest


def _share(count: int, total: int) -> str:
    return f"{count / total:.0%}" if total else "-"


def _mix(docs: list[dict], key: str) -> str:
    counts = Counter(str(d[key]) for d in docs)
    return ", ".join(f"{k} {_share(v, len(docs))}" for k, v in counts.most_common())


def compute_stats(directory: Path) -> dict[str, float | int | str]:
    docs = read_manifest(directory)["documents"]
    n = len(docs)
    blocks = [d["blocks"] for d in docs] or [0]
    lines = sum(d["lines"] for d in docs)
    fonts = Counter(d["font"] for d in docs)
    return {
        "documents": n,
        "layout mix": _mix(docs, "layout"),
        "capture mix": _mix(docs, "capture"),
        "photo share": _share(sum(d["photo"] for d in docs), n),
        "pages with rotated text": _share(sum(d["rotatedLines"] > 0 for d in docs), n),
        "rotated lines": _share(sum(d["rotatedLines"] for d in docs), lines),
        "blocks per page (mean)": round(sum(blocks) / max(n, 1), 1),
        "blocks per page (min)": min(blocks),
        "blocks per page (max)": max(blocks),
        "implied-time blocks": _share(sum(d["impliedBlocks"] for d in docs), sum(blocks)),
        "ruling mix": _mix(docs, "ruling"),
        "font styles": _mix(docs, "fontStyle"),
        "fonts used": f"{len(fonts)}: " + ", ".join(f"{k} {v}" for k, v in fonts.most_common(8)),
        "day-name styles": _mix(docs, "dayStyle"),
        "days 5/6": _mix(docs, "nDays"),
        "PDF share": _share(sum(d["pdf"] for d in docs), n),
    }


def stats_table(directory: Path) -> Table:
    table = Table(title=f"Synthetic set {directory}")
    table.add_column("measure", style="bold")
    table.add_column("value")
    for key, value in compute_stats(directory).items():
        table.add_row(key, str(value))
    return table
