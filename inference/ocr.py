"""OCR engines behind one small interface: a page image in, text lines with boxes out.

`rapid` (default) is RapidOCR with the PP-OCRv4 ONNX models shipped inside its wheel: text
detection, a 0/180° direction classifier and recognition; vertical text boxes are turned
upright before recognition, so 90°-rotated cell text is read. `tesseract` is the baseline the
seeds used (Tesseract's page segmentation; it mostly misses rotated text). `model` is RapidOCR
with the fine-tuned recogniser: the merged-LoRA ONNX of `models:/yogi-ocr@champion`, resolved
from the MLflow registry (and registered from `models/ocr` on first use when the registry has
no champion).

Every engine has `model_versions`: the registry versions it runs (`{"ocr": "3"}`), which the
pipeline copies into the result's `modelVersions`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import numpy as np

from inference.schema import Box, OcrLine

REC_BATCH = 32  # crops per recogniser call for the fine-tuned engine (see ModelOcrEngine)


class OcrEngine(Protocol):
    name: str
    model_versions: dict[str, str]

    def read_page(self, image: np.ndarray) -> list[OcrLine]:
        """All text lines on a BGR page image."""
        ...


def _box_from_quad(quad: list[list[float]]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return Box(x0=min(xs), y0=min(ys), x1=max(xs), y1=max(ys))


class RapidOcrEngine:
    name = "rapid"

    def __init__(self, **rapid_options: object) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.model_versions: dict[str, str] = {}
        # The 0/180° classifier flips short upright strings ("9:00" → "00:6") at its default
        # threshold of 0.9; only a near-certain verdict should turn a crop over.
        self._ocr = RapidOCR(cls_thresh=0.99, **rapid_options)

    def read_page(self, image: np.ndarray) -> list[OcrLine]:
        result, _ = self._ocr(image)
        lines = []
        for quad, text, score in result or []:
            box = _box_from_quad(quad)
            text = text.strip()
            if not text:
                continue
            # RapidOCR turns tall boxes counter-clockwise before reading: text that reads
            # bottom-to-top, the usual way rotated headers are typeset.
            angle = 90 if box.height >= 1.5 * box.width and len(text) > 1 else 0
            lines.append(OcrLine(text=text, box=box, score=float(score), angle=angle))
        return lines


class ModelOcrEngine(RapidOcrEngine):
    """RapidOCR detection + classifier with the registry champion as its recogniser."""

    name = "model"
    MODEL = "yogi-ocr"
    ARTEFACT = "artifacts/rec_merged.onnx"  # inside the logged pyfunc (training/ocr/pyfunc.py)

    def __init__(self, alias: str = "champion", tracking_uri: str | None = None,
                 rec_batch: int = REC_BATCH) -> None:
        from inference.model_store import register_release, resolve_artefact

        resolved = resolve_artefact(self.MODEL, self.ARTEFACT, alias=alias,
                                    tracking_uri=tracking_uri,
                                    first_use=lambda: register_release(self.MODEL))
        # All of a page's crops in few onnxruntime calls instead of RapidOCR's batches of 6.
        super().__init__(rec_model_path=str(resolved.path), rec_batch_num=rec_batch)
        self.model_versions = {"ocr": resolved.version}
        self.resolved = resolved


class TesseractEngine:
    name = "tesseract"
    model_versions: dict[str, str] = {}

    def read_page(self, image: np.ndarray) -> list[OcrLine]:
        import pytesseract

        data = pytesseract.image_to_data(
            image[:, :, ::-1], config="--psm 11", output_type=pytesseract.Output.DICT
        )
        # psm 11 (sparse text) gives words; join the words of one line (block, paragraph, line).
        grouped: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) > 0:
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                grouped.setdefault(key, []).append(i)
        lines = []
        for indices in grouped.values():
            box = Box(
                x0=min(data["left"][i] for i in indices),
                y0=min(data["top"][i] for i in indices),
                x1=max(data["left"][i] + data["width"][i] for i in indices),
                y1=max(data["top"][i] + data["height"][i] for i in indices),
            )
            text = " ".join(data["text"][i].strip() for i in indices)
            score = float(np.mean([float(data["conf"][i]) for i in indices])) / 100
            lines.append(OcrLine(text=text, box=box, score=score))
        return lines


@lru_cache(maxsize=4)
def get_engine(name: str) -> OcrEngine:
    """The engine called `name`, loaded once per process."""
    if name == "rapid":
        return RapidOcrEngine()
    if name == "tesseract":
        return TesseractEngine()
    if name == "model":
        return ModelOcrEngine()
    raise ValueError(f"unknown OCR engine {name!r} (choose rapid, tesseract or model)")
