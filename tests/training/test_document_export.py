"""The document model's ONNX export decides what the torch module decides, and serving loads
it in place of torch when a release carries it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from inference.document.features import PageReading
from inference.document.inputs import page_inputs
from inference.document.model import DocumentModel, load_release
from inference.document.runtime import ONNX_FILE, OUTPUTS, OnnxDocumentModel, load_page_model
from training.document.export import TOLERANCE, export_onnx, max_logit_difference

RELEASE = Path(__file__).resolve().parents[2] / "models" / "document"


def without_times(reading: PageReading) -> PageReading:
    """`reading` with every line that holds a digit left out: no written time remains."""
    return PageReading(width=reading.width, height=reading.height,
                       lines=[line for line in reading.lines
                              if not any(c.isdigit() for c in line.text)])


@pytest.fixture(scope="module")
def reading() -> PageReading:
    return PageReading.model_validate_json((RELEASE / "example_reading.json").read_text())


@pytest.fixture(scope="module")
def model() -> DocumentModel:
    return load_release(RELEASE / "release")


@pytest.fixture(scope="module")
def exported(tmp_path_factory, model, reading) -> Path:
    folder = tmp_path_factory.mktemp("release") / "release"
    shutil.copytree(RELEASE / "release", folder)
    export_onnx(model, folder, [reading])
    return folder


def test_the_export_gives_the_models_logits_on_pages_of_any_size(model, exported, reading):
    onnx = OnnxDocumentModel(exported / ONNX_FILE)
    # Traced on the whole page; read back on fewer lines, and on lines that write no time.
    fewer = PageReading(width=reading.width, height=reading.height, lines=reading.lines[:7])
    no_times = without_times(reading)
    assert page_inputs(no_times).atoms.size == 0 and page_inputs(fewer).atoms.size > 0
    assert max_logit_difference(model, onnx, [reading, fewer, no_times]) < TOLERANCE
    logits = onnx.predict(fewer)
    assert [logits[name].shape[0] for name in OUTPUTS] == [7] * len(OUTPUTS)


def test_serving_runs_the_export_when_the_release_has_one(exported, model):
    assert isinstance(load_page_model(exported), OnnxDocumentModel)
    assert isinstance(load_page_model(RELEASE / "release"), DocumentModel)


def test_an_export_needs_a_page_that_writes_times(model, reading, tmp_path):
    with pytest.raises(ValueError, match="writes times"):
        export_onnx(model, tmp_path, [without_times(reading)])
    assert not (tmp_path / ONNX_FILE).exists()


def test_both_runtimes_give_the_same_timetable(model, exported, reading):
    from inference.document.tier import read_page

    torch_page = read_page(model, reading)
    onnx_page = read_page(load_page_model(exported), reading)
    # The same blocks; a confidence (a product of probabilities, rounded to four places) may
    # fall either side of a rounding step.
    assert ([b.model_dump(exclude={"confidence"}) for b in onnx_page.blocks]
            == [b.model_dump(exclude={"confidence"}) for b in torch_page.blocks])
    assert np.allclose([b.confidence for b in onnx_page.blocks],
                       [b.confidence for b in torch_page.blocks], atol=1e-3)
    assert np.allclose(onnx_page.decisions.roles, torch_page.decisions.roles, atol=1e-4)
