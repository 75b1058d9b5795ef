"""The classical tier in process: orientation and multi-page documents."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from inference import pipeline
from inference.evaluation import score_document
from inference.loading import PageImage
from inference.ocr import OcrEngine, get_engine
from inference.pipeline import extract_bytes, extract_pages
from inference.preprocess import rotate_quarter
from inference.schema import Box, OcrLine, TimetableData
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

    def read_crop(self, crop):
        return self.engine.read_crop(crop)

    @property
    def upside_down(self) -> bool:
        return self.engine.upside_down


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


class TurnReadingEngine:
    """Reads, for each quarter turn of the page, the lines set for it; which turn it was
    handed it tells by where the page's one dark pixel went."""

    name, model_versions = "scripted", {}

    def __init__(self, lines_by_turn: dict[int, list[OcrLine]], upside_down: set[int] = frozenset()
                 ) -> None:
        self.lines_by_turn, self.turns_read, self.upside_down_turns = lines_by_turn, [], upside_down
        self.upside_down = False

    def read_page(self, image):
        corner = {(0, 0): 0, (image.shape[0] - 1, 0): 1, (0, image.shape[1] - 1): 3,
                  (image.shape[0] - 1, image.shape[1] - 1): 2}
        ys, xs = np.nonzero(image[:, :, 0] == 0)
        turns = corner[(int(ys[0]), int(xs[0]))]
        self.turns_read.append(turns)
        self.upside_down = turns in self.upside_down_turns
        return self.lines_by_turn[turns]


def _lines(flat: int, standing: int) -> list[OcrLine]:
    flat_box, standing_box = Box(x0=0, y0=0, x1=80, y1=10), Box(x0=0, y0=0, x1=10, y1=80)
    return ([OcrLine(text="Registration", box=flat_box, score=0.99)] * flat
            + [OcrLine(text="Wednesday", box=standing_box, score=0.99, angle=90)] * standing)


def _marked_page() -> np.ndarray:
    page = np.full((40, 60, 3), 255, np.uint8)
    page[0, 0] = 0
    return page


def test_a_proposed_turn_that_leaves_the_text_flat_is_read_alone(monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "page_quarter_turns", lambda image: 3)
    engine = TurnReadingEngine({3: _lines(flat=9, standing=1)})
    _, _, turns = pipeline._read_upright(_marked_page(), engine)
    assert turns == 3 and engine.turns_read == [3]


def test_a_misled_classifier_loses_to_the_page_as_it_came(monkeypatch) -> None:
    # A page of rotated day and cell text reads about half standing whichever way it lies;
    # the classifier, seeing only the page's centre, proposes a turn: the way the page came
    # reads more text flat, and wins.
    monkeypatch.setattr(pipeline, "page_quarter_turns", lambda image: 3)
    engine = TurnReadingEngine({0: _lines(flat=6, standing=4), 3: _lines(flat=4, standing=5)})
    _, _, turns = pipeline._read_upright(_marked_page(), engine)
    assert turns == 0 and engine.turns_read == [3, 0]


def test_a_page_whose_flat_lines_read_turned_over_is_read_again_half_round(monkeypatch) -> None:
    # An upside-down scan: the recogniser turned each flat line over and read it, but the
    # lines stand where the upside-down page puts them; read half round, they stand upright.
    monkeypatch.setattr(pipeline, "page_quarter_turns", lambda image: 0)
    engine = TurnReadingEngine({0: _lines(flat=9, standing=0), 2: _lines(flat=9, standing=0)},
                               upside_down={0})
    _, _, turns = pipeline._read_upright(_marked_page(), engine)
    assert turns == 2 and engine.turns_read == [0, 2]


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


def _grid_under_a_dark_band() -> np.ndarray:
    """A pale-ruled grid, days as columns, whose day names are white on a maroon band that no
    rule closes: the names are in no cell, so the rules alone make no timetable of it."""
    page = np.full((340, 760, 3), 255, np.uint8)
    cv2.rectangle(page, (20, 20), (740, 70), (40, 30, 120), -1)
    for k, day in enumerate(("Mon", "Tue", "Wed")):
        cv2.putText(page, day, (250 + 180 * k, 55), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                    (255, 255, 255), 2)
    for y in (70, 190, 310):
        cv2.line(page, (20, y), (740, y), (153, 153, 153), 1)
    for x in (20, 200, 380, 560, 740):
        cv2.line(page, (x, 70), (x, 310), (153, 153, 153), 1)
    rows = (("Period 1", "Maths", "Art", "Music"), ("Period 2", "History", "Drama", "PE"))
    for r, (row, times) in enumerate(zip(rows, ("9:00 - 10:00", "10:00 - 11:00"), strict=True)):
        for c, text in enumerate(row):
            cv2.putText(page, text, (35 + 180 * c, 125 + 120 * r), cv2.FONT_HERSHEY_SIMPLEX,
                        0.8, (0, 0, 0), 2)
        cv2.putText(page, times, (35, 160 + 120 * r), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (0, 0, 0), 1)
    return page


def test_a_ruled_grid_under_a_band_of_day_names_stays_the_timetable():
    # The unruled reading is for pages whose text lies outside ruled cells; here the cells
    # hold it, and the document model reads them under the band's day names.
    trace = pipeline.extract_page(_grid_under_a_dark_band(), get_engine("rapid", Settings()))
    assert [table.ruled for table in trace.tables] == [True]
