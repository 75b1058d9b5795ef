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


def test_a_band_is_found_across_the_week_past_icons_taller_than_half_of_it():
    image = page()
    image[100:175, 100:1100] = CARD  # "Playtime" across the whole row, an icon each side
    for x in (480, 720):
        image[118:158, x:x + 40] = (40, 90, 230)  # an orange ball, over half the band's height
    image[125:150, 560:680:6] = 30
    text = Box(x0=555, y0=122, x1=685, y1=153)
    found = filled_box(image, text, GROUND.astype(float), Box(x0=0, y0=0, x1=1200, y1=300))
    assert found is not None and found.x0 <= 102 and found.x1 >= 1098


def test_a_border_between_two_cards_of_one_fill_is_no_icon():
    image = page()
    image[100:175, 100:1100] = CARD
    image[100:175, 598:604] = (90, 90, 90)  # a drawn border down the whole band
    image[125:150, 300:420:6] = 30
    text = Box(x0=295, y0=122, x1=425, y1=153)
    found = filled_box(image, text, GROUND.astype(float), Box(x0=0, y0=0, x1=1200, y1=300))
    assert found is not None and found.x1 <= 600
