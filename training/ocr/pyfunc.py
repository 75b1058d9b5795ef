"""The fine-tuned recogniser as an MLflow pyfunc: the shipped PP-OCRv4 base (rebuilt from the
rapidocr wheel, not stored again) plus the LoRA adapter files logged with the run.

Input: a DataFrame with a column `image`: base64-encoded PNG line crops (upright text, any size).
Output: a DataFrame with columns `text` and `confidence`.
"""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import mlflow.pyfunc
import numpy as np
import pandas as pd


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


class OcrPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        from training.ocr.recognizer import Recognizer

        self.recognizer = Recognizer(load_merged(context.artifacts["adapter"]), batch_size=16)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        crops = [decode_png(s) for s in model_input["image"]]
        results = self.recognizer.predict(crops)
        return pd.DataFrame({"text": [t for t, _ in results],
                             "confidence": [float(c) for _, c in results]})
