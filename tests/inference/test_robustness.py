import cv2
import numpy as np

from inference.loading import PageImage
from inference.robustness import DESK, Variant


def _page() -> PageImage:
    image = np.full((200, 300, 3), 255, np.uint8)
    cv2.rectangle(image, (100, 50), (200, 150), (0, 0, 0), -1)
    return PageImage(0, image, "png")


def test_each_degradation_keeps_a_page_a_page():
    page = _page()
    assert Variant.parse("clean").apply(page).image is not None
    assert Variant.parse("scale:0.5").apply(page).image.shape == (100, 150, 3)
    for text in ("rotate:-3", "blur:1.2", "jpeg:40", "perspective:0.1", "shade:0.5",
                 "noise:8"):
        damaged = Variant.parse(text).apply(page).image
        assert damaged.shape == page.image.shape, text
        assert not np.array_equal(damaged, page.image), text


def test_a_tilt_fills_the_corners_with_the_page_edge_not_white():
    page = PageImage(0, np.full((200, 300, 3), 90, np.uint8), "png")  # a grey desk
    assert (Variant.parse("rotate:5").apply(page).image == 90).all()


def test_a_keystoned_photo_shows_the_desk_where_the_top_narrowed():
    damaged = Variant.parse("perspective:0.2").apply(_page()).image
    assert tuple(damaged[0, 0]) == DESK and tuple(damaged[0, -1]) == DESK
    assert (damaged[-5, 5] == 255).all()  # the bottom edge keeps its width


def test_shade_darkens_towards_one_corner_and_noise_is_the_same_every_run():
    shaded = Variant.parse("shade:0.5").apply(_page()).image
    assert shaded[0, 0].mean() > 250 and shaded[-1, -1].mean() < 130
    noise = Variant.parse("noise:8")
    assert np.array_equal(noise.apply(_page()).image, noise.apply(_page()).image)


def test_degradations_joined_by_plus_apply_in_order():
    photo = Variant.parse("scale:0.5+rotate:2")
    assert photo.label == "scale:0.5+rotate:2"
    assert photo.apply(_page()).image.shape == (100, 150, 3)
