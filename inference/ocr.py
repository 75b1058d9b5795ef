"""OCR engines behind one small interface: a page image in, text lines with boxes out.

`model` (default) is RapidOCR with the registry's recogniser: the ONNX of
`models:/yogi-ocr@champion` (or `YOGI_OCR_ALIAS`), resolved from the MLflow registry. `make
setup` registers the shipped PP-OCRv4 recogniser as the first version and the committed
fine-tune behind it, which takes `champion` only where it beat the base on real pages. `rapid`
is RapidOCR with the PP-OCRv4 ONNX models of its wheel and no registry: text detection, a
0/180° direction classifier and recognition; vertical text boxes are turned upright before
recognition, so 90°-rotated cell text is read. `tesseract` is the baseline the seeds used
(Tesseract's page segmentation; it mostly misses rotated text). RapidOCR's three ONNX graphs
run on the runtime `YOGI_ONNX_RUNTIME` names (`inference.runtimes`: OpenVINO by default).

Engines register under their name in `ENGINES` (`@register_engine`): the CLI's `--ocr` choices
and `YOGI_OCR_ENGINE` are its keys, so a new engine is one class here and nothing else. Every
engine has `model_versions`: the registry versions it runs (`{"ocr": "3"}`), which the
pipeline copies into the result's `modelVersions`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from inference.runtimes import chosen_runtime, open_graph
from inference.schema import Box, OcrLine
from inference.settings import Settings


class OcrEngine(Protocol):
    name: str
    model_versions: dict[str, str]

    def read_page(self, image: np.ndarray) -> list[OcrLine]:
        """All text lines on a BGR page image."""
        ...

    def read_crop(self, crop: np.ndarray) -> tuple[str, float]:
        """(text, score) of a BGR crop read as one line, with no detection."""
        ...

    @property
    def upside_down(self) -> bool:
        """Whether the last page `read_page` read lay upside down (its lines were read turned
        over one by one, but stand where an upside-down page puts them)."""
        ...


# Engine name → a factory taking the settings (the fine-tuned engine needs the registry's).
ENGINES: dict[str, Callable[[Settings], OcrEngine]] = {}


def register_engine(name: str):
    """Class decorator: the engine is built as `cls(settings)` when `name` is asked for."""

    def add(cls):
        ENGINES[name] = cls
        return cls

    return add


def _box_from_quad(quad: list[list[float]]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return Box(x0=min(xs), y0=min(ys), x1=max(xs), y1=max(ys))


def _standing(box: Box, text: str) -> bool:
    """Whether a detected line was read turned a quarter: its box 1.5 times as tall as wide (the
    reader's own rule), or taller than wide with three letters or more, which no line lying
    flat fits in. The second holds a piece of a rotated word that reads only turned though its
    box falls just short of the ratio ("eak" of a standing "Break", 52 px by 35), so that it
    joins its other piece (`standingwords`)."""
    if box.height >= 1.5 * box.width:
        return len(text) > 1
    return box.height > box.width and len(text) >= 3


class UprightLines:
    """RapidOCR's 0/180° classifier, trusted only where the direction is in doubt. A crop that
    was turned because it stood upright (rotated header text) may read either way; a line
    lying flat on a page the preprocessing set upright reads as it lies, even when the
    classifier is near-certain otherwise ("9:10-10:00" read as "00:01-01:6"). Unless most flat
    lines vote to flip: then the page itself is upside down and every verdict stands.

    Installed on one RapidOCR instance, it wraps its crop and classifier steps, which that
    instance runs one after the other for each page (an engine reads one page at a time)."""

    def __init__(self, crops, classify) -> None:
        self._crops, self._classify = crops, classify
        self._standing: list[bool] = []
        self.upside_down = False  # the last page read: most flat lines voted to flip

    @classmethod
    def install(cls, ocr) -> UprightLines:
        wrapper = cls(ocr.get_crop_img_list, ocr.text_cls)
        ocr.get_crop_img_list, ocr.text_cls = wrapper.crops, wrapper.classify
        return wrapper

    def crops(self, img: np.ndarray, boxes) -> list[np.ndarray]:
        found = self._crops(img, boxes)
        # RapidOCR turns a crop at least 1.5 times as tall as wide before reading it.
        self._standing = [
            np.linalg.norm(b[0] - b[3]) >= 1.5 * np.linalg.norm(b[0] - b[1]) for b in boxes]
        return found

    def classify(self, crops: list[np.ndarray]):
        turned, verdicts, elapsed = self._classify(crops)
        flat = [k for k, standing in enumerate(self._standing) if not standing]
        sure = self._classify.cls_thresh
        flipped = [k for k in flat if "180" in verdicts[k][0] and verdicts[k][1] > sure]
        self.upside_down = bool(flat) and len(flipped) * 2 >= len(flat)
        if not self.upside_down:
            for k in flipped:
                turned[k], verdicts[k] = crops[k], ["0", verdicts[k][1]]
        return turned, verdicts, elapsed


class SharedRecognition:
    """A page's line crops read by the recogniser on `workers` threads at once, each crop one
    call of a one-thread session of the same model (the runtime lets go of the GIL while it
    runs). Reading one crop at a time on a two-thread session left the second core mostly
    idle (a crop is too small a graph to split well): shared out, the same crops are read
    1.5x faster here, each to the very same text and score, since every crop is still read
    alone at the same padding.

    Installed on one RapidOCR instance, it replaces its recogniser."""

    def __init__(self, recognise, workers: int) -> None:
        self._recognise, self.workers = recognise, workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="ocr-rec")

    @classmethod
    def install(cls, ocr, rec_config: dict, workers: int, settings: Settings) -> None:
        """`rec_config`: RapidOCR's recogniser section as the engine runs it (model path and
        options resolved); each thread's session gets one thread of its own."""
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer

        config = dict(rec_config, intra_op_num_threads=1, inter_op_num_threads=1)
        with graphs_opened_by(settings):
            ocr.text_rec = cls(TextRecognizer(config), workers)

    def __call__(self, crops, return_word_box: bool = False):
        crops = [crops] if isinstance(crops, np.ndarray) else list(crops)
        if len(crops) < 2:
            return self._recognise(crops, return_word_box)
        start = time.perf_counter()
        # Interleaved, so each thread gets long and short lines alike.
        parts = [crops[k::self.workers] for k in range(self.workers)]
        read = self._pool.map(lambda part: self._recognise(part, return_word_box)[0], parts)
        merged: list = [None] * len(crops)
        for k, part in enumerate(read):
            merged[k::self.workers] = part
        return merged, time.perf_counter() - start


def _rapid_config() -> dict:
    """RapidOCR's configuration as its wheel ships it, model paths resolved."""
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, read_yaml, update_model_path

    return update_model_path(read_yaml(DEFAULT_CFG_PATH))


# RapidOCR opens each of its graphs with the `InferenceSession` its engine module imported; while
# an engine is built, that name opens them with the runtime the settings pick. One build at a
# time, since the name is the module's.
_BUILDING = threading.Lock()


@contextmanager
def graphs_opened_by(settings: Settings, full_precision: tuple[str, ...] = ()):
    """RapidOCR's parts built inside open their graphs with `settings.onnx_runtime` (threads as
    RapidOCR's session options ask; the graphs at the paths in `full_precision` in float32),
    so no onnxruntime session is built only to be put aside (with OpenVINO's graphs compiled
    when first used, the engine builds in 0.63 s at 172 MB, against 0.85 s at 250 MB). Under
    onnxruntime, RapidOCR opens them itself, as it always has."""
    if chosen_runtime(settings.onnx_runtime) == "onnxruntime":
        yield
        return
    from rapidocr_onnxruntime.utils import infer_engine

    def opener(path, sess_options=None, providers=None):
        threads = sess_options.intra_op_num_threads if sess_options is not None else 0
        return open_graph(path, threads, settings.onnx_runtime,
                          full_precision=str(path) in full_precision,
                          cache_dir=settings.compiled_cache_dir)

    with _BUILDING:
        original, infer_engine.InferenceSession = infer_engine.InferenceSession, opener
        try:
            yield
        finally:
            infer_engine.InferenceSession = original


def read_both_ways(engine: OcrEngine, image: np.ndarray, box: Box) -> tuple[str, float]:
    """The surer reading of the page's crop at `box` (standing text) turned a quarter either
    way: which way the text runs is known only from which reading scores higher."""
    crop = image[max(0, int(box.y0)):int(np.ceil(box.y1)),
                 max(0, int(box.x0)):int(np.ceil(box.x1))]
    readings = [engine.read_crop(cv2.rotate(crop, turn))
                for turn in (cv2.ROTATE_90_COUNTERCLOCKWISE, cv2.ROTATE_90_CLOCKWISE)]
    text, score = max(readings, key=lambda reading: reading[1])
    return text.strip(), float(score)


# Detection scales a page until its short side is 736 px, so a strip 7 px tall and 900 wide
# became 94,000 px wide (minutes and 4.5 GB). A page longer than this many times its width is
# padded out to it first; no timetable is that narrow.
MAX_ASPECT = 8


def _bounded_aspect(image: np.ndarray) -> np.ndarray:
    """The page, padded below or to the right in its border's colour so that neither side is
    over `MAX_ASPECT` times the other; the text keeps its coordinates."""
    h, w = image.shape[:2]
    below, right = max(0, -(-w // MAX_ASPECT) - h), max(0, -(-h // MAX_ASPECT) - w)
    if not below and not right:
        return image
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    colour = [int(c) for c in np.median(border.reshape(-1, image.shape[2]), axis=0)]
    return cv2.copyMakeBorder(image, 0, below, 0, right, cv2.BORDER_CONSTANT, value=colour)


# A standing line (rotated text) read below this score may have been turned the wrong way by
# the 0/180° classifier ("Monday" read upside down as "人ppuow" at 0.81, "Kepuow" at 0.94): it
# is read again turned each way, and the surer of the three readings kept.
DOUBTFUL_STANDING = 0.98


@register_engine("rapid")
class RapidOcrEngine:
    name = "rapid"

    def __init__(self, settings: Settings, **rapid_options: object) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.model_versions: dict[str, str] = {}
        # The recogniser attends over the whole padded line, so a short crop batched with a long
        # one reads worse: RapidOCR's batches of 6 drop the spaces of long capitals
        # ("DEPARTMENTOFINFORMATION SCIENCE"). One crop per call reads them, at the same speed
        # on a CPU.
        rec_options = {"rec_batch_num": settings.ocr_rec_batch,
                       "rec_img_shape": [3, 48, settings.ocr_rec_min_width]}
        for key, value in rec_options.items():
            rapid_options.setdefault(key, value)
        # The models run one after another, each with this process's share of the cores.
        rapid_options.setdefault("intra_op_num_threads", settings.model_threads)
        rapid_options.setdefault("inter_op_num_threads", 1)
        config = _rapid_config()
        config["Rec"].update(rec_options, model_path=rapid_options.get("rec_model_path")
                             or config["Rec"]["model_path"])
        # The detector in float32: in bfloat16 its map lost a period key's lone "6".
        with graphs_opened_by(settings, full_precision=(config["Det"]["model_path"],)):
            # The 0/180° classifier flips short upright strings ("9:00" → "00:6") at its
            # default threshold of 0.9; only a near-certain verdict should turn a crop over.
            self._ocr = RapidOCR(cls_thresh=0.99, **rapid_options)
        shared = settings.model_threads > 1 and settings.ocr_rec_batch == 1
        self._upright = UprightLines.install(self._ocr)
        if shared:
            SharedRecognition.install(self._ocr, config["Rec"], settings.model_threads, settings)

    @property
    def upside_down(self) -> bool:
        return self._upright.upside_down

    def read_crop(self, crop: np.ndarray) -> tuple[str, float]:
        [(text, score)], _ = self._ocr.text_rec([crop])
        return text, float(score)

    def read_page(self, image: np.ndarray) -> list[OcrLine]:
        result, _ = self._ocr(_bounded_aspect(image))
        lines = []
        for quad, text, score in result or []:
            box = _box_from_quad(quad)
            text = text.strip()
            if not text:
                continue
            # RapidOCR turns tall boxes counter-clockwise before reading: text that reads
            # bottom-to-top, the usual way rotated headers are typeset.
            angle = 90 if _standing(box, text) else 0
            if angle and score < DOUBTFUL_STANDING:
                text, score = max([(text, score), read_both_ways(self, image, box)],
                                  key=lambda reading: reading[1])
            lines.append(OcrLine(text=text, box=box, score=float(score), angle=angle))
        return lines


@register_engine("model")
class ModelOcrEngine(RapidOcrEngine):
    """RapidOCR detection + classifier with the registry champion as its recogniser."""

    name = "model"
    MODEL = "yogi-ocr"
    ARTEFACT = "artifacts/rec_merged.onnx"  # inside the logged pyfunc (training/ocr/pyfunc.py)

    def __init__(self, settings: Settings) -> None:
        from inference.model_store import resolve_artefact

        resolved = resolve_artefact(self.MODEL, self.ARTEFACT, alias=settings.ocr_alias,
                                    tracking_uri=settings.mlflow_tracking_uri,
                                    cache_dir=settings.model_cache_dir)
        super().__init__(settings, rec_model_path=str(resolved.path))
        self.model_versions = {"ocr": resolved.version}
        self.resolved = resolved


@register_engine("tesseract")
class TesseractEngine:
    name = "tesseract"
    model_versions: dict[str, str] = {}
    upside_down = False  # Tesseract reads no line turned over

    def __init__(self, settings: Settings) -> None:
        pass

    def read_crop(self, crop: np.ndarray) -> tuple[str, float]:
        import pytesseract

        data = pytesseract.image_to_data(crop[:, :, ::-1], config="--psm 7",
                                         output_type=pytesseract.Output.DICT)
        words = [(w.strip(), float(c)) for w, c in zip(data["text"], data["conf"], strict=True)
                 if w.strip() and float(c) > 0]
        if not words:
            return "", 0.0
        return " ".join(w for w, _ in words), float(np.mean([c for _, c in words])) / 100

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


# Engines loaded so far, by (name, registry, alias, model cache): each built once per process.
_LOADED: dict[tuple[str, str, str, Path], OcrEngine] = {}


def _key(name: str, settings: Settings) -> tuple[str, str, str, Path]:
    return (name, settings.mlflow_tracking_uri, settings.ocr_alias, settings.model_cache_dir)


def reload_engine(name: str, settings: Settings) -> OcrEngine:
    """Build the engine afresh (its registry alias moved) in place of the loaded one; a page
    being read with the old one finishes with it."""
    fresh = ENGINES[name](settings)
    _LOADED[_key(name, settings)] = fresh
    return fresh


def get_engine(name: str, settings: Settings) -> OcrEngine:
    """The engine called `name`, loaded once per process for the registry `settings` name."""
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r} (choose {', '.join(ENGINES)})")
    key = _key(name, settings)
    if key not in _LOADED:
        _LOADED[key] = ENGINES[name](settings)
    return _LOADED[key]
