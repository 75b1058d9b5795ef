"""Ruling lines: the long horizontal and vertical strokes of a page, found by morphological
opening. The preprocessing flattens and deskews the page by them, and the structure stage
finds cells between them.

Two readings of the page are united. The binary one (dark against the local mean) holds
crisp rules of any weight; the grey-level one (a top-hat keeps thin dark strokes, whatever
the fill around them) holds rules a blur or a faint print spread into a soft grey trace,
which fall under the binary threshold in places and then break apart."""

from __future__ import annotations

import cv2
import numpy as np

# Grey levels a thin stroke must stand out by, all along a rule, in the grey-level reading.
FAINT_RULE_CONTRAST = 25


def _long_strokes(image: np.ndarray) -> np.ndarray:
    """Where `image` keeps its value along a horizontal or vertical run of a rule's length."""
    h, w = image.shape
    horizontal = cv2.morphologyEx(
        image, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 35), 1))
    )
    vertical = cv2.morphologyEx(
        image, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(25, h // 35)))
    )
    return np.maximum(horizontal, vertical)


def thin_strokes(gray: np.ndarray) -> np.ndarray:
    """How far each pixel of a dark stroke thinner than 9 px stands out from its
    surroundings (a top-hat): rules and text, but not the edge between two regions (a
    shadow, the sheet against the desk), which no thin stroke marks."""
    return cv2.morphologyEx(255 - gray, cv2.MORPH_TOPHAT, np.ones((9, 9), np.uint8))


def line_mask(gray: np.ndarray) -> np.ndarray:
    """Binary mask (255 = ruling line) of long horizontal and vertical strokes."""
    binary = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 10
    )
    faint = np.where(_long_strokes(thin_strokes(gray)) > FAINT_RULE_CONTRAST, 255, 0
                     ).astype(np.uint8)
    mask = cv2.bitwise_or(_long_strokes(binary), faint)
    # Close small breaks where lines meet or where a scan faded them.
    return cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)
