import cv2
import numpy as np

from inference.loading import PageImage
from inference.robustness import Variant


def _page() -> PageImage:
    image = np.full((200, 300, 3), 255, np.uint8)
    cv2.rectangle(image, (100, 50), (200, 150), (0, 0, 0), -1)
    return PageImage(0, image, "png")


def test_each_degradation_keeps_a_page_a_page():
    page = _page()
    assert Variant.parse("clean").apply(page).image is not None
    assert Variant.parse("scale:0.5").apply(page).image.shape == (100, 150, 3)
    for text in ("rotate:-3", "blur:1.2", "jpeg:40"):
        damaged = Variant.parse(text).apply(page).image
        assert damaged.shape == page.image.shape, text
        assert not np.array_equal(damaged, page.image), text


def test_a_tilt_fills_the_corners_with_the_page_edge_not_white():
    page = PageImage(0, np.full((200, 300, 3), 90, np.uint8), "png")  # a grey desk
    assert (Variant.parse("rotate:5").apply(page).image == 90).all()
