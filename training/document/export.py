"""Serving form of the document model: the LoRA adapters merged into the encoder's weights and
the whole model, pair heads included, exported to ONNX with every page size dynamic (lines,
tokens per line, written times), written beside the release as `document_model.onnx`.

torch's `nn.MultiheadAttention` traces its sequence length into a reshape, so the page
transformer is exported through `_PageLayer`, the same pre-norm layer written with shapes the
tracer keeps symbolic (the same weights; checked equal). Every export is then compared with the
torch module on real readings and refused beyond `TOLERANCE`: serving must decide what the
model trained to decide.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from inference.document.features import PageReading
from inference.document.inputs import page_inputs
from inference.document.model import DocumentModel, PageTensors
from inference.document.runtime import INPUTS, ONNX_FILE, OUTPUTS, OnnxDocumentModel

TOLERANCE = 1e-3  # largest |logit difference| accepted between torch and the export


class _PageLayer(nn.Module):
    """`nn.TransformerEncoderLayer` (pre-norm, eval mode) with a traceable attention."""

    def __init__(self, layer: nn.TransformerEncoderLayer) -> None:
        super().__init__()
        self.layer, self.heads = layer, layer.self_attn.num_heads

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (1, n, d)
        layer, d = self.layer, x.shape[-1]
        attention = layer.self_attn
        q, k, v = functional.linear(layer.norm1(x), attention.in_proj_weight,
                                    attention.in_proj_bias).chunk(3, dim=-1)

        def by_head(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(1, -1, self.heads, d // self.heads).transpose(1, 2)

        q, k, v = by_head(q), by_head(k), by_head(v)
        weights = torch.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
        x = x + attention.out_proj((weights @ v).transpose(1, 2).reshape(1, -1, d))
        return x + layer.linear2(layer.activation(layer.linear1(layer.norm2(x))))


class _PageEncoder(nn.Module):
    def __init__(self, encoder: nn.TransformerEncoder) -> None:
        super().__init__()
        self.layers = nn.ModuleList(_PageLayer(layer) for layer in encoder.layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class _Exported(nn.Module):
    """The model with plain tensors in (`INPUTS`) and out (`OUTPUTS`)."""

    def __init__(self, model: DocumentModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, layout, categories, geometry, atoms,
                time_allowed):  # type: ignore[no-untyped-def]
        page = PageTensors(input_ids, attention_mask, layout, categories, geometry, atoms,
                           torch.zeros(0, dtype=torch.bool), time_allowed)
        logits = self.model(page)
        return tuple(logits[name] for name in OUTPUTS)


def _dynamic_axes() -> dict[str, dict[int, str]]:
    lines = {"input_ids": {0: "n", 1: "tokens"}, "attention_mask": {0: "n", 1: "tokens"},
             "layout": {0: "n"}, "categories": {0: "n"}, "geometry": {0: "n", 1: "n_"},
             "atoms": {0: "times"}, "time_allowed": {0: "n", 1: "times_"}}
    heads = {"roles": {0: "n"}, "group": {0: "n", 1: "n_"}, "day": {0: "n", 1: "n_"},
             "start": {0: "n", 1: "times_"}, "end": {0: "n", 1: "times_"}}
    return lines | heads


def max_logit_difference(model: DocumentModel, exported: OnnxDocumentModel,
                         readings: list[PageReading]) -> float:
    worst = 0.0
    for reading in readings:
        if not reading.lines:
            continue
        expected, got = model.predict(reading), exported.predict(reading)
        worst = max(worst, *(float(np.abs(got[name] - expected[name]).max()) for name in OUTPUTS
                             if expected[name].size))
    return worst


def export_onnx(model: DocumentModel, folder: Path, readings: list[PageReading]) -> Path:
    """Write `folder/document_model.onnx` for `model`, traced on the first of `readings` that
    writes times, and checked against the torch module on all of them."""
    inputs = next((i for i in map(page_inputs, readings) if i.atoms.size), None)
    if inputs is None:
        raise ValueError("export needs a reading that writes times (its time heads are traced)")
    serving = copy.deepcopy(model).eval()
    serving.encoder.merge_adapter()
    serving.page = _PageEncoder(serving.page)
    path = folder / ONNX_FILE
    with torch.no_grad(), warnings.catch_warnings():
        # Tracer warnings name Python branches on shapes; the check below is what counts.
        warnings.simplefilter("ignore")
        # The TorchScript exporter: the dynamo one needs onnxscript, which is not installed.
        torch.onnx.export(_Exported(serving), tuple(torch.from_numpy(getattr(inputs, name))
                                                    for name in INPUTS),
                          str(path), input_names=list(INPUTS), output_names=list(OUTPUTS),
                          opset_version=17, dynamo=False, dynamic_axes=_dynamic_axes())
    difference = max_logit_difference(model.eval(), OnnxDocumentModel(path), readings)
    if difference > TOLERANCE:
        path.unlink()
        raise ValueError(f"the ONNX export differs from the model by {difference:.2g} "
                         f"(tolerance {TOLERANCE})")
    return path
