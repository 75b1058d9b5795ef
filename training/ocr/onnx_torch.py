"""A small ONNX → torch translator for exactly the PP-OCRv4 recogniser that ships with
rapidocr-onnxruntime (`ch_PP-OCRv4_rec_infer.onnx`).

Why our own: `onnx2torch` needs torchvision, which cannot sit beside the CPU torch pinned here.

How: the model is first simplified with `onnxslim` at a fixed probe shape (constant folding turns
the exporter's `Constant`/`Shape`/`Cast` chains and BatchNorms into plain initialisers). The
resulting graph is then executed node by node by `OnnxModule.forward`:

* every `Conv` becomes an `nn.Conv2d` (`convs.0` … `convs.37`, in graph order);
* every `Reshape(x, [-1, K]) → Gemm(W, b) → Reshape(·, [1, T, N])` chain (the exporter's way of
  writing a MatMul+Add on a 3-D tensor) becomes one `nn.Linear`, named by its role in the SVTR
  neck: `svtr.{i}.qkv`, `svtr.{i}.proj`, `svtr.{i}.fc1`, `svtr.{i}.fc2`, and `head.fc` for the
  6,625-way classifier. peft can target these with `target_modules=["qkv", "proj", "fc1", "fc2"]`;
* the remaining `Reshape`s get their probe-specific dimensions replaced: the leading batch
  dimension is copied from the input (ONNX `0`) and the sequence length (probe width / 8) becomes
  `-1`, so one module serves any batch size and any crop width (a multiple of 8 is natural);
* everything else (elementwise maths, LayerNorm written out as ReduceMean/Sub/Pow/Sqrt/Div, the
  attention MatMuls, Softmax, pooling, HardSigmoid…) maps onto torch functions.

Other constant tensors (LayerNorm scales, Clip bounds…) are registered as buffers: frozen.
The output is what ONNX gives: per-timestep softmax probabilities, shape (B, W/8, 6625).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import rapidocr_onnxruntime
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

REC_MODEL_PATH = (Path(rapidocr_onnxruntime.__file__).parent / "models"
                  / "ch_PP-OCRv4_rec_infer.onnx")

# The probe shape the graph is simplified at. Batch 1 is what `onnxslim` folds to; the width
# only has to make the sequence length (width / 8) a number no other reshape constant uses.
PROBE_BATCH = 1
PROBE_WIDTH = 320
PROBE_SEQ = PROBE_WIDTH // 8


@dataclass
class Node:
    op: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)
    module: str | None = None  # name of the nn.Module executing it (Conv, Linear)


@lru_cache(maxsize=2)
def slim_model(path: Path | str = REC_MODEL_PATH) -> onnx.ModelProto:
    """The recogniser with constants folded at the probe shape (cached: `OnnxModule` copies the
    weights out, never writes to the proto)."""
    import onnxslim

    return onnxslim.slim(str(path), input_shapes=[f"x:{PROBE_BATCH},3,48,{PROBE_WIDTH}"])


@lru_cache(maxsize=2)
def _characters(path: Path | str) -> tuple[str, ...]:
    model = onnx.load(str(path), load_external_data=False)
    meta = {p.key: p.value for p in model.metadata_props}
    return ("blank", *meta["character"].splitlines(), " ")


def character_list(path: Path | str = REC_MODEL_PATH) -> list[str]:
    """The recogniser's classes exactly as RapidOCR's `TextRecognizer` builds them: the model's
    `character` metadata, one per line, with "blank" (the CTC blank) prepended at index 0 and
    a space appended at the end."""
    return list(_characters(path))


def _attrs(node: onnx.NodeProto) -> dict[str, Any]:
    out = {}
    for a in node.attribute:
        value = onnx.helper.get_attribute_value(a)
        out[a.name] = value.decode() if isinstance(value, bytes) else value
    return out


class _Block(nn.Module):
    """One SVTR transformer block's linear layers (a container only; the graph runs them)."""

    def __init__(self) -> None:
        super().__init__()
        self.qkv: nn.Linear
        self.proj: nn.Linear
        self.fc1: nn.Linear
        self.fc2: nn.Linear


class _Head(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc: nn.Linear


class OnnxModule(nn.Module):
    """The slimmed ONNX graph as a torch module (see the module docstring)."""

    def __init__(self, model: onnx.ModelProto | None = None) -> None:
        super().__init__()
        model = model if model is not None else slim_model()
        graph = model.graph
        consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        for n in graph.node:  # any Constant nodes the slimmer left behind
            if n.op_type == "Constant":
                consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        self.input_name = graph.input[0].name
        self.output_name = graph.output[0].name

        consumers: dict[str, list[onnx.NodeProto]] = {}
        for n in graph.node:
            for i in n.input:
                consumers.setdefault(i, []).append(n)

        self.convs = nn.ModuleList()
        self.svtr = nn.ModuleList()
        self.head = _Head()
        self.nodes: list[Node] = []
        self._const_names: dict[str, str] = {}
        skip: set[str] = set()  # node names folded into a Linear

        by_output = {o: n for n in graph.node for o in n.output}
        for n in graph.node:
            if n.name in skip or n.op_type == "Constant":
                continue
            attrs = _attrs(n)
            if n.op_type == "Conv":
                self.nodes.append(self._conv(n, attrs, consts))
            elif n.op_type == "Gemm":
                self.nodes.append(self._linear(n, attrs, consts, by_output, consumers, skip))
            elif n.op_type == "Reshape":
                shape = [int(v) for v in consts[n.input[1]].tolist()]
                self.nodes.append(Node("Reshape", [n.input[0]], list(n.output),
                                       {"shape": self._dynamic_shape(shape)}))
            elif n.op_type in ("Slice", "Clip"):
                # Constant index/bound inputs become attributes (plain Python numbers).
                values = [consts[i].tolist() if i in consts else None for i in n.input[1:]]
                self.nodes.append(Node(n.op_type, [n.input[0]], list(n.output),
                                       {**attrs, "values": values}))
            else:
                inputs = [self._const(i, consts) if i in consts else i for i in n.input]
                self.nodes.append(Node(n.op_type, inputs, list(n.output), attrs))
        for node in self.nodes:
            if node.op not in _OPS and node.module is None:
                raise NotImplementedError(f"ONNX op {node.op} is not translated")
        # After which node each intermediate can be dropped (keeps inference memory flat).
        last_use: dict[str, int] = {}
        for k, node in enumerate(self.nodes):
            for i in node.inputs:
                last_use[i] = k
        self._free_after = [[i for i in node.inputs if last_use.get(i) == k and i
                             and not i.startswith("@") and i != self.output_name]
                            for k, node in enumerate(self.nodes)]

    # --- building ------------------------------------------------------------------------------

    def _const(self, name: str, consts: dict[str, np.ndarray]) -> str:
        """Register a constant tensor as a buffer; returns the env key it is read from."""
        if name not in self._const_names:
            key = f"const_{len(self._const_names)}"
            self.register_buffer(key, torch.from_numpy(np.array(consts[name])), persistent=True)
            self._const_names[name] = key
        return "@" + self._const_names[name]

    def _conv(self, n: onnx.NodeProto, attrs: dict, consts: dict[str, np.ndarray]) -> Node:
        weight = consts[n.input[1]]
        bias = consts[n.input[2]] if len(n.input) > 2 and n.input[2] else None
        out_ch, in_per_group, kh, kw = weight.shape
        groups = attrs.get("group", 1)
        pads = attrs.get("pads", [0, 0, 0, 0])
        if pads[0] != pads[2] or pads[1] != pads[3]:
            raise NotImplementedError("asymmetric Conv padding")
        conv = nn.Conv2d(in_per_group * groups, out_ch, (kh, kw),
                         stride=tuple(attrs.get("strides", [1, 1])),
                         padding=(pads[0], pads[1]),
                         dilation=tuple(attrs.get("dilations", [1, 1])),
                         groups=groups, bias=bias is not None)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(weight.copy()))
            if bias is not None:
                conv.bias.copy_(torch.from_numpy(bias.copy()))
        self.convs.append(conv)
        return Node("Conv", [n.input[0]], list(n.output), module=f"convs.{len(self.convs) - 1}")

    def _linear(self, n, attrs, consts, by_output, consumers, skip) -> Node:
        pre = by_output[n.input[0]]
        post = consumers[n.output[0]]
        if (pre.op_type != "Reshape" or len(post) != 1 or post[0].op_type != "Reshape"
                or attrs.get("transA", 0) or not attrs.get("transB", 0)
                or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0):
            raise NotImplementedError(f"unexpected Gemm pattern at {n.name}")
        weight, bias = consts[n.input[1]], consts[n.input[2]]
        out_f, in_f = weight.shape
        linear = nn.Linear(in_f, out_f)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weight.copy()))
            linear.bias.copy_(torch.from_numpy(bias.copy()))
        # Role in the SVTR neck from the shapes: qkv (3C), proj (C→C), fc1 (C→2C), fc2 (2C→C).
        if out_f == 3 * in_f:
            self.svtr.append(_Block())
            role = "qkv"
        elif out_f == in_f:
            role = "proj"
        elif out_f == 2 * in_f:
            role = "fc1"
        elif in_f == 2 * out_f:
            role = "fc2"
        else:
            role = "head"
        if role == "head":
            self.head.fc = linear
            name = "head.fc"
        else:
            setattr(self.svtr[-1], role, linear)
            name = f"svtr.{len(self.svtr) - 1}.{role}"
        skip.update({pre.name, post[0].name})
        # The pre-reshape was already translated (it comes first): drop it, in place.
        self.nodes[:] = [x for x in self.nodes if pre.output[0] not in x.outputs]
        return Node("Linear", [pre.input[0]], list(post[0].output), {"in": in_f}, module=name)

    @staticmethod
    def _dynamic_shape(shape: list[int]) -> list[int]:
        """Probe-specific dims → dynamic: leading batch → 0 (copy), sequence length → -1."""
        out = list(shape)
        if len(out) >= 3 and out[0] in (0, PROBE_BATCH):
            out[0] = 0
        out = [-1 if (i > 0 and v == PROBE_SEQ) else v for i, v in enumerate(out)]
        if out.count(-1) > 1:
            raise NotImplementedError(f"cannot make reshape {shape} dynamic")
        return out

    # --- running -------------------------------------------------------------------------------

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        env: dict[str, torch.Tensor] = {self.input_name: x}
        modules = dict(self.named_modules())
        for node, free in zip(self.nodes, self._free_after, strict=True):
            args = [getattr(self, i[1:]) if i.startswith("@") else env[i] if i else None
                    for i in node.inputs]
            for i in free:
                del env[i]
            if node.op == "Conv":
                out = modules[node.module](args[0])
            elif node.op == "Linear":
                a = args[0]
                out = modules[node.module](a.reshape(a.shape[0], -1, node.attrs["in"]))
            else:
                out = _OPS[node.op](args, node.attrs)
            env[node.outputs[0]] = out
        return env[self.output_name]


def _reshape(args, attrs):
    x = args[0]
    shape = [x.shape[i] if v == 0 else v for i, v in enumerate(attrs["shape"])]
    return x.reshape(shape)


def _slice(args, attrs):
    x = args[0]
    starts, ends, axes, steps = (attrs["values"] + [None, None])[:4]
    axes = axes if axes is not None else list(range(len(starts)))
    steps = steps if steps is not None else [1] * len(starts)
    index = [slice(None)] * x.dim()
    for s, e, a, st in zip(starts, ends, axes, steps, strict=True):
        index[a] = slice(s, min(e, 2**62), st)
    return x[tuple(index)]


def _clip(args, attrs):
    values = attrs["values"] + [None, None]
    lo = values[0] if values[0] is not None else attrs.get("min")
    hi = values[1] if values[1] is not None else attrs.get("max")
    return torch.clamp(args[0], min=lo, max=hi)


def _squeeze(args, attrs):
    x = args[0]
    for axis in sorted((a % x.dim() for a in attrs["axes"]), reverse=True):
        x = x.squeeze(axis)
    return x


def _avg_pool(args, attrs):
    pads = attrs.get("pads", [0, 0, 0, 0])
    return F.avg_pool2d(args[0], attrs["kernel_shape"], attrs.get("strides"),
                        padding=(pads[0], pads[1]), ceil_mode=bool(attrs.get("ceil_mode", 0)),
                        count_include_pad=bool(attrs.get("count_include_pad", 0)))


_OPS = {
    "Add": lambda a, _: a[0] + a[1],
    "Sub": lambda a, _: a[0] - a[1],
    "Mul": lambda a, _: a[0] * a[1],
    "Div": lambda a, _: a[0] / a[1],
    "Pow": lambda a, _: torch.pow(a[0], a[1]),
    "Sqrt": lambda a, _: torch.sqrt(a[0]),
    "Relu": lambda a, _: torch.relu(a[0]),
    "Sigmoid": lambda a, _: torch.sigmoid(a[0]),
    "HardSigmoid": lambda a, t: torch.clamp(a[0] * t.get("alpha", 0.2) + t.get("beta", 0.5),
                                            0.0, 1.0),
    "Clip": _clip,
    "Softmax": lambda a, t: torch.softmax(a[0], dim=t.get("axis", -1)),
    "ReduceMean": lambda a, t: a[0].mean(dim=t["axes"], keepdim=bool(t.get("keepdims", 1))),
    "GlobalAveragePool": lambda a, _: a[0].mean(dim=(2, 3), keepdim=True),
    "AveragePool": _avg_pool,
    "Concat": lambda a, t: torch.cat(a, dim=t["axis"]),
    "Transpose": lambda a, t: a[0].permute(*t["perm"]),
    "Squeeze": _squeeze,
    "Reshape": _reshape,
    "Slice": _slice,
    "MatMul": lambda a, _: torch.matmul(a[0], a[1]),
}


def load_base_model() -> OnnxModule:
    """The shipped recogniser as a torch module, in eval mode."""
    return OnnxModule(slim_model()).eval()
