"""Text-line crops for the recogniser, cut from a data-engine set (`yogi data synth`).

Each layout `line` carries its `quad`: the text's own top-left, top-right, bottom-right and
bottom-left corners. Warping that quad (grown by a small margin, like the detector's unclipped
boxes) onto an upright rectangle turns 90°/270° lines horizontal. The crop is then resized to
height 48 keeping its aspect ratio, exactly as RapidOCR's `TextRecognizer.resize_norm_img` does
(cv2.resize of the uint8 BGR crop), and stored as uint8; `normalise` / `collate` apply RapidOCR's
`(x / 255 - 0.5) / 0.5` and zero-pad to the batch width.

Documents, not lines, are split into train and held-out: a document's lines all land on the same
side, decided by a hash of its id (stable whatever the set size or order). A separate set (another
`yogi data synth` seed) can be read whole as held-out with `held_out=1.0`.

Labels are folded onto the recogniser's dictionary first (`fold_text`): the PP-OCRv4 dictionary
has "-" and the em dash but no en dash, non-breaking hyphen or minus sign, and timetables write
their time ranges with en dashes ("9:00–9:30"), so without the fold those lines would be dropped.
The em dash is folded too although the dictionary has it: the contract scores every dash as a
space, and one dash class is easier to learn than three look-alikes.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from training.ocr.onnx_torch import character_list

HEIGHT = 48
MIN_WIDTH = 320  # RapidOCR pads every batch to at least 48 * (320 / 48) = 320 pixels
MAX_WIDTH = 640  # wider lines are squeezed to this (rare in timetables)
MARGIN = 0.15  # of the line height, added on every side before warping

SMALL = 0.8  # a line lower than this share of its page's median line height is small print

_HAND = re.compile(r"comic|humor|dkg|femke|breip", re.I)  # as training.synth.fonts
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2012": "-",
                         "\u2015": "-", "\u2212": "-"})


def fold_text(text: str) -> str:
    """Dash look-alikes → "-" (see the module docstring); applied to labels and predictions."""
    return text.translate(_DASHES)


@dataclass
class Crop:
    image: np.ndarray  # uint8 BGR, HEIGHT × w × 3, w ≤ MAX_WIDTH
    text: str
    doc: str
    angle: int
    font: str
    role: str
    # Text height relative to the median line height of its page (1.0 = typical print).
    rel_height: float = 1.0

    @property
    def hand(self) -> bool:
        return bool(_HAND.search(self.font))

    @property
    def small_time(self) -> bool:
        """A time label printed small: in-cell times are set at ~0.6 of the cell's font size."""
        return self.role == "time" and self.rel_height < SMALL


def is_held_out(doc_id: str, held_out: float = 0.15) -> bool:
    """Deterministic document-level split: a hash of the id, not the position in the set."""
    h = int.from_bytes(hashlib.sha1(doc_id.encode()).digest()[:4], "big")
    return h / 2**32 < held_out


def warp_quad(page: np.ndarray, quad: list[list[float]], margin: float = MARGIN) -> np.ndarray:
    """The quad's text as an upright rectangle (reading left to right)."""
    q = np.asarray(quad, dtype=np.float32)
    tl, tr, br, bl = q
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    if margin:
        ux = (tr - tl + br - bl) / 2
        uy = (bl - tl + br - tr) / 2
        ux /= max(np.linalg.norm(ux), 1e-6)
        uy /= max(np.linalg.norm(uy), 1e-6)
        m = margin * height
        q = np.stack([tl - m * ux - m * uy, tr + m * ux - m * uy,
                      br + m * ux + m * uy, bl - m * ux + m * uy])
        width, height = width + 2 * m, height + 2 * m
    w, h = max(int(round(width)), 1), max(int(round(height)), 1)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(q.astype(np.float32), dst)
    return cv2.warpPerspective(page, matrix, (w, h), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def resize_to_height(crop: np.ndarray, max_width: int = MAX_WIDTH) -> np.ndarray:
    """RapidOCR's resize: height 48, width ceil(48 · w/h) unless that exceeds the target."""
    h, w = crop.shape[:2]
    resized_w = min(int(math.ceil(HEIGHT * w / float(h))), max_width)
    return cv2.resize(crop, (resized_w, HEIGHT))


def normalise(image: np.ndarray) -> np.ndarray:
    """uint8 HWC BGR → float32 CHW in [-1, 1], RapidOCR's formula and order of operations."""
    x = image.astype("float32").transpose((2, 0, 1)) / 255
    x -= 0.5
    x /= 0.5
    return x


def collate(images: list[np.ndarray], min_width: int = MIN_WIDTH) -> np.ndarray:
    """A batch (B, 3, 48, W): each image normalised, left-aligned, zero-padded to W, which is the
    widest image rounded up to a multiple of 8 and at least `min_width`."""
    width = max([min_width, *(im.shape[1] for im in images)])
    width = int(math.ceil(width / 8) * 8)
    batch = np.zeros((len(images), 3, HEIGHT, width), dtype=np.float32)
    for i, im in enumerate(images):
        batch[i, :, :, : im.shape[1]] = normalise(im)
    return batch


def _in_dictionary(text: str, charset: set[str]) -> bool:
    return bool(text) and all(c in charset for c in text)


def quad_height(quad: list[list[float]]) -> float:
    q = np.asarray(quad, dtype=np.float32)
    return float((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2)


def extract_crops(
    data_dir: Path | str,
    held_out: float = 0.15,
    max_lines: int | None = None,
    max_docs: int | None = None,
    seed: int = 0,
) -> tuple[list[Crop], list[Crop], dict[str, int]]:
    """(train, held-out, counts) crops of every dictionary-clean text line in the set.

    `max_lines` caps each split (`cap_crops`)."""
    data_dir = Path(data_dir)
    manifest = json.loads((data_dir / "manifest.json").read_text())
    charset = set(character_list()[1:])
    train: list[Crop] = []
    test: list[Crop] = []
    counts = {"lines": 0, "out_of_dictionary": 0, "docs_train": 0, "docs_held_out": 0}
    docs = sorted(d["id"] for d in manifest["documents"])[:max_docs]
    for doc in docs:
        layout = json.loads((data_dir / "layout" / f"{doc}.json").read_text())
        page = cv2.imread(str(data_dir / "pages" / f"{doc}.png"), cv2.IMREAD_COLOR)
        side = test if is_held_out(doc, held_out) else train
        counts["docs_held_out" if side is test else "docs_train"] += 1
        median = float(np.median([quad_height(ln["quad"]) for ln in layout["lines"]] or [1.0]))
        for line in layout["lines"]:
            text = fold_text(line["text"].strip())
            counts["lines"] += 1
            if not _in_dictionary(text, charset):
                counts["out_of_dictionary"] += 1
                continue
            image = resize_to_height(warp_quad(page, line["quad"]))
            side.append(Crop(image, text, doc, int(line.get("angle", 0)),
                             line.get("font", ""), line.get("role", ""),
                             quad_height(line["quad"]) / max(median, 1e-6)))
    train, test = cap_crops(train, test, held_out, max_lines, seed)
    counts["train"], counts["held_out"] = len(train), len(test)
    return train, test, counts


def cap_crops(train: list[Crop], test: list[Crop], held_out: float, max_lines: int | None,
              seed: int) -> tuple[list[Crop], list[Crop]]:
    """Both splits sampled down proportionally (train: max_lines, held-out: max_lines *
    held_out / (1 - held_out)) with `seed`, so the choice is reproducible."""
    if max_lines is None:
        return train, test
    rng = np.random.default_rng(seed)
    cap_test = max(1, int(round(max_lines * held_out / max(1e-6, 1 - held_out))))
    if len(train) > max_lines:
        train = [train[i] for i in sorted(rng.choice(len(train), max_lines, replace=False))]
    if len(test) > cap_test:
        test = [test[i] for i in sorted(rng.choice(len(test), cap_test, replace=False))]
    return train, test
