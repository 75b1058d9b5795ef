"""`inference.runtimes`: onnxruntime and OpenVINO run the same ONNX graph to the same answer,
and an OpenVINO session is safe to call from several threads at once, as the OCR's shared
recogniser does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from inference import runtimes
from inference.ocr import RapidOcrEngine
from inference.runtimes import RUNTIMES, OpenVinoSession, chosen_runtime, open_graph
from inference.settings import Settings


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> tuple[str, np.ndarray]:
    """relu(x @ w), x of any batch: (path of the ONNX file, w)."""
    w = np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Relu", ["h"], ["y"])]
    model = helper.make_model(helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 8])],
        [numpy_helper.from_array(w, "w")]), opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path_factory.mktemp("graph") / "tiny.onnx"
    onnx.save(model, path)
    return str(path), w


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_every_runtime_answers_the_graph_by_its_port_names(graph, runtime):
    path, w = graph
    session = open_graph(path, 1, runtime)
    exact = open_graph(path, 1, runtime, full_precision=True)
    assert [port.name for port in session.get_inputs()] == ["x"]
    assert [port.name for port in session.get_outputs()] == ["y"]
    x = np.random.default_rng(1).normal(size=(5, 16)).astype(np.float32)
    [y] = session.run(["y"], {"x": x})
    # OpenVINO may compute in bfloat16 on a CPU that has it: 3 significant digits; in full
    # precision, float32's.
    np.testing.assert_allclose(y, np.maximum(x @ w, 0), rtol=0.03, atol=0.05)
    np.testing.assert_allclose(exact.run(["y"], {"x": x})[0], np.maximum(x @ w, 0), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize(("flags", "runtime"), [
    ({"avx2", "amx_bf16", "amx_tile"}, "openvino"),
    ({"avx2", "avx512f", "avx512_bf16"}, "openvino"),
    ({"avx2", "avx512f"}, "onnxruntime"), (set(), "onnxruntime")])
def test_auto_takes_openvino_only_where_the_cpu_computes_bfloat16(monkeypatch, flags, runtime):
    monkeypatch.setattr(runtimes, "_cpu_flags", lambda: frozenset(flags))
    assert chosen_runtime("auto") == runtime
    # A runtime named outright is taken whatever the CPU.
    assert chosen_runtime("openvino") == "openvino"


def test_an_openvino_session_called_from_two_threads_keeps_each_call_s_answer(graph):
    path, _ = graph
    session = open_graph(path, 1, "openvino")
    inputs = [np.full((3 + k % 4, 16), k / 10, np.float32) for k in range(40)]
    alone = [session.run(["y"], {"x": x})[0] for x in inputs]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda x: session.run(["y"], {"x": x})[0], inputs))
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_ocr_engine_runs_its_graphs_on_the_runtime_the_settings_name():
    engine = RapidOcrEngine(Settings(onnx_runtime="openvino", onnx_threads=1))
    detector = engine._ocr.text_det.infer.session
    assert isinstance(detector, OpenVinoSession)
    assert isinstance(engine._ocr.text_rec.session.session, OpenVinoSession)
    # The detector's map in float32: in bfloat16 it lost a small lone digit.
    assert str(detector._model.get_property("INFERENCE_PRECISION_HINT")) == "<Type: 'float32'>"
    engine = RapidOcrEngine(Settings(onnx_runtime="onnxruntime", onnx_threads=1))
    assert not isinstance(engine._ocr.text_det.infer.session, OpenVinoSession)


@pytest.mark.parametrize("threads", [1, 2])  # two: the recogniser shared out (SharedRecognition)
def test_rapidocr_opens_its_graphs_on_openvino_without_an_onnxruntime_session(threads,
                                                                              monkeypatch):
    from rapidocr_onnxruntime.utils import infer_engine

    opened = []
    ort_session = infer_engine.InferenceSession
    monkeypatch.setattr(infer_engine, "InferenceSession",
                        lambda *args, **kwargs: opened.append(args) or ort_session(*args, **kwargs))
    engine = RapidOcrEngine(Settings(onnx_runtime="openvino", onnx_threads=threads))
    assert opened == []  # none built only to be replaced
    # The recogniser's characters come from the ONNX file's metadata, as onnxruntime reads it.
    ort_rec = RapidOcrEngine(Settings(onnx_runtime="onnxruntime", onnx_threads=1))
    recogniser = engine._ocr.text_rec
    recogniser = getattr(recogniser, "_recognise", recogniser)
    assert (recogniser.postprocess_op.character
            == ort_rec._ocr.text_rec.postprocess_op.character)


def test_an_openvino_graph_compiled_once_is_loaded_from_the_cache_after(graph, tmp_path):
    # The compiled model is kept under the cache folder; a later opening (a new process's
    # start-up) loads it and answers the same.
    path, _ = graph
    x = np.random.default_rng(2).normal(size=(4, 16)).astype(np.float32)
    first = open_graph(path, 1, "openvino", cache_dir=tmp_path).run(["y"], {"x": x})[0]
    assert list(tmp_path.glob("*.blob"))
    again = open_graph(path, 1, "openvino", cache_dir=tmp_path).run(["y"], {"x": x})[0]
    np.testing.assert_array_equal(first, again)
