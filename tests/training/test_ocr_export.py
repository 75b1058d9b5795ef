"""Merged adapters export to ONNX with dynamic batch and width; onnxruntime matches torch and
RapidOCR can load the file in place of the shipped recogniser."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from peft import LoraConfig, get_peft_model

from training.ocr.export import export_onnx, max_abs_diff
from training.ocr.onnx_torch import load_base_model
from training.ocr.train import LINEAR_TARGETS


@pytest.mark.slow  # ~35 s on a busy 2-core box: export + a RapidOCR page pass
def test_merged_export_matches_torch_and_loads_in_rapidocr(tmp_path, sample_png):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = get_peft_model(load_base_model(),
                           LoraConfig(r=4, lora_alpha=8, target_modules=LINEAR_TARGETS))
    with torch.no_grad():  # non-zero B so the merge really changes the weights
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.02)
    x = torch.from_numpy(np.random.default_rng(1).uniform(-1, 1, (2, 3, 48, 240)).astype(
        np.float32))
    with torch.no_grad():
        unmerged = model.eval()(x)
    merged = model.merge_and_unload().eval()
    with torch.no_grad():
        assert (merged(x) - unmerged).abs().max() < 1e-4
        assert (load_base_model()(x) - unmerged).abs().max() > 1e-4  # the adapter mattered

    path = export_onnx(merged, tmp_path / "rec.onnx")
    assert max_abs_diff(merged, path, shapes=((1, 320), (3, 160))) <= 1e-4

    import cv2
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR(rec_model_path=str(path))
    page = cv2.imread(str(sample_png), cv2.IMREAD_COLOR)
    result, _ = ocr(page[: page.shape[0] // 4])
    assert result is not None
