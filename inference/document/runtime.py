"""The document model as serving runs it: the release's exported ONNX graph, under the runtime
`YOGI_ONNX_RUNTIME` names (`inference.runtimes`), when the release carries one
(`document_model.onnx`, written when a release is logged: `training.document.export`), else the
torch module. Either answers `predict(reading)` with the heads' logits as numpy arrays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from inference.document.features import PageReading
from inference.document.inputs import page_inputs
from inference.runtimes import open_graph

ONNX_FILE = "document_model.onnx"
INPUTS = ("input_ids", "attention_mask", "layout", "categories", "geometry", "atoms",
          "time_allowed")
OUTPUTS = ("roles", "group", "day", "start", "end")


class PageModel(Protocol):
    def predict(self, reading: PageReading) -> dict[str, np.ndarray]:
        """The heads' logits for one page (`OUTPUTS`)."""
        ...


class OnnxDocumentModel:
    """The exported graph run by `runtime` on `threads` threads (0: one per core)."""

    def __init__(self, path: Path, threads: int = 0, runtime: str = "onnxruntime",
                 cache_dir: Path | None = None) -> None:
        self.session = open_graph(path, threads, runtime, cache_dir=cache_dir)

    def predict(self, reading: PageReading) -> dict[str, np.ndarray]:
        inputs = page_inputs(reading)
        outputs = self.session.run(list(OUTPUTS),
                                   {name: getattr(inputs, name) for name in INPUTS})
        return dict(zip(OUTPUTS, outputs, strict=True))


def load_page_model(folder: Path, threads: int = 0, runtime: str = "onnxruntime",
                    cache_dir: Path | None = None) -> PageModel:
    """The release in `folder`: its ONNX graph when it has one (`cache_dir`: where the runtime
    keeps what it compiles), else the torch module."""
    if (folder / ONNX_FILE).exists():
        return OnnxDocumentModel(folder / ONNX_FILE, threads, runtime, cache_dir)
    from inference.document.model import load_release

    return load_release(folder)
