"""`inference.ocr`: the RapidOCR engine reads flat lines as they lie, and a page upside down
still reads (the 0/180° classifier is trusted where the direction is in doubt)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.ocr import (
    MAX_ASPECT,
    RapidOcrEngine,
    SharedRecognition,
    UprightLines,
    _bounded_aspect,
    _standing,
)
from inference.schema import Box
from inference.settings import Settings

TEXTS = ["9:10-10:00", "Monday 11:40", "ENGLISH 3", "10:50-11:40", "Tuesday", "MATHS 4"]


def page() -> np.ndarray:
    image = np.full((420, 700, 3), 255, np.uint8)
    for k, text in enumerate(TEXTS):
        cv2.putText(image, text, (40, 60 + 60 * k), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
    return image


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine(Settings())


def _read(engine: RapidOcrEngine, image: np.ndarray) -> set[str]:
    return {line.text.replace(" ", "") for line in engine.read_page(image)}


class _Classifier:
    """RapidOCR's classifier, scripted: flips the crops named in `flip` (near-certainly)."""

    cls_thresh = 0.99

    def __init__(self, flip: set[int]) -> None:
        self.flip = flip

    def __call__(self, crops):
        turned = [np.rot90(c, 2) if k in self.flip else c.copy() for k, c in enumerate(crops)]
        return turned, [["180" if k in self.flip else "0", 0.999] for k in range(len(crops))], 0


def _classified(flip: set[int]) -> list[str]:
    flat = np.array([[0, 0], [100, 0], [100, 20], [0, 20]], np.float32)
    standing = np.array([[0, 0], [20, 0], [20, 100], [0, 100]], np.float32)
    boxes = [flat, flat, flat, standing]
    crops = [np.full((20, 100, 3), k, np.uint8) for k in range(4)]
    lines = UprightLines(lambda image, found: crops, _Classifier(flip))
    lines.crops(None, boxes)
    return [verdict[0] for verdict in lines.classify(crops)[1]]


def test_a_flat_line_is_not_turned_over_on_an_upright_page():
    assert _classified({0, 3}) == ["0", "0", "0", "180"]  # the standing crop may turn


def test_most_flat_lines_turned_over_mean_the_page_is_upside_down():
    assert _classified({0, 1, 2}) == ["180", "180", "180", "0"]


def test_an_upside_down_page_still_reads(engine):
    read = _read(engine, cv2.rotate(page(), cv2.ROTATE_180))
    assert len({"9:10-10:00", "10:50-11:40", "Tuesday"} & read) >= 2


def test_a_strip_is_padded_so_detection_does_not_blow_it_up():
    # A 7 × 900 strip once made detection scale it to 94,000 px wide (minutes, 4.5 GB).
    strip = np.full((7, 900, 3), (200, 220, 240), np.uint8)
    padded = _bounded_aspect(strip)
    assert padded.shape == (113, 900, 3) and padded.shape[1] <= MAX_ASPECT * padded.shape[0]
    assert (padded[:7] == strip).all() and (padded[7:] == (200, 220, 240)).all()
    image = page()
    assert _bounded_aspect(image) is image  # a page of ordinary shape is left alone


def test_text_on_a_long_strip_keeps_its_place(engine):
    strip = np.full((60, 1400, 3), 255, np.uint8)
    cv2.putText(strip, "MATHS 4", (900, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
    [line] = engine.read_page(strip)
    assert line.text.replace(" ", "") == "MATHS4" and 880 < line.box.x0 < 920
    assert line.box.y1 <= 60


@pytest.mark.parametrize(("width", "height", "text", "standing"), [
    (35, 60, "Lunch", True),  # 1.5 times as tall as wide: the reader turned it
    (35, 52, "eak", True),  # a rotated word's piece, just short of the ratio: three letters
    (35, 52, "1", False),  # one character tells nothing
    (30, 40, "ll", False),  # two narrow letters fit upright
    (80, 20, "Maths", False),
])
def test_a_line_taller_than_wide_with_three_letters_was_read_standing(width, height, text,
                                                                      standing):
    assert _standing(Box(x0=0, y0=0, x1=width, y1=height), text) is standing


def test_a_standing_word_the_classifier_turned_over_is_read_again_both_ways():
    # "Monday" typeset bottom to top down a day column; the 0/180° classifier, near-certain
    # and wrong, leaves it upside down, and it reads as garbage ("Kepuow"), with some doubt.
    engine = RapidOcrEngine(Settings())
    image = np.full((400, 500, 3), 255, np.uint8)
    strip = np.full((60, 260, 3), 255, np.uint8)
    cv2.putText(strip, "Monday", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (0, 0, 0), 3)
    image[60:320, 60:120] = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)
    cv2.putText(image, "Tuesday", (200, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
    upright = engine._ocr.text_cls.__self__  # the UprightLines wrapping the classifier
    classify = upright._classify

    def leave_standing_as_cropped(crops):
        # RapidOCR turns a tall crop counter-clockwise (this word comes out upside down) and
        # the classifier, scripted, leaves it so.
        turned, verdicts, elapsed = classify(crops)
        for k, standing in enumerate(upright._standing):
            if standing:
                turned[k], verdicts[k] = crops[k], ["0", 0.999]
        return turned, verdicts, elapsed

    leave_standing_as_cropped.cls_thresh = classify.cls_thresh
    upright._classify = leave_standing_as_cropped
    lines = {line.text: line.angle for line in engine.read_page(image)}
    assert lines.get("Monday") == 90 and "Tuesday" in lines


def test_a_page_s_crops_shared_between_two_threads_read_as_one_call_reads_them():
    # Two one-thread sessions' worth of work on two cores: the same text and score for every
    # crop, in the crops' order, as a one-thread engine's recogniser reading them one by one.
    shared = RapidOcrEngine(Settings(onnx_threads=2))._ocr.text_rec
    assert isinstance(shared, SharedRecognition)
    crops = []
    for k, text in enumerate(TEXTS * 2):
        crop = np.full((48, 40 + 22 * len(text) + 10 * k, 3), 255, np.uint8)
        cv2.putText(crop, text, (6, 34), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
        crops.append(crop)
    plain = RapidOcrEngine(Settings(onnx_threads=1))._ocr.text_rec
    assert not isinstance(plain, SharedRecognition)
    read, _ = shared(crops)
    assert read == plain(crops)[0]
    assert read[0][0] == "9:10-10:00" and read[2][0].replace(" ", "") == "ENGLISH3"
