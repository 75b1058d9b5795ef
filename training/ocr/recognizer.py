"""The recogniser in torch: batching, preprocessing and CTC greedy decoding exactly as RapidOCR's
`TextRecognizer` + `CTCLabelDecode` do, around any module mapping (B, 3, 48, W) to per-timestep
probabilities (the translated base model, the same with LoRA adapters, or a merged one).
`OnnxRecognizer` is the same around an onnxruntime session (the shipped or the merged ONNX): the
served form, and several times faster than torch for scoring large held-out sets."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from training.ocr.crops import HEIGHT, normalise
from training.ocr.onnx_torch import character_list, load_base_model

REC_IMG_WIDTH = 320  # RapidOCR's rec_img_shape [3, 48, 320]
REC_BATCH = 6  # RapidOCR's rec_batch_num


def ctc_greedy_decode(probs: np.ndarray, characters: list[str]) -> list[tuple[str, float]]:
    """RapidOCR's `CTCLabelDecode.__call__`: argmax per step, drop repeats, drop the blank (0);
    the confidence is the mean max-probability of the kept steps (0 when none are kept)."""
    index = probs.argmax(axis=2)
    prob = probs.max(axis=2)
    out = []
    for b in range(len(index)):
        keep = np.ones(len(index[b]), dtype=bool)
        keep[1:] = index[b][1:] != index[b][:-1]
        keep &= index[b] != 0
        conf = prob[b][keep].tolist() or [0]
        out.append(("".join(characters[i] for i in index[b][keep]), float(np.mean(conf))))
    return out


def rapid_batch(images: list[np.ndarray]) -> np.ndarray:
    """RapidOCR's `resize_norm_img` for one batch: width int(48 · max ratio) (≥ 320), each
    image resized to height 48 (kept aspect, capped at that width), normalised, zero-padded."""
    max_wh_ratio = REC_IMG_WIDTH / HEIGHT
    for im in images:
        h, w = im.shape[:2]
        max_wh_ratio = max(max_wh_ratio, w * 1.0 / h)
    img_width = int(HEIGHT * max_wh_ratio)
    batch = np.zeros((len(images), 3, HEIGHT, img_width), dtype=np.float32)
    for i, im in enumerate(images):
        h, w = im.shape[:2]
        ratio = w / float(h)
        resized_w = img_width if math.ceil(HEIGHT * ratio) > img_width else int(
            math.ceil(HEIGHT * ratio))
        batch[i, :, :, :resized_w] = normalise(cv2.resize(im, (resized_w, HEIGHT)))
    return batch


class Recognizer:
    """`predict(crops)` → [(text, confidence)] for uint8 BGR line crops (any height)."""

    def __init__(self, model: nn.Module | None = None, batch_size: int = REC_BATCH) -> None:
        self.model = model if model is not None else load_base_model()
        self.characters = character_list()
        self.index = {c: i for i, c in enumerate(self.characters)}
        self.batch_size = batch_size

    def encode(self, text: str) -> list[int]:
        """CTC target indices (every character must be in the dictionary)."""
        return [self.index[c] for c in text]

    @torch.no_grad()
    def probs(self, batch: np.ndarray) -> np.ndarray:
        was_training = self.model.training
        self.model.eval()
        try:
            return self.model(torch.from_numpy(batch)).numpy()
        finally:
            self.model.train(was_training)

    def predict(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        # Like RapidOCR: sort by aspect ratio so each batch pads little, then restore order.
        order = np.argsort(np.array([im.shape[1] / float(im.shape[0]) for im in crops]))
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for start in range(0, len(crops), self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = rapid_batch([crops[i] for i in idx])
            for i, result in zip(idx, ctc_greedy_decode(self.probs(batch), self.characters),
                                 strict=True):
                out[i] = result
        return out


class OnnxRecognizer(Recognizer):
    """`Recognizer` over an ONNX file run by onnxruntime (`threads` intra-op threads)."""

    def __init__(self, path: Path | str, batch_size: int = REC_BATCH, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
        self.characters = character_list()
        self.index = {c: i for i, c in enumerate(self.characters)}
        self.batch_size = batch_size

    def probs(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.session.get_inputs()[0].name: batch})[0]
