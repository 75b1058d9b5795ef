"""Ruling lines: the long horizontal and vertical strokes of a page, found by morphological
opening. The preprocessing flattens and deskews the page by them, and the structure stage
finds cells between them."""

from __future__ import annotations

import cv2
import numpy as np


def line_mask(gray: np.ndarray) -> np.ndarray:
    """Binary mask (255 = ruling line) of long horizontal and vertical strokes."""
    binary = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 10
    )
    h, w = gray.shape
    horizontal = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 35), 1))
    )
    vertical = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(25, h // 35)))
    )
    mask = cv2.bitwise_or(horizontal, vertical)
    # Close small breaks where lines meet or where a scan faded them.
    return cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)
