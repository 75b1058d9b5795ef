"""Stacked ranges (`inference.stackedtimes`): a start printed over its end, read as two lone
times, is one range; so is a range the detector split side by side at its dash."""

import cv2
import numpy as np

from inference.schema import Box, OcrLine
from inference.stackedtimes import join_split_ranges, join_stacked_ranges


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x0, y0=y0, x1=x1, y1=y1), score=0.99)


def test_a_start_over_its_end_is_one_range():
    # An app's time column: bold "08:45" right over a small "09:35", touching.
    start, end = _line("08:45", 85, 193, 144, 217), _line("09:35", 96, 216, 145, 237)
    name = _line("Maths", 175, 177, 244, 201)
    joined = join_stacked_ranges([name, start, end])
    assert [line.text for line in joined] == ["Maths", "08:45 - 09:35"]
    assert joined[1].box == Box(x0=85, y0=193, x1=145, y1=237)


def test_a_start_over_its_end_whose_padded_boxes_overlap_is_one_range():
    # A phone agenda's small "10:20am" over "11:15am": the detector's boxes overlap by 0.37
    # of a line, their centres two thirds of a line apart.
    start, end = _line("10:20am", 66, 2402, 168, 2443), _line("11:15am", 63, 2429, 149, 2467)
    name = _line("Chemistry", 208, 2414, 356, 2466)
    assert [line.text for line in join_stacked_ranges([name, start, end])] == [
        "Chemistry", "10:20am - 11:15am"]


def test_a_start_whose_stop_was_lost_over_its_end_is_one_range():
    # A handwritten time column: "10.45" read "1045" over "11.00"; "1.15" read "115".
    column = [_line("1045", 67, 419, 128, 456), _line("11.00", 72, 446, 125, 472),
              _line("115", 76, 725, 118, 757), _line("2.00", 71, 748, 123, 776)]
    assert [line.text for line in join_stacked_ranges(column)] == [
        "10:45 - 11.00", "1:15 - 2.00"]
    room = [_line("Maths", 60, 100, 140, 130), _line("115", 80, 132, 118, 160)]
    assert join_stacked_ranges(room) == room  # a room's number under no time


def test_start_only_labels_a_row_apart_stay_apart():
    labels = [_line("8:45", 80, 100, 130, 120), _line("9:45", 80, 140, 130, 160)]
    assert join_stacked_ranges(labels) == labels


def test_a_range_broken_after_its_dash_and_times_out_of_order_stay_as_read():
    broken = [_line("10:35 -", 80, 100, 140, 120), _line("10:50", 85, 121, 135, 141)]
    backwards = [_line("10:25", 300, 100, 350, 120), _line("09:35", 300, 121, 350, 141)]
    assert join_stacked_ranges(broken + backwards) == broken + backwards


def test_two_rows_of_a_list_of_starts_stay_apart():
    # A day's list: each start on its own row beside its event, the rows evenly pitched, two
    # of them as close as a stacked range's halves.
    rows = [_line("11:45-12:45", 134, 491, 252, 517), _line("13:00", 134, 524, 201, 550),
            _line("14:30", 134, 556, 201, 585)]
    names = [_line("Lunch (Hall)", 252, 491, 371, 517), _line("Art", 202, 524, 442, 550),
             _line("Story", 201, 556, 391, 585)]
    assert join_stacked_ranges(rows + names) == rows + names


def test_a_column_of_pairs_whose_dashes_were_not_read_is_a_column_of_ranges():
    # "8:30 / – / 9:00" down a phone's narrow time column, the dash too small to be found:
    # the halves a line apart, pairs further apart, each end printed again as the next start.
    # The phone's clock over the column is no part of it.
    times = ["8:30", "9:00", "9:00", "9:30", "9:30", "10:15", "10:15", "10:45"]
    tops = [344 + 122 * (k // 2) + 49 * (k % 2) for k in range(len(times))]
    column = [_line("10:24", 30, 11, 103, 39)] + [
        _line(text, 45, top, 92, top + 26) for text, top in zip(times, tops, strict=True)]
    joined = join_stacked_ranges(column)
    assert [line.text for line in joined] == [
        "10:24", "8:30 - 9:00", "9:00 - 9:30", "9:30 - 10:15", "10:15 - 10:45"]


def test_a_column_of_starts_stays_apart():
    # Start-only labels a row apart, the same distance each: no pairs, no repeats.
    starts = [_line(text, 45, 100 + 60 * k, 92, 126 + 60 * k)
              for k, text in enumerate(["8:30", "9:00", "9:30", "10:15", "10:45", "11:30"])]
    assert join_stacked_ranges(starts) == starts


def _header_row(starts: list[str], ends: list[str]) -> list[OcrLine]:
    # A header row of "9:00 / – / 9:30" cells, the dash line too small to be found: each
    # start a line's height over its end, the columns 190 px apart.
    return [_line(text, 540 + 190 * k, top, 600 + 190 * k, top + 33)
            for row, top in ((starts, 346), (ends, 411)) for k, text in enumerate(row)]


def test_a_header_row_of_stacked_pairs_is_a_row_of_ranges():
    row = _header_row(["9:00", "9:30", "10:00", "10:30"], ["9:30", "10:00", "10:30", "10:45"])
    assert [line.text for line in join_stacked_ranges(row)] == [
        "9:00 - 9:30", "9:30 - 10:00", "10:00 - 10:30", "10:30 - 10:45"]


def test_narrow_stacked_breaks_between_whole_ranges_in_a_header_row_are_ranges():
    # A portal's header row: each block's range printed whole ("Block 1" over "8:15–9:10
    # AM"), the narrow break columns' stacked ("8:00" / "–" / "8:15 AM"), their dash lost.
    row = [_line("8:00", 150, 10, 190, 25), _line("8:15 AM", 150, 40, 200, 55),
           _line("8:15–9:10 AM", 240, 40, 340, 55), _line("9:10–10:05 AM", 400, 40, 500, 55),
           _line("10:05", 560, 10, 600, 25), _line("10:25 AM", 560, 40, 610, 55),
           _line("10:25–11:20 AM", 660, 40, 760, 55)]
    assert [line.text for line in join_stacked_ranges(row)] == [
        "8:00 - 8:15 AM", "8:15–9:10 AM", "9:10–10:05 AM", "10:05 - 10:25 AM",
        "10:25–11:20 AM"]


def test_two_rows_of_starts_stay_apart():
    # Two header rows of start-only labels (a morning's and an afternoon's): the lower row's
    # times are no ends of the upper's, each pair's end not the next pair's start.
    row = _header_row(["9:00", "9:45", "10:30", "11:15"], ["9:20", "10:05", "10:50", "11:35"])
    assert join_stacked_ranges(row) == row


def test_a_packed_column_of_pairs_is_a_column_of_ranges():
    # "9:00" / "–" / "10:00" in rows packed so tight that one slot's end stands nearer the
    # next slot's start than its own, ranges printed whole on the short rows between them.
    column = [_line("8:45 - 9:00", 30, 140, 110, 155)]
    top = 175
    for start, end in [("9:00", "10:00"), ("10:20", "11:20"), ("11:20", "12:15"),
                       ("12:15", "1:15"), ("1:15", "2:15")]:
        column += [_line(start, 50, top, 90, top + 15), _line(end, 50, top + 31, 90, top + 46)]
        top += 60 if start != "9:00" else 90
    column.insert(3, _line("10:00 - 10:20", 30, 240, 110, 255))
    joined = [line.text for line in join_stacked_ranges(column)]
    assert joined == ["8:45 - 9:00", "9:00 - 10:00", "10:00 - 10:20", "10:20 - 11:20",
                      "11:20 - 12:15", "12:15 - 1:15", "1:15 - 2:15"]


def _page(lines: list[OcrLine], dashes: list[tuple[int, int, int]] = ()) -> np.ndarray:
    """A white page with each line's text drawn in its box, and level dashes (x0, x1, y)."""
    page = np.full((700, 1000, 3), 255, np.uint8)
    for line in lines:
        cv2.putText(page, line.text, (int(line.box.x0) + 2, int(line.box.y1) - 4),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    for x0, x1, y in dashes:
        cv2.line(page, (x0, y), (x1, y), (0, 0, 0), 2)
    return page


def test_a_range_split_at_its_thin_dash_is_one_range():
    # A day card's "10.00–10.20" and "10.35–11.40": the detector lost the en dash, or kept it
    # with the end; the boxes touch or overlap a little.
    lost = [_line("10.00", 550, 459, 619, 485), _line("10.20", 624, 462, 692, 484)]
    kept = [_line("10.35", 550, 576, 615, 602), _line("-11.40", 605, 576, 689, 602)]
    name = _line("English", 729, 572, 829, 612)
    lines = lost + kept + [name]
    joined = join_split_ranges(lines, _page(lines, dashes=[(615, 628, 473)]))
    assert [line.text for line in joined] == ["10.00 - 10.20", "10.35 - 11.40", "English"]
    assert joined[0].box == Box(x0=550, y0=459, x1=692, y1=485)


def test_lone_times_side_by_side_with_nothing_between_stay_apart():
    # Two narrow header cells' starts ("10:20 / to / 10:35" beside "10:35 / to / 10:50"), a
    # grid's Start and Finish columns, and times out of order.
    cells = [_line("10:20", 604, 286, 685, 317), _line("10:35", 714, 286, 793, 317)]
    columns = [_line("09:00", 100, 100, 160, 120), _line("10:30", 260, 100, 320, 120)]
    backwards = [_line("10:25", 100, 200, 150, 220), _line("09:35", 155, 200, 205, 220)]
    lines = cells + columns + backwards
    assert join_split_ranges(lines, _page(lines, dashes=[(151, 154, 210)])) == lines


def test_a_time_column_s_row_split_where_its_dash_is_too_faint_is_one_range():
    # A photocopied time column: "7.30-8.00" whole, "8.00 - 8.30" split at a dash that shows,
    # "8.30 - 9.00" split at one the copy all but lost (no ink drawn).
    whole = _line("7.30-8.00", 208, 287, 324, 319)
    shown = [_line("8.00", 211, 348, 261, 373), _line("8.30", 273, 349, 321, 373)]
    faint = [_line("8.30", 209, 399, 261, 424), _line("9.00", 272, 399, 321, 424)]
    lines = [whole, *shown, *faint]
    joined = join_split_ranges(lines, _page(lines, dashes=[(263, 270, 361)]))
    assert [line.text for line in joined] == ["7.30-8.00", "8.00 - 8.30", "8.30 - 9.00"]
