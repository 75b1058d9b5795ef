"""The document model as serving runs it: the release's exported ONNX graph under onnxruntime
when the release carries one (`document_model.onnx`, written when a release is logged:
`training.document.export`), else the torch module. Either answers `predict(reading)` with the
heads' logits as numpy arrays.

The ONNX path is why a process that reads pages need not import torch and transformers at all:
about five seconds of every cold start and a few hundred MB of memory. The export is checked
against the torch module when it is written, so both give the same decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from inference.document.features import PageReading
from inference.document.inputs import page_inputs

ONNX_FILE = "document_model.onnx"
INPUTS = ("input_ids", "attention_mask", "layout", "categories", "geometry", "atoms",
          "time_allowed")
OUTPUTS = ("roles", "group", "day", "start", "end")


class PageModel(Protocol):
    def predict(self, reading: PageReading) -> dict[str, np.ndarray]:
        """The heads' logits for one page (`OUTPUTS`)."""
        ...


class OnnxDocumentModel:
    """The exported graph; `threads`: onnxruntime's intra-op threads (0: one per core)."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])

    def predict(self, reading: PageReading) -> dict[str, np.ndarray]:
        inputs = page_inputs(reading)
        outputs = self.session.run(list(OUTPUTS),
                                   {name: getattr(inputs, name) for name in INPUTS})
        return dict(zip(OUTPUTS, outputs, strict=True))


def load_page_model(folder: Path, threads: int = 0) -> PageModel:
    """The release in `folder`: its ONNX graph when it has one, else the torch module."""
    if (folder / ONNX_FILE).exists():
        return OnnxDocumentModel(folder / ONNX_FILE, threads)
    from inference.document.model import load_release

    return load_release(folder)
