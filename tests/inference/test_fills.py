"""Filled boxes (`inference.fills`): the card a line of text stands in, grown from the text
over the fill, on pages drawn here."""

from __future__ import annotations

import numpy as np

from inference.fills import filled_box
from inference.schema import Box

GROUND = np.array([200, 225, 235], dtype=np.uint8)  # cream paper (BGR)
CARD = np.array([160, 225, 215], dtype=np.uint8)  # pale green


def page() -> np.ndarray:
    image = np.empty((300, 1200, 3), dtype=np.uint8)
    image[:] = GROUND
    return image


def test_a_long_card_is_found_whole_past_an_icon_and_under_light_falling_off():
    image = page()
    image[100:200, 100:1100] = CARD
    # The photo's light falls off across the card: 40 grey levels darker at its right end.
    shade = np.linspace(0, 40, 1000)[None, :, None]
    image[100:200, 100:1100] = (image[100:200, 100:1100] - shade).clip(0, 255).astype(np.uint8)
    image[133:167, 520:554] = (40, 40, 200)  # an apple icon before the text, as tall as it
    image[135:165, 580:700:6] = 30  # bold text, its strokes most of its rows
    text = Box(x0=575, y0=132, x1=705, y1=168)
    found = filled_box(image, text, GROUND.astype(float), Box(x0=0, y0=0, x1=1200, y1=300))
    assert found is not None
    assert (found.x0, found.y0) <= (102, 102) and (found.x1, found.y1) >= (1098, 198)


def test_a_card_stops_at_the_gap_of_paper_beside_it():
    image = page()
    image[100:200, 100:500] = CARD
    image[100:200, 520:900] = CARD  # the next day's card, 20 px of paper between
    text = Box(x0=200, y0=135, x1=300, y1=165)
    image[138:162, 200:300:5] = 30
    found = filled_box(image, text, GROUND.astype(float), Box(x0=0, y0=0, x1=1200, y1=300))
    assert found is not None and 95 <= found.x0 <= 105 and 495 <= found.x1 <= 505
