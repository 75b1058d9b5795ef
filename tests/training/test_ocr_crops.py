"""Line crops from a data-engine set: upright, labelled right, split by document; the torch
recogniser reproduces RapidOCR's own strings on them."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch
from rapidfuzz import fuzz

from training.ocr.crops import HEIGHT, collate, extract_crops, is_held_out


@pytest.fixture(scope="module")
def crops(ocr_set):
    train, test, counts = extract_crops(ocr_set, held_out=0.34)
    return train, test, counts


@pytest.fixture(scope="module")
def rapid_recognizer():
    import rapidocr_onnxruntime
    from rapidocr_onnxruntime.ch_ppocr_rec.text_recognize import TextRecognizer
    from rapidocr_onnxruntime.utils import read_yaml

    root = pathlib.Path(rapidocr_onnxruntime.__file__).parent
    config = read_yaml(str(root / "config.yaml"))["Rec"]
    config["model_path"] = str(root / config["model_path"])
    return TextRecognizer(config)


def test_split_is_by_document_and_deterministic(ocr_set, crops):
    train, test, counts = crops
    assert {c.doc for c in train}.isdisjoint({c.doc for c in test})
    assert counts["docs_train"] + counts["docs_held_out"] == 3
    assert all(is_held_out(c.doc, 0.34) for c in test)
    again_train, again_test, _ = extract_crops(ocr_set, held_out=0.34)
    assert [c.text for c in again_train] == [c.text for c in train]
    assert [c.text for c in again_test] == [c.text for c in test]


def test_crops_are_upright_and_in_the_dictionary(ocr_set, crops):
    train, test, counts = crops
    everything = train + test
    assert counts["lines"] == counts["train"] + counts["held_out"] + counts["out_of_dictionary"]
    assert all(c.image.shape[0] == HEIGHT and c.image.dtype == np.uint8 for c in everything)
    rotated = [c for c in everything if c.angle in (90, 270) and len(c.text) >= 4]
    assert rotated, "the fixture set should contain rotated lines"
    # A multi-character line warped upright is wider than tall (a sideways crop would not be).
    assert all(c.image.shape[1] > HEIGHT for c in rotated)
    batch = collate([c.image for c in everything[:5]])
    assert batch.shape[2] == HEIGHT and batch.shape[3] >= 320 and batch.shape[3] % 8 == 0
    assert batch.min() >= -1.0 and batch.max() <= 1.0


def test_crop_text_matches_what_rapidocr_reads(crops, rapid_recognizer):
    train, test, _ = crops
    # Every multi-character rotated line plus a sample of upright ones (keeps the test fast).
    rotated = [c for c in train + test if c.angle != 0 and len(c.text) >= 4]
    everything = rotated + [c for c in train + test if c.angle == 0][::8]
    results, _ = rapid_recognizer([c.image for c in everything])
    similarity = [fuzz.ratio(r[0], c.text) for r, c in zip(results, everything, strict=True)]
    assert np.median(similarity) >= 90
    rotated = [s for s, c in zip(similarity, everything, strict=True) if c.angle != 0
               and len(c.text) >= 4]
    assert np.median(rotated) >= 80  # sideways crops would read as garbage


def test_torch_recognizer_reproduces_rapidocr_strings(crops, rapid_recognizer):
    from training.ocr.recognizer import Recognizer

    torch.set_num_threads(1)
    train, _, _ = crops
    sample = [c.image for c in train[:24]]
    expected, _ = rapid_recognizer(sample)
    got = Recognizer().predict(sample)
    assert [t for t, _ in got] == [t for t, _ in expected]
    assert np.allclose([s for _, s in got], [s for _, s in expected], atol=1e-4)
