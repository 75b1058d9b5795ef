"""Serving form of the fine-tuned recogniser: LoRA adapters merged into the weights
(`merge_and_unload`) and the merged module exported back to ONNX with dynamic batch and width.

The exported file carries the same `character` metadata as the shipped model, so RapidOCR can
load it in place of the original (`RapidOCR(rec_model_path=...)`) and onnxruntime keeps its
speed. `benchmark` measures crops/s of the base ONNX, the merged ONNX and the torch module.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from training.ocr.onnx_torch import REC_MODEL_PATH


def export_onnx(module: nn.Module, path: Path | str, opset: int = 17) -> Path:
    """Write `module` (B, 3, 48, W) → (B, W/8, 6625) as ONNX with dynamic B and W."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    module = module.eval()
    example = torch.zeros(2, 3, 48, 320)
    with torch.no_grad():
        # The TorchScript exporter: the dynamo one needs onnxscript, which is not installed.
        torch.onnx.export(module, (example,), str(path), input_names=["x"],
                          output_names=["softmax"], opset_version=opset, dynamo=False,
                          dynamic_axes={"x": {0: "batch", 3: "width"},
                                        "softmax": {0: "batch", 1: "steps"}})
    model = onnx.load(str(path))
    shipped = onnx.load(str(REC_MODEL_PATH), load_external_data=False)
    for prop in shipped.metadata_props:  # the dictionary RapidOCR reads
        entry = model.metadata_props.add()
        entry.key, entry.value = prop.key, prop.value
    onnx.save(model, str(path))
    return path


def max_abs_diff(module: nn.Module, onnx_path: Path | str,
                 shapes=((1, 320), (4, 320), (4, 160), (2, 480))) -> float:
    """Largest |torch − onnxruntime| over random inputs of several batch sizes and widths."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch, width in shapes:
        x = np.random.default_rng(batch + width).uniform(-1, 1, (batch, 3, 48, width))
        x = x.astype(np.float32)
        with torch.no_grad():
            ref = module.eval()(torch.from_numpy(x)).numpy()
        worst = max(worst, float(np.abs(session.run(None, {"x": x})[0] - ref).max()))
    return worst


def benchmark(module: nn.Module | None, onnx_paths: dict[str, Path | str], batch: int = 32,
              width: int = 320, repeats: int = 3, threads: int = 1) -> dict[str, float]:
    """Crops/s at (batch, 3, 48, width): each ONNX file under onnxruntime, and the torch module."""
    import onnxruntime as ort

    x = np.random.default_rng(0).uniform(-1, 1, (batch, 3, 48, width)).astype(np.float32)
    out: dict[str, float] = {}
    for name, path in onnx_paths.items():
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        session.run(None, {"x": x})
        t = time.perf_counter()
        for _ in range(repeats):
            session.run(None, {"x": x})
        out[name] = batch * repeats / (time.perf_counter() - t)
    if module is not None:
        torch.set_num_threads(threads)
        xt = torch.from_numpy(x)
        with torch.no_grad():
            module.eval()(xt)
            t = time.perf_counter()
            for _ in range(repeats):
                module(xt)
        out["torch"] = batch * repeats / (time.perf_counter() - t)
    return out
