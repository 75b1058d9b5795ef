"""The classical tier in process: orientation and multi-page documents."""

from __future__ import annotations

from pathlib import Path

import cv2
import pypdfium2 as pdfium
from PIL import Image

from inference.evaluation import score_document
from inference.loading import PageImage
from inference.pipeline import extract_bytes, extract_pages
from inference.preprocess import rotate_quarter
from inference.schema import TimetableData
from inference.settings import Settings


def _gold(sample_png: Path) -> TimetableData:
    return TimetableData.model_validate_json(sample_png.with_suffix(".json").read_text())


def test_a_page_on_its_side_is_turned_upright(sample_png: Path) -> None:
    image = rotate_quarter(cv2.imread(str(sample_png)), 1)
    result, traces = extract_pages([PageImage(0, image, "png")], "rapid", settings=Settings())
    assert traces[0].quarter_turns == 3
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
