"""The classical tier in process: orientation and multi-page documents."""

from __future__ import annotations

from pathlib import Path

import cv2
import pypdfium2 as pdfium
from PIL import Image

from inference import pipeline
from inference.evaluation import score_document
from inference.loading import PageImage
from inference.ocr import OcrEngine, get_engine
from inference.pipeline import extract_bytes, extract_pages
from inference.preprocess import rotate_quarter
from inference.schema import TimetableData
from inference.settings import Settings


def _gold(sample_png: Path) -> TimetableData:
    return TimetableData.model_validate_json(sample_png.with_suffix(".json").read_text())


class CountingEngine:
    """The real engine, counting the pages it is asked to read."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine, self.name, self.model_versions, self.reads = engine, engine.name, {}, 0

    def read_page(self, image):
        self.reads += 1
        return self.engine.read_page(image)


def test_a_page_on_its_side_is_turned_upright_and_read_once(sample_png: Path,
                                                            monkeypatch) -> None:
    settings = Settings()
    counting = CountingEngine(get_engine("rapid", settings))
    monkeypatch.setattr(pipeline, "get_engine", lambda name, settings: counting)
    image = rotate_quarter(cv2.imread(str(sample_png)), 1)
    result, traces = extract_pages([PageImage(0, image, "png")], "rapid", settings=settings)
    assert traces[0].quarter_turns == 3
    assert counting.reads == 1  # the orientation classifier chose the turn, not three readings
    assert score_document(result, _gold(sample_png)).event_f1 >= 0.8


def test_every_pdf_page_is_read_and_a_blank_page_is_skipped(
    sample_png: Path, tmp_path: Path
) -> None:
    page = Image.open(sample_png).convert("RGB")
    blank = Image.new("RGB", page.size, "white")
    pdf_path = tmp_path / "two_pages.pdf"
    page.save(pdf_path, "PDF", save_all=True, append_images=[blank], resolution=150)
    assert len(pdfium.PdfDocument(str(pdf_path))) == 2
    result = extract_bytes(pdf_path.read_bytes(), "rapid", settings=Settings())
    assert any("page 2: no timetable found" in w for w in result.warnings)
    assert score_document(result, _gold(sample_png)).event_f1 >= 0.8
