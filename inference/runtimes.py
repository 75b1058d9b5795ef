"""What runs an exported ONNX graph (the OCR's detector, classifier and recogniser; the document
model): onnxruntime, or OpenVINO, which reads the same ONNX file. Both answer the slice of
onnxruntime's `InferenceSession` the callers use (`run`, `get_inputs`, `get_outputs`; and, for
RapidOCR, which opens its graphs itself, `get_modelmeta` and `get_providers`), so a graph's
caller never knows which one it has; `YOGI_ONNX_RUNTIME` picks, and a new runtime is one
registered class here.

`auto`, the default, takes OpenVINO where the CPU computes bfloat16: on a Xeon with AMX it
computes in bfloat16 (its own default there; float32 elsewhere), which read the dev pages' text
the same and cut the OCR's time to under half (README, "Speed"); on a CPU without it,
onnxruntime was the faster. A graph opened with `full_precision` computes in float32 all the
same: the text detector's probability map, whose threshold decides whether a lone small "6" is
text at all. A session is called from several threads at once (`ocr.SharedRecognition`), so
each thread keeps its own OpenVINO infer request, as an onnxruntime session is safe to share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class GraphPort:
    name: str


class GraphSession(Protocol):
    def run(self, output_names: list[str] | None,
            feed: dict[str, np.ndarray]) -> list[np.ndarray]: ...

    def get_inputs(self) -> list[GraphPort]: ...

    def get_outputs(self) -> list[GraphPort]: ...


RUNTIMES: dict[str, Callable[[Path, int, bool, Path | None], GraphSession]] = {}


def register_runtime(name: str):
    """Decorator: `opener(path, threads, full_precision, cache_dir)` opens a graph when `name`
    is asked for."""

    def add(opener):
        RUNTIMES[name] = opener
        return opener

    return add


@register_runtime("onnxruntime")
def _onnxruntime(path: Path, threads: int, full_precision: bool, cache_dir: Path | None
                 ) -> GraphSession:
    """onnxruntime's own session: it computes in float32 whatever is asked and keeps nothing
    it compiles, so `full_precision` and `cache_dir` change nothing."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@register_runtime("openvino")
class OpenVinoSession:
    """One OpenVINO model, compiled when first run or asked for its ports (RapidOCR opens a
    recogniser that a shared one replaces before it reads anything: never compiled, it costs
    nothing); `threads` 0 lets OpenVINO use every core. With a `cache_dir` the compiled model
    is kept there (keyed by the graph and these settings), and a later process loads it
    instead of compiling: 0.9 s of a start-up → 0.16 s for the four graphs."""

    def __init__(self, path: Path, threads: int, full_precision: bool,
                 cache_dir: Path | None) -> None:
        import openvino as ov

        self._core = ov.Core()
        if cache_dir is not None:
            self._core.set_property({"CACHE_DIR": str(cache_dir)})
        self._path = path
        self._config = {
            "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
            # Kernels are compiled for each input shape met (every page and line crop has its
            # own) and kept, 5,000 of them by default: 460 MB more at the peak of the dev
            # pages' benchmark than keeping none, which reads them as fast.
            "CPU_RUNTIME_CACHE_CAPACITY": 0,
            **({"INFERENCE_PRECISION_HINT": "f32"} if full_precision else {})}
        self._compiled: tuple | None = None  # (the compiled model, its inputs, its outputs)
        self._compiling = threading.Lock()  # two threads may ask first at once
        self._local = threading.local()

    def _loaded(self) -> tuple:
        """The compiled model and its ports, named once: RapidOCR asks for them on every call
        (each line crop)."""
        if self._compiled is None:
            with self._compiling:
                if self._compiled is None:
                    model = self._core.compile_model(str(self._path), "CPU", self._config)
                    self._compiled = (model, [GraphPort(port.any_name) for port in model.inputs],
                                      [GraphPort(port.any_name) for port in model.outputs])
        return self._compiled

    @property
    def _model(self):  # type: ignore[no-untyped-def]  # an openvino CompiledModel
        return self._loaded()[0]

    def run(self, output_names: list[str] | None,
            feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._model.create_infer_request()
        results = request.infer(feed)
        names = output_names or [port.name for port in self.get_outputs()]
        return [results[self._model.output(name)] for name in names]

    def get_inputs(self) -> list[GraphPort]:
        return self._loaded()[1]

    def get_outputs(self) -> list[GraphPort]:
        return self._loaded()[2]

    def get_modelmeta(self) -> GraphMetadata:
        """The ONNX file's metadata (a recogniser's character list), read from the file when
        asked: the compiled model kept in the cache does not carry it."""
        info = self._core.read_model(str(self._path)).get_rt_info()
        framework = info["framework"] if "framework" in info else {}  # noqa: SIM401 - no get()
        return GraphMetadata({key: value.astype(str) for key, value in framework.items()})

    def get_providers(self) -> list[str]:
        return ["OpenVINO CPU"]


@dataclass(frozen=True)
class GraphMetadata:
    custom_metadata_map: dict[str, str]


# CPU flags (Linux's /proc/cpuinfo) under which OpenVINO computes in bfloat16 by itself.
BFLOAT16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


@lru_cache(maxsize=1)
def _cpu_flags() -> frozenset[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    return frozenset(word for line in text.splitlines() if line.startswith("flags")
                     for word in line.split(":", 1)[1].split())


def chosen_runtime(runtime: str) -> str:
    """The runtime `runtime` names: `auto` is OpenVINO on a CPU that computes bfloat16
    (where it read the dev pages in half onnxruntime's time), onnxruntime elsewhere (in
    float32 both read alike, and onnxruntime was the faster and the lighter on an AVX2-only
    CPU: README, "Speed", session 42)."""
    if runtime != "auto":
        return runtime
    return "openvino" if _cpu_flags() & BFLOAT16_FLAGS else "onnxruntime"


@register_runtime("auto")
def _auto(path: Path, threads: int, full_precision: bool, cache_dir: Path | None
          ) -> GraphSession:
    return RUNTIMES[chosen_runtime("auto")](path, threads, full_precision, cache_dir)


def open_graph(path: Path | str, threads: int, runtime: str, *, full_precision: bool = False,
               cache_dir: Path | None = None) -> GraphSession:
    """The ONNX graph at `path` run by `runtime` on `threads` threads (0: every core), in
    float32 where `full_precision` (else as the runtime computes fastest); what the runtime
    compiles is kept under `cache_dir` when one is given."""
    return RUNTIMES[runtime](Path(path), threads, full_precision, cache_dir)
