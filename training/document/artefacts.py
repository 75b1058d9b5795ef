"""The pictures a document training run logs: the held-out role confusion matrix, and pages
with each OCR line outlined in the colour of its predicted role."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from inference.document.inputs import ROLES
from training.document.data import Example


def confusion_figure(confusion: np.ndarray):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    share = confusion / np.maximum(confusion.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(ROLES)), ROLES, rotation=45, ha="right")
    ax.set_yticks(range(len(ROLES)), ROLES)
    ax.set_xlabel("predicted role")
    ax.set_ylabel("gold role")
    for (i, j), count in np.ndenumerate(confusion):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                    color="white" if share[i, j] > 0.5 else "black")
    ax.set_title("held-out OCR lines: gold × predicted role")
    fig.tight_layout()
    return fig


ROLE_COLOURS = {"other": (150, 150, 150), "day": (220, 30, 30), "time": (30, 30, 220),
                "event": (20, 160, 20), "notes": (230, 140, 0), "teacher": (170, 0, 170),
                "class": (170, 0, 170), "term": (170, 0, 170), "year": (170, 0, 170),
                "index": (0, 170, 170), "footnote": (100, 60, 0)}


def draw_roles(page_png: Path, example: Example, roles: np.ndarray, out: Path) -> Path:
    """The original page with each OCR line's box (mapped back from the cleaned page) outlined
    in the colour of its predicted role, and the role written above it."""
    from PIL import Image, ImageDraw

    from inference.preprocess import map_points

    image = Image.open(page_png).convert("RGB")
    draw = ImageDraw.Draw(image)
    back = np.linalg.inv(example.transform)
    for line, role in zip(example.reading.lines, roles, strict=False):
        b = line.box
        corners = map_points(back, np.array([[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1],
                                             [b.x0, b.y1]]))
        name = ROLES[int(role)]
        points = [tuple(p) for p in corners.tolist()]
        draw.polygon(points, outline=ROLE_COLOURS[name], width=3)
        draw.text((points[0][0], points[0][1] - 11), name, fill=ROLE_COLOURS[name])
    image.thumbnail((1400, 1400))
    image.save(out)
    return out
