"""Column words (`inference.columnwords`): a word turned a quarter and spaced down a tall merged
cell, which the page's reading finds only as fragments, read again as one line."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.columnwords import _tightened, as_word, read_column_words
from inference.ocr import get_engine
from inference.schema import Box, Cell, OcrLine, Table
from inference.settings import Settings


@pytest.mark.parametrize(("reading", "word"), [
    ("B R E A K", "BREAK"), ("ＢＲＥＡK ", "BREAK"), ("LUN C H", "LUNCH"),
    ("Lunch & Prayer", "Lunch & Prayer"), ("R", None), ("HON∩T", None), ("10:30", None)])
def test_a_reading_is_a_word_of_latin_letters_spaced_as_the_timetable_means(reading, word):
    assert as_word(reading) == word


def _page_with_a_turned_word(word: str, turn: int) -> tuple[np.ndarray, Box]:
    """A white page with a ruled cell 60 × 400 px, `word` letter-spaced down it, turned."""
    page = np.full((460, 200, 3), 255, np.uint8)
    cell = Box(x0=70, y0=30, x1=130, y1=430)
    cv2.rectangle(page, (70, 30), (130, 430), (0, 0, 0), 2)
    strip = np.full((40, 300, 3), 255, np.uint8)
    cv2.putText(strip, "  ".join(word), (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    turned = cv2.rotate(strip, turn)
    page[80:380, 80:120] = turned
    return page, cell


@pytest.mark.parametrize("turn", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_a_word_turned_down_a_tall_merged_cell_replaces_its_fragments(turn):
    page, cell = _page_with_a_turned_word("BREAK", turn)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])
    fragments = [OcrLine(text="d", box=Box(x0=90, y0=150, x1=110, y1=170), score=0.4),
                 OcrLine(text="工", box=Box(x0=90, y0=250, x1=110, y1=270), score=0.5)]
    elsewhere = OcrLine(text="Maths", box=Box(x0=140, y0=40, x1=190, y1=60), score=0.99)
    lines = read_column_words(page, [table], [*fragments, elsewhere],
                              get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["Maths", "BREAK"]
    assert lines[1].angle == 90 and cell.contains_point(lines[1].box.cx, lines[1].box.cy)


def test_pieces_of_a_skewed_scan_s_rule_inside_a_tall_cell_are_no_part_of_its_word():
    # The cell found a few pixels inside its rulings: a skewed scan's rule runs on inside it,
    # in pieces, along its sides.
    page, cell = _page_with_a_turned_word("LUNCH", cv2.ROTATE_90_CLOCKWISE)
    cv2.line(page, (76, 40), (76, 240), (0, 0, 0), 2)
    cv2.line(page, (123, 230), (123, 420), (0, 0, 0), 2)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])
    lines = read_column_words(page, [table], [], get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["LUNCH"]


def test_a_wide_break_column_under_three_times_taller_than_wide_is_read_down():
    # A lunch column merged over five rows, 180 px wide and 500 tall.
    page = np.full((560, 300, 3), 255, np.uint8)
    cv2.rectangle(page, (60, 30), (240, 530), (0, 0, 0), 2)
    strip = np.full((40, 300, 3), 255, np.uint8)
    cv2.putText(strip, "  ".join("LUNCH"), (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    page[130:430, 130:170] = cv2.rotate(strip, cv2.ROTATE_90_CLOCKWISE)
    cell = Box(x0=60, y0=30, x1=240, y1=530)
    table = Table(box=cell, cells=[Cell(box=cell, row=1, col=4, row_span=5)])
    lines = read_column_words(page, [table], [], get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["LUNCH"]


def test_a_tall_cell_whose_text_was_read_is_left_alone():
    page, cell = _page_with_a_turned_word("BREAK", cv2.ROTATE_90_CLOCKWISE)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])
    read = [OcrLine(text="BREAK", box=Box(x0=80, y0=80, x1=120, y1=380), score=0.9, angle=90)]
    assert read_column_words(page, [table], read, get_engine("rapid", Settings())) == read


def test_a_word_read_standing_with_doubt_is_read_again_both_ways():
    # The page's reading turned the word the wrong way: "LUNCH" upside down reads "HONT".
    page, cell = _page_with_a_turned_word("LUNCH", cv2.ROTATE_90_CLOCKWISE)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])
    doubtful = OcrLine(text="HONT", box=Box(x0=80, y0=80, x1=120, y1=380), score=0.65, angle=90)
    lines = read_column_words(page, [table], [doubtful], get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["LUNCH"]


def _stacked_letters(font: int = cv2.FONT_HERSHEY_SIMPLEX) -> tuple[np.ndarray, Table]:
    """"L U N C H" one letter under another, upright, down a tall ruled cell."""
    page = np.full((460, 200, 3), 255, np.uint8)
    cell = Box(x0=70, y0=30, x1=130, y1=430)
    cv2.rectangle(page, (70, 30), (130, 430), (0, 0, 0), 2)
    for k, letter in enumerate("LUNCH"):
        cv2.putText(page, letter, (88, 100 + 70 * k), font, 1.0, (0, 0, 0), 2)
    return page, Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])


def test_letters_stacked_upright_down_a_tall_cell_are_read_one_by_one():
    page, table = _stacked_letters()
    # The page's reading found two of the letters.
    found = [OcrLine(text="N", box=Box(x0=88, y0=215, x1=108, y1=240), score=0.9),
             OcrLine(text="H", box=Box(x0=88, y0=355, x1=108, y1=380), score=0.9)]
    lines = read_column_words(page, [table], found, get_engine("rapid", Settings()))
    assert [(line.text, line.angle) for line in lines] == [("LUNCH", 0)]


def test_a_break_read_with_a_slash_is_no_word_and_leaves_the_cell_as_read():
    # "Lunch/Recess" names breaks but is no word of Latin letters (`as_word`): not taken.
    page = np.full((460, 200, 3), 255, np.uint8)
    cell = Box(x0=70, y0=30, x1=130, y1=430)
    cv2.rectangle(page, (70, 30), (130, 430), (0, 0, 0), 2)
    strip = np.full((40, 300, 3), 255, np.uint8)
    cv2.putText(strip, "Lunch/Recess", (5, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    page[80:380, 80:120] = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])
    fragment = [OcrLine(text="d", box=Box(x0=90, y0=150, x1=110, y1=170), score=0.4)]
    assert read_column_words(page, [table], fragment, get_engine("rapid", Settings())) == fragment


def test_stacked_letters_that_name_a_break_beat_a_surer_nonsense_word():
    # Read turned as one line, the letters make "HONOT" at 0.85; one by one, in this thin
    # font, "LUNCH" at about 0.77: below the score a reading needs, but a break's name.
    page, table = _stacked_letters(cv2.FONT_HERSHEY_PLAIN)
    turned = OcrLine(text="HONOT", box=Box(x0=80, y0=60, x1=120, y1=400), score=0.85, angle=90)
    lines = read_column_words(page, [table], [turned], get_engine("rapid", Settings()))
    assert [(line.text, line.angle) for line in lines] == [("LUNCH", 0)]


def test_specks_of_a_scan_in_a_tall_cell_are_left_out_of_the_word():
    # Dust near the cell's ends, read with the word, made it ".Break " or too doubtful.
    page, cell = _page_with_a_turned_word("BREAK", cv2.ROTATE_90_COUNTERCLOCKWISE)
    for x, y in [(76, 45), (122, 60), (100, 415), (77, 400)]:
        cv2.rectangle(page, (x, y), (x + 2, y + 2), (0, 0, 0), -1)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])
    fragments = [OcrLine(text="k", box=Box(x0=90, y0=150, x1=110, y1=170), score=0.5)]
    lines = read_column_words(page, [table], fragments, get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["BREAK"]
    assert lines[0].box.y0 > 60 and lines[0].box.y1 < 400


def test_a_word_letter_spaced_along_a_wide_merged_cell_is_read_whole():
    # "R E G I S T R A T I O N" across the week's registration row; the reading found "REG"
    # and "N" only.
    page = np.full((80, 1000, 3), 255, np.uint8)
    cell = Box(x0=100, y0=20, x1=900, y1=60)
    cv2.rectangle(page, (100, 20), (900, 60), (0, 0, 0), 2)
    cv2.putText(page, "   ".join("REGISTRATION"), (260, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                (0, 0, 0), 2)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, col_span=6)])
    found = [OcrLine(text="REG", box=Box(x0=258, y0=30, x1=330, y1=52), score=0.99),
             OcrLine(text="N", box=Box(x0=720, y0=30, x1=740, y1=52), score=0.99)]
    lines = read_column_words(page, [table], found, get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["REGISTRATION"]


def test_a_wide_cell_found_across_a_neighbour_s_word_is_not_read_again():
    # A header band whose rulings were lost, cut inside "Monday": the cell holding "Tuesday"
    # also holds "day", which its reading would glue on ("dayTuesda").
    page = np.full((80, 1000, 3), 255, np.uint8)
    cv2.putText(page, "Monday", (60, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    cv2.putText(page, "Tuesday", (380, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    cell = Box(x0=120, y0=20, x1=560, y1=60)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, col_span=2)])
    read = [OcrLine(text="Monday", box=Box(x0=58, y0=28, x1=170, y1=56), score=0.99),
            OcrLine(text="Tuesday", box=Box(x0=378, y0=28, x1=500, y1=56), score=0.99)]
    assert read_column_words(page, [table], read, get_engine("rapid", Settings())) == read


def test_day_names_turned_up_a_column_of_header_cells_that_the_reading_missed_are_read():
    # A days-as-rows table's first column: "Mon", "Tues", "Wed" turned a quarter, one a cell.
    page = np.full((700, 300, 3), 255, np.uint8)
    cells = []
    for k, day in enumerate(["Mon", "Tues", "Wed"]):
        y0 = 20 + 220 * k
        cv2.rectangle(page, (20, y0), (100, y0 + 200), (0, 0, 0), 2)
        strip = np.full((40, 120, 3), 255, np.uint8)
        cv2.putText(strip, day, (8, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
        page[y0 + 40:y0 + 160, 40:80] = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)
        cells.append(Cell(box=Box(x0=20, y0=y0, x1=100, y1=y0 + 200), row=k, col=0))
    table = Table(box=Box(x0=20, y0=20, x1=100, y1=680), cells=cells)
    lines = read_column_words(page, [table], [], get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["Mon", "Tues", "Wed"]


def test_a_single_tall_cell_with_a_turned_word_is_no_column_of_days():
    page, cell = _page_with_a_turned_word("Mon", cv2.ROTATE_90_COUNTERCLOCKWISE)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=0)])
    assert read_column_words(page, [table], [], get_engine("rapid", Settings())) == []


def test_a_pale_time_turned_beside_a_break_word_up_its_column_is_read():
    # "Break" turned up a break column, its slot "10:30-10:45" in small pale print beside it.
    page = np.full((460, 200, 3), 255, np.uint8)
    cv2.rectangle(page, (70, 30), (130, 430), (0, 0, 0), 2)
    strip = np.full((60, 300, 3), 255, np.uint8)
    cv2.putText(strip, "Break", (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    cv2.putText(strip, "10:30-10:45", (10, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (170, 150, 40), 1)
    page[80:380, 80:140 - 10] = cv2.rotate(strip[:, :], cv2.ROTATE_90_COUNTERCLOCKWISE)[:, 5:55]
    cell = Box(x0=70, y0=30, x1=130, y1=430)
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=3, row_span=5)])
    word = OcrLine(text="Break", box=Box(x0=84, y0=280, x1=110, y1=375), score=0.99, angle=90)
    lines = read_column_words(page, [table], [word], get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["Break", "10:30-10:45"]


def _break_column(words: str, turn: int = cv2.ROTATE_90_COUNTERCLOCKWISE
                  ) -> tuple[np.ndarray, Table]:
    """A white page with a ruled cell 60 × 400 px merged over five rows, `words` written up it
    (turned a quarter; `turn` clockwise: down it, beginning at y = 90)."""
    page = np.full((460, 200, 3), 255, np.uint8)
    cell = Box(x0=70, y0=30, x1=130, y1=430)
    cv2.rectangle(page, (70, 30), (130, 430), (0, 0, 0), 2)
    strip = np.full((40, 300, 3), 255, np.uint8)
    cv2.putText(strip, words, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
    page[80:380, 80:120] = cv2.rotate(strip, turn)
    return page, Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])


@pytest.mark.parametrize(("words", "found"), [
    # "SHORT BREAK": the page's reading found "BREAK" surely, "SHORT" only as two letters.
    ("SHORT BREAK", [("BREAK", (80, 80, 120, 220), 0.9, 90), ("B", (88, 260, 108, 280), 0.98, 0),
                     ("s", (88, 300, 108, 320), 0.6, 0)]),
    # "LUNCH BREAK": a standing piece misread at 0.99 ("ICH") among single letters is no
    # rival of the whole cell's reading, however sure.
    ("LUNCH BREAK", [("ICH", (80, 280, 120, 340), 0.99, 90), ("R", (88, 100, 108, 120), 0.98, 0),
                     ("E", (88, 130, 108, 150), 0.97, 0)]),
])
def test_a_standing_piece_beside_fragments_is_read_again_with_the_whole_cell(words, found):
    page, table = _break_column(words)
    read = [OcrLine(text=text, box=Box(x0=x0, y0=y0, x1=x1, y1=y1), score=score, angle=angle)
            for text, (x0, y0, x1, y1), score, angle in found]
    lines = read_column_words(page, [table], read, get_engine("rapid", Settings()))
    assert [(line.text, line.angle) for line in lines] == [(words, 90)]


def test_letters_one_a_row_down_a_column_that_the_reading_missed_are_read():
    # A lunch column ruled into one cell a day, "L", "U", "N", "C", "H" one in each; the
    # page's reading found the header and only the "H".
    page = np.full((780, 200, 3), 255, np.uint8)
    cells = [Cell(box=Box(x0=70, y0=30, x1=130, y1=130), row=0, col=3)]
    for row, letter in enumerate("LUNCH", start=1):
        top = 30 + 130 * row - 30
        cells.append(Cell(box=Box(x0=70, y0=top, x1=130, y1=top + 130), row=row, col=3))
        cv2.rectangle(page, (70, top), (130, top + 130), (0, 0, 0), 2)
        cv2.putText(page, letter, (88, top + 80), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
    header = OcrLine(text="Lunch", box=Box(x0=75, y0=60, x1=125, y1=80), score=0.99)
    h = OcrLine(text="H", box=Box(x0=85, y0=640, x1=115, y1=690), score=0.99)
    table = Table(box=Box(x0=70, y0=30, x1=130, y1=780), cells=cells)
    lines = read_column_words(page, [table], [header, h], get_engine("rapid", Settings()))
    down = sorted((line for line in lines if len(line.text) == 1), key=lambda ln: ln.box.cy)
    assert "".join(line.text for line in down) == "LUNCH"


def test_an_empty_cell_beside_words_in_its_column_is_not_read_as_a_letter():
    # A column of lessons with one free period: its cells hold words, not letters.
    page = np.full((500, 200, 3), 255, np.uint8)
    cells = [Cell(box=Box(x0=70, y0=30 + 150 * k, x1=130, y1=180 + 150 * k), row=k, col=2)
             for k in range(3)]
    cv2.putText(page, "x", (95, 420), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
    words = [OcrLine(text="PE", box=Box(x0=80, y0=90, x1=120, y1=110), score=0.99),
             OcrLine(text="Art", box=Box(x0=80, y0=240, x1=120, y1=260), score=0.99)]
    table = Table(box=Box(x0=70, y0=30, x1=130, y1=480), cells=cells)
    assert read_column_words(page, [table], words, get_engine("rapid", Settings())) == words


@pytest.mark.parametrize(("found", "whole"), [("Bre", "Break"), ("Lun", "Lun")])
def test_a_standing_word_the_reading_cut_short_is_read_whole(found, whole):
    # The detector's box ends after "Bre" though the word's ink runs on down the cell. The
    # cell read whole replaces it only where that reading holds what was read: not where
    # "Lun" stood (no reading of a cell that says "Break" is "Lun" made longer).
    page, table = _break_column("Break", cv2.ROTATE_90_CLOCKWISE)
    cut = OcrLine(text=found, box=Box(x0=88, y0=88, x1=112, y1=130), score=0.99, angle=90)
    lines = read_column_words(page, [table], [cut], get_engine("rapid", Settings()))
    assert [(line.text, line.angle) for line in lines] == [(whole, 90)]


def test_the_column_s_time_printed_at_its_top_is_no_part_of_its_word():
    # No ruling parts a narrow header's slot ("7:50 - 8:10") from the break column under it:
    # the cell holds the time and the fragments of "A S S E M B L Y" turned down it.
    page = np.full((620, 200, 3), 255, np.uint8)
    cell = Box(x0=70, y0=30, x1=130, y1=590)
    cv2.rectangle(page, (70, 30), (130, 590), (0, 0, 0), 2)
    cv2.putText(page, "7:50", (78, 55), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    strip = np.full((40, 480, 3), 255, np.uint8)
    cv2.putText(strip, "   ".join("ASSEMBLY"), (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                (0, 0, 0), 2)
    page[90:570, 80:120] = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)
    read = [OcrLine(text="7:50 - 8:10", box=Box(x0=76, y0=40, x1=124, y1=75), score=0.98),
            OcrLine(text="LY", box=Box(x0=85, y0=100, x1=115, y1=140), score=0.9, angle=90),
            OcrLine(text="B", box=Box(x0=90, y0=200, x1=110, y1=220), score=0.9),
            OcrLine(text="S", box=Box(x0=90, y0=400, x1=110, y1=420), score=0.5)]
    table = Table(box=cell, cells=[Cell(box=cell, row=0, col=1, row_span=5)])
    lines = read_column_words(page, [table], read, get_engine("rapid", Settings()))
    assert [line.text for line in lines] == ["7:50 - 8:10", "ASSEMBLY"]


def test_letters_spaced_a_letter_apart_are_drawn_together_to_be_read():
    # Three letters 30 px apart, then a word's gap of 60 px before a fourth, 10 px of margin:
    # each gap loses two thirds of the usual one (20 px), the margins none.
    line = np.full((20, 250, 3), 255, np.uint8)
    for x0 in (10, 45, 80, 170):
        line[5:15, x0:x0 + 5] = 0
    tight = _tightened(line)
    grey = tight[10, :, 0]
    starts = np.flatnonzero((grey[1:] == 0) & (grey[:-1] == 255)) + 1
    assert starts.tolist() == [10, 25, 40, 110] and tight.shape[1] == 250 - 60
