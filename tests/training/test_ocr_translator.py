"""The ONNX → torch translation of the PP-OCRv4 recogniser matches onnxruntime, at any batch
size and width, and exposes stably named Linear layers for peft."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from training.ocr.onnx_torch import REC_MODEL_PATH, character_list, load_base_model


@pytest.fixture(scope="module")
def model():
    torch.set_num_threads(1)
    return load_base_model()


@pytest.fixture(scope="module")
def session():
    return ort.InferenceSession(str(REC_MODEL_PATH), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize(("batch", "width"), [(1, 320), (4, 320), (4, 160), (2, 488)])
def test_matches_onnxruntime_on_random_input(model, session, batch, width):
    x = np.random.default_rng(batch * width).uniform(-1, 1, (batch, 3, 48, width)).astype(
        np.float32)
    ref = session.run(None, {"x": x})[0]
    with torch.no_grad():
        out = model(torch.from_numpy(x)).numpy()
    assert out.shape == ref.shape == (batch, width // 8, 6625)
    assert np.abs(out - ref).max() <= 1e-4


def test_matches_onnxruntime_on_a_real_crop(model, session, sample_png):
    import cv2

    page = cv2.imread(str(sample_png), cv2.IMREAD_COLOR)
    # A strip of the page: real text pixels, not noise.
    crop = cv2.resize(page[: page.shape[0] // 12, : page.shape[1] // 2], (320, 48))
    x = ((crop.astype(np.float32).transpose(2, 0, 1) / 255 - 0.5) / 0.5)[None]
    x = np.concatenate([x, x[:, :, :, ::-1]]).copy()  # batch 2
    ref = session.run(None, {"x": x})[0]
    with torch.no_grad():
        out = model(torch.from_numpy(x)).numpy()
    assert np.abs(out - ref).max() <= 1e-4


def test_named_layers_and_dictionary(model):
    linears = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    assert linears == ["svtr.0.qkv", "svtr.0.proj", "svtr.0.fc1", "svtr.0.fc2",
                       "svtr.1.qkv", "svtr.1.proj", "svtr.1.fc1", "svtr.1.fc2", "head.fc"]
    assert sum(isinstance(m, torch.nn.Conv2d) for m in model.modules()) == 38
    chars = character_list()
    assert len(chars) == 6625 and chars[0] == "blank" and chars[-1] == " "
