"""Robustness benchmark: the labelled pages read again after the damage real uploads carry.

A page kept aside is rarely the clean export the dev set holds: a phone photo is smaller and
tilted, a scan blurred, a forwarded screenshot recompressed. Each degradation here is one
function of a BGR page and one strength, registered by name in `DEGRADATIONS`; a variant is
written `name:strength` ("scale:0.6", "rotate:-3", "blur:1.2", "jpeg:40", "perspective:0.1",
"shade:0.5", "noise:8"), and several at once joined by '+'. Every variant of
every page is extracted in memory (nothing is written beside the pages) and scored with the
contract's scoring, so `yogi bench robustness` reports per variant the micro strict F1, the
blocks predicted against gold, and the pages that fell furthest from their clean score.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from pydantic import BaseModel

from inference.errors import InputRefused
from inference.evaluation import LabelledDocument, score_set
from inference.loading import PageImage, load_path, page_limits
from inference.pipeline import extract_pages
from inference.settings import Settings

Degradation = Callable[[np.ndarray, float], np.ndarray]
DESK = (58, 66, 74)  # BGR of the dark surface a photographed sheet lies on
DEGRADATIONS: dict[str, Degradation] = {}
DEFAULT_VARIANTS = ["clean", "scale:0.6", "scale:0.75", "rotate:1.5", "rotate:-3", "blur:1.2",
                    "jpeg:40"]


def degradation(name: str):
    def add(function: Degradation) -> Degradation:
        DEGRADATIONS[name] = function
        return function

    return add


@degradation("clean")
def _clean(page: np.ndarray, strength: float) -> np.ndarray:
    return page


@degradation("scale")
def _scale(page: np.ndarray, factor: float) -> np.ndarray:
    """A smaller capture: the page resampled to `factor` of its size."""
    height, width = page.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(page, size, interpolation=cv2.INTER_AREA)


@degradation("rotate")
def _rotate(page: np.ndarray, degrees: float) -> np.ndarray:
    """A tilted capture, counter-clockwise by `degrees`. The uncovered corners repeat the
    page's edge, as a photo's surround continues, rather than a fill no camera makes."""
    height, width = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(page, matrix, (width, height), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


@degradation("blur")
def _blur(page: np.ndarray, sigma: float) -> np.ndarray:
    """Out of focus: a Gaussian blur of `sigma` pixels."""
    return cv2.GaussianBlur(page, (0, 0), sigma)


@degradation("jpeg")
def _jpeg(page: np.ndarray, quality: float) -> np.ndarray:
    """Recompressed: the page through JPEG at `quality`."""
    ok, encoded = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.imdecode(encoded, cv2.IMREAD_COLOR)


@degradation("perspective")
def _perspective(page: np.ndarray, narrowing: float) -> np.ndarray:
    """A photo taken from below the sheet's middle: the top edge `narrowing` of the width
    shorter than the bottom one (keystone), the sheet lying on a dark desk."""
    height, width = page.shape[:2]
    inset = narrowing * width / 2
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = np.float32([[inset, 0], [width - inset, 0], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(corners, seen)
    return cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=DESK)


@degradation("shade")
def _shade(page: np.ndarray, depth: float) -> np.ndarray:
    """Uneven light: brightness falling linearly from the top-left corner to `1 - depth` at
    the bottom-right one, as under a lamp or the phone's own shadow."""
    height, width = page.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 1.0 - depth * (xs / max(width - 1, 1) + ys / max(height - 1, 1)) / 2
    return np.clip(page * light[..., None], 0, 255).astype(np.uint8)


@degradation("noise")
def _noise(page: np.ndarray, sigma: float) -> np.ndarray:
    """Sensor noise of a dim photo: Gaussian, `sigma` grey levels, the same every run."""
    grain = np.random.default_rng(0).normal(0.0, sigma, page.shape)
    return np.clip(page + grain, 0, 255).astype(np.uint8)


class Step(BaseModel):
    """One degradation at one strength."""

    name: str
    strength: float = 0.0

    @property
    def label(self) -> str:
        return self.name if self.name == "clean" else f"{self.name}:{self.strength:g}"


class Variant(BaseModel):
    """Degradations applied in order, parsed from `name:strength`, or several joined by '+'
    ("perspective:0.1+rotate:2+jpeg:60": a phone photo of a sheet is all of these at once)."""

    steps: list[Step]

    @classmethod
    def parse(cls, text: str) -> Variant:
        steps = []
        for part in text.split("+"):
            name, _, strength = part.partition(":")
            if name not in DEGRADATIONS:
                raise ValueError(
                    f"unknown degradation {name!r} (known: {', '.join(DEGRADATIONS)})")
            try:
                steps.append(Step(name=name, strength=float(strength) if strength else 0.0))
            except ValueError:
                raise ValueError(
                    f"{part!r}: the strength after ':' must be a number") from None
        return cls(steps=steps)

    @property
    def label(self) -> str:
        return "+".join(step.label for step in self.steps)

    def apply(self, page: PageImage) -> PageImage:
        image = page.image
        for step in self.steps:
            image = DEGRADATIONS[step.name](image, step.strength)
        return PageImage(page.index, np.ascontiguousarray(image), page.source_format)


def bench_robustness(documents: list[LabelledDocument], variants: list[Variant],
                     settings: Settings, advance: Callable[[], None] = lambda: None) -> dict:
    """Micro scores of every variant over `documents`, and each page's strict F1 per variant;
    a document the loader refuses is reported under `skipped`. `advance` is called once per
    document and variant (a progress bar)."""
    pages, skipped = {}, {}
    for document in documents:
        try:
            pages[document.path.stem] = load_path(document.path, **page_limits(settings))
        except InputRefused as error:
            skipped[document.path.name] = str(error)
    documents = [document for document in documents if document.path.stem in pages]
    report: dict = {"documents": len(documents), "skipped": skipped, "variants": {}}
    for variant in variants:
        pairs = {}
        for document in documents:
            damaged = [variant.apply(page) for page in pages[document.path.stem]]
            prediction, _ = extract_pages(damaged, settings=settings)
            pairs[document.path.stem] = (prediction, document.gold)
            advance()
        scores = score_set(pairs)
        micro = scores.micro.as_dict()
        report["variants"][variant.label] = {
            "strictF1": micro["strictF1"], "eventF1": micro["eventF1"],
            "timeAccuracy": micro["timeAccuracy"], "predicted": micro["predicted"],
            "gold": micro["gold"], "meanStrictF1": round(scores.mean_strict_f1, 4),
            "perDocument": {stem: round(s.strict_f1, 4)
                            for stem, s in scores.per_document.items()},
        }
    return report
