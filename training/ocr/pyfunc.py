"""The fine-tuned recogniser as an MLflow pyfunc: the LoRA adapter (small, what training made)
plus the merged ONNX export (what serving runs), both logged as the model's artefacts.

Input: a DataFrame with a column `image`: base64-encoded PNG line crops (upright text, any size).
Output: a DataFrame with columns `text` and `confidence`.

`yogi extract --ocr model` does not go through `predict`: it downloads the `onnx` artefact of the
champion and hands it to RapidOCR as its recognition model (`inference/ocr.py`). The pyfunc is
for everything else MLflow offers (`mlflow models serve`, batch scoring, the UI's schema).
"""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import mlflow.pyfunc
import numpy as np
import pandas as pd

ONNX_ARTEFACT = "rec_merged.onnx"
REQUIREMENTS = ("torch", "peft", "rapidocr-onnxruntime", "onnx", "onnxslim",
                "opencv-python-headless", "pandas")


def encode_png(image: np.ndarray) -> str:
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("could not encode crop")
    return base64.b64encode(buf.tobytes()).decode()


def decode_png(data: str) -> np.ndarray:
    raw = np.frombuffer(base64.b64decode(data), dtype=np.uint8)
    return cv2.imdecode(raw, cv2.IMREAD_COLOR)


def load_merged(adapter_dir: Path | str):
    """Base module + adapter, merged into plain Conv2d/Linear weights (eval mode)."""
    from peft import PeftModel

    from training.ocr.onnx_torch import load_base_model

    model = PeftModel.from_pretrained(load_base_model(), str(adapter_dir))
    return model.merge_and_unload().eval()


def text_crop(text: str, height: int = 48) -> np.ndarray:
    """A clean rendered line (BGR uint8): the input example when no data set is at hand."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=int(height * 0.6))
    left, top, right, bottom = font.getbbox(text)
    pad = height // 6
    image = Image.new("RGB", (right - left + 2 * pad, height), "white")
    ImageDraw.Draw(image).text((pad - left, (height - (bottom - top)) // 2 - top), text,
                               fill="black", font=font)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


class OcrPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        from training.ocr.recognizer import OnnxRecognizer, Recognizer

        onnx_path = context.artifacts.get("onnx")
        if onnx_path:  # the served form: onnxruntime, several times faster than torch
            self.recognizer = OnnxRecognizer(onnx_path, batch_size=16)
        else:
            self.recognizer = Recognizer(load_merged(context.artifacts["adapter"]),
                                         batch_size=16)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        crops = [decode_png(s) for s in model_input["image"]]
        results = self.recognizer.predict(crops)
        # CTC emits the dictionary's space for a crop's blank margins; a line never starts or
        # ends with one.
        return pd.DataFrame({"text": [t.strip() for t, _ in results],
                             "confidence": [float(c) for _, c in results]})


def log_ocr_model(adapter_dir: Path, onnx_path: Path, examples: list[np.ndarray],
                  registered_name: str | None = None):
    """Log the pyfunc (adapter + merged ONNX) in the active run, with a signature inferred from
    `examples` run through the merged ONNX, and those examples as the input example."""
    from importlib.metadata import version

    from mlflow.models import infer_signature

    from training.ocr.recognizer import OnnxRecognizer

    frame = pd.DataFrame({"image": [encode_png(im) for im in examples]})
    results = OnnxRecognizer(onnx_path).predict(examples)
    output = pd.DataFrame({"text": [t for t, _ in results],
                           "confidence": [float(c) for _, c in results]})
    return mlflow.pyfunc.log_model(
        name="model", python_model=OcrPyfunc(),
        artifacts={"adapter": str(adapter_dir), "onnx": str(onnx_path)},
        signature=infer_signature(frame, output), input_example=frame,
        pip_requirements=[f"{p}=={version(p)}" for p in REQUIREMENTS],
        registered_model_name=registered_name,
    )
