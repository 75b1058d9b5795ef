"""The warm-up document: a small timetable drawn at start-up so that loading the models and
running them once needs no file."""

from __future__ import annotations


def warmup_page() -> bytes:
    """A two-day, two-period ruled timetable as PNG bytes (drawn, so no file is needed)."""
    import cv2
    import numpy as np

    image = np.full((300, 640, 3), 255, np.uint8)
    for x in (20, 160, 400, 620):
        cv2.line(image, (x, 20), (x, 280), (0, 0, 0), 2)
    for y in (20, 100, 190, 280):
        cv2.line(image, (20, y), (620, y), (0, 0, 0), 2)
    for text, origin in [("Monday", (180, 70)), ("Tuesday", (420, 70)), ("09:00", (40, 150)),
                         ("Maths", (200, 150)), ("10:00", (40, 240)), ("English", (420, 240))]:
        cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    return cv2.imencode(".png", image)[1].tobytes()
