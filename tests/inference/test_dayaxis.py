"""Day-axis repair (`inference.dayaxis`): a garbled day name put back from its place in the
week's sequence of headers, and nothing else touched."""

import cv2
import numpy as np

from inference.dayaxis import read_missing_days, repair_day_axes
from inference.ocr import get_engine
from inference.schema import Box, OcrLine
from inference.settings import Settings


def _column(texts: list[str], x: float = 40, step: float = 96) -> list[OcrLine]:
    """Lines stacked down one column, `step` px apart."""
    return [OcrLine(text=text, box=Box(x0=x, y0=150 + step * i, x1=x + 40, y1=170 + step * i))
            for i, text in enumerate(texts)]


def _texts(lines: list[OcrLine]) -> list[str]:
    return [line.text for line in repair_day_axes(lines)]


def test_the_day_after_a_sequence_misread_is_put_back():
    # 11 px "Friday" on a tinted header column, read "Feldey".
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Feldey"]
    assert _texts(_column(days))[-1] == "Friday"
    assert _texts(_column([d.upper() for d in days]))[-1] == "FRIDAY"


def test_the_day_before_a_sequence_and_a_row_of_days_too():
    assert _texts(_column(["Mcnlay", "Tuesday", "Wednesday", "Thursday"]))[0] == "Monday"
    row = [OcrLine(text=text, box=Box(x0=200 * i, y0=10, x1=200 * i + 80, y1=30))
           for i, text in enumerate(["Mon", "Tue", "Wed", "Thu", "Fcl"])]
    assert _texts(row)[-1] == "Friday"


def test_two_letters_at_the_day_s_very_place_are_that_day():
    # A handwritten "Fri" read "Fi" after Mon, Tues, Wed, Thurs along the header row.
    row = [OcrLine(text=text, box=Box(x0=220 * i, y0=10, x1=220 * i + 70, y1=60))
           for i, text in enumerate(["Mon", "Tuesday", "Wed", "Thursday", "Fi"])]
    assert _texts(row)[-1] == "Friday"
    # Not where no day should stand: half a step further on.
    row[-1] = row[-1].model_copy(update={"box": Box(x0=990, y0=10, x1=1060, y1=60)})
    assert _texts(row)[-1] == "Fi"


def test_a_garbled_name_read_as_another_day_out_of_order_is_its_place_s_day():
    # A fax's thickened "Tuesday" read "Hresday.", which reads nearest Thursday.
    assert _texts(_column(["Hresday.", "Wednesday", "Thursday", "Friday"]))[0] == "Tuesday"
    assert _texts(_column(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])) == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def test_a_line_off_the_step_of_another_letter_or_past_friday_is_left_as_read():
    days = ["Monday", "Tuesday", "Wednesday", "Thursday"]
    assert _texts(_column([*days, "Sports"])) == [*days, "Sports"]  # not an F
    lines = _column([*days, "Feldey"])
    lines[-1] = lines[-1].model_copy(update={"box": Box(x0=40, y0=600, x1=80, y1=620)})
    assert _texts(lines)[-1] == "Feldey"  # half a step further down
    week = ["Tuesday", "Wednesday", "Thursday", "Friday", "Sunny"]
    assert _texts(_column(week))[-1] == "Sunny"  # past Friday: no Saturday is guessed
    assert _texts(_column(days[:2] + ["Feldey"])) == days[:2] + ["Feldey"]  # two: no sequence


def _row(texts: list[str], step: float = 330) -> list[OcrLine]:
    """Lines along one row, `step` px apart."""
    return [OcrLine(text=text, box=Box(x0=580 + step * i, y0=390, x1=700 + step * i, y1=460))
            for i, text in enumerate(texts)]


def test_a_whiteboard_row_of_garbled_day_names_is_read_as_the_week():
    # Marker handwriting: one day reads right, the others near their days in order.
    assert _texts(_row(["Mon", "Ties", "Wea", "Thors", "Fni"])) == [
        "Mon", "Tuesday", "Wednesday", "Thursday", "Friday"]
    # A stray stroke of the pen before a name reads as a letter of its own: "Dwed".
    assert _texts(_row(["Mon", "Ties", "Dwed", "Thors", "Fi"])) == [
        "Mon", "Tuesday", "Wednesday", "Thursday", "Friday"]


def test_a_portal_s_dated_day_headers_read_garbled_are_read_as_the_week():
    # "Mon 3/2", "Tue 4/2" … photographed small, read without their spaces and misread.
    assert _texts(_row(["Moe3/2", "Tue4/2", "Wed5/2", "Tha6/2"])) == [
        "Monday", "Tue4/2", "Wed5/2", "Thursday"]


def test_a_week_written_in_its_initials_is_read_by_their_order():
    # A phone calendar's header: "M T W T F" over the dates; the two "T"s by their places.
    assert _texts(_row(["M", "T", "W", "T", "F"])) == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert _texts(_row(["S", "M", "T", "W", "T", "F", "S"]))[2:5] == [
        "Tuesday", "Wednesday", "Thursday"]  # a week from Sunday
    assert _texts(_row(["T", "S", "T", "S"])) == ["T", "S", "T", "S"]  # not the days' order
    # A calendar's small month beside its week: its initials head a grid of dates.
    month = _row(["M", "T", "W", "T", "F"])
    top = month[0].box.y1
    month += [OcrLine(text=str(7 * week + day + 1), box=Box(
        x0=line.box.x0, y0=top + 10 + 30 * week, x1=line.box.x1, y1=top + 30 + 30 * week))
        for week in range(2) for day, line in enumerate(month[:5])]
    assert _texts(month)[:5] == ["M", "T", "W", "T", "F"]


def test_a_row_of_event_names_with_the_week_s_initials_is_left_as_read():
    names = ["Maths", "Trip", "Woodwork", "Tech", "Food"]
    assert _texts(_row(names)) == names  # no day among them, none near its day
    garbled = ["Mon", "Ties", "Wea", "Thors"]
    uneven = _row(garbled)
    uneven[-1] = uneven[-1].model_copy(update={"box": Box(x0=1800, y0=390, x1=1900, y1=460)})
    assert _texts(uneven) == garbled  # not a step apart: no axis
    assert _texts(_row(["Mon", "Ties", "Wea"])) == ["Mon", "Ties", "Wea"]  # three: too few


def test_a_day_the_reading_found_no_line_for_is_read_again_at_its_place():
    # "Monday" printed where the sequence puts it, but the page's reading found no line there.
    page = np.full((700, 400, 3), 255, np.uint8)
    days = ["Monday", "Tuesday", "Wednesday", "Thursday"]
    for k, day in enumerate(days):
        cv2.putText(page, day, (40, 170 + 96 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
    read = [OcrLine(text=day, box=Box(x0=38, y0=146 + 96 * k, x1=40 + 17 * len(day),
                                      y1=176 + 96 * k))
            for k, day in enumerate(days) if k]
    engine = get_engine("rapid", Settings())
    found = read_missing_days(page, read, engine)
    assert [line.text for line in found] == ["Tuesday", "Wednesday", "Thursday", "Monday"]
    assert abs(found[-1].box.cy - 161) < 20
    # Nothing printed there: nothing put in.
    page[140:185] = 255
    assert read_missing_days(page, read, engine) == read


def _standing_week(read_days: set[str]) -> tuple[np.ndarray, list[OcrLine]]:
    """Rotated day names (reading bottom to top) down a first column, each centred in its
    150 px row, and the lines the reading found of them (`read_days`)."""
    page = np.full((900, 200, 3), 255, np.uint8)
    read = []
    for k, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]):
        (length, _), _ = cv2.getTextSize(day, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 2)
        word = np.full((40, length + 10, 3), 255, np.uint8)
        cv2.putText(word, day, (5, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
        top = 170 + 150 * k - word.shape[1] // 2
        page[top:top + word.shape[1], 60:100] = cv2.rotate(word, cv2.ROTATE_90_COUNTERCLOCKWISE)
        if day in read_days:
            read.append(OcrLine(text=day, box=Box(x0=62, y0=top + 3, x1=96,
                                                  y1=top + word.shape[1] - 3), angle=90))
    return page, read


def test_a_standing_day_name_the_reading_missed_is_read_again_turned_upright():
    # The photo's shadow hid "Thursday" from the reading, which took its row's lessons for
    # Wednesday's.
    page, read = _standing_week({"Monday", "Tuesday", "Wednesday", "Friday"})
    found = read_missing_days(page, read, get_engine("rapid", Settings()))
    assert [(line.text, line.angle) for line in found[len(read):]] == [("Thursday", 90)]
    assert abs(found[-1].box.cy - 620) < 10  # Thursday's row


def test_days_missing_between_two_standing_names_and_after_them_are_read_in_turn():
    # Small rotated print: the reading found Monday and Wednesday only. Tuesday's place lies
    # halfway between them; Thursday's and Friday's follow once the sequence is three long.
    page, read = _standing_week({"Monday", "Wednesday"})
    found = read_missing_days(page, read, get_engine("rapid", Settings()))
    assert sorted((round(line.box.cy, -1), line.text) for line in found) == [
        (170, "Monday"), (320, "Tuesday"), (470, "Wednesday"), (620, "Thursday"),
        (770, "Friday")]


def test_a_standing_name_white_on_black_read_as_debris_is_read_again_inverted():
    # A PDF's day column: white names standing on black cells. The reading found Monday to
    # Thursday and took Friday's for an "E" lying flat; its place is read again, inverted.
    page = np.full((900, 200, 3), 255, np.uint8)
    read = []
    for k, day in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri"]):
        (length, _), _ = cv2.getTextSize(day, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 2)
        word = np.zeros((40, length + 10, 3), np.uint8)
        cv2.putText(word, day, (5, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2)
        top = 170 + 150 * k - word.shape[1] // 2
        page[top - 40:top + word.shape[1] + 40, 50:110] = 0  # the black cell
        page[top:top + word.shape[1], 60:100] = cv2.rotate(word, cv2.ROTATE_90_COUNTERCLOCKWISE)
        box = Box(x0=62, y0=top + 3, x1=96, y1=top + word.shape[1] - 3)
        read.append(OcrLine(text=day if day != "Fri" else "E", box=box,
                            angle=90 if day != "Fri" else 0))
    found = read_missing_days(page, read, get_engine("rapid", Settings()))
    assert [(line.text, line.angle) for line in found] == [
        ("Mon", 90), ("Tue", 90), ("Wed", 90), ("Thu", 90), ("Friday", 90)]


def test_a_day_spelled_right_out_of_order_is_left_as_read():
    # A week printed from Sunday with Monday's row missing: the page says Sunday.
    assert _texts(_column(["Sunday", "Tuesday", "Wednesday", "Thursday"]))[0] == "Sunday"


def test_a_day_standing_where_a_photographed_header_row_climbs_to_is_no_gap():
    # A photo's header row rises to the right: Thursday stands above Monday's row but in line
    # with the sequence; it is no missing day, and nothing is read again there.
    read = [OcrLine(text=day, box=Box(x0=100 + 150 * k, y0=300 - 7 * k, x1=200 + 150 * k,
                                      y1=327 - 7 * k))
            for k, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])]

    class Reader:  # reads every crop as the day asked for: only a gap would call it
        def read_crop(self, crop):
            raise AssertionError("no day is missing")

    assert read_missing_days(np.full((500, 1000, 3), 255, np.uint8), read, Reader()) == read


def test_a_week_written_in_letters_gets_its_missing_letter_read():
    # "M", "Tu", "W", "Th" found down the first column; the lone "F" under them was not.
    page = np.full((700, 200, 3), 255, np.uint8)
    read = []
    for k, day in enumerate(["M", "Tu", "W", "Th", "F"]):
        cv2.putText(page, day, (40, 170 + 96 * k), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
        if day != "F":
            read.append(OcrLine(text=day, box=Box(x0=38, y0=146 + 96 * k, x1=38 + 30 * len(day),
                                                  y1=176 + 96 * k)))
    found = read_missing_days(page, read, get_engine("rapid", Settings()))
    assert [line.text.upper() for line in found[len(read):]] == ["FRIDAY"]
    assert abs(found[-1].box.cy - 545) < 20


def test_in_a_week_of_letters_a_lone_t_at_tuesday_s_place_is_tuesday():
    # "M", "T", "W", "Th", "F": a "T" alone could be Tuesday or Thursday; at Tuesday's place
    # (a step before "W", "Th", "F") it is Tuesday.
    page = np.full((700, 200, 3), 255, np.uint8)
    read = []
    for k, day in enumerate(["M", "T", "W", "Th", "F"]):
        cv2.putText(page, day, (40, 170 + 96 * k), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
        read.append(OcrLine(text=day, box=Box(x0=38, y0=146 + 96 * k, x1=38 + 30 * len(day),
                                              y1=176 + 96 * k)))
    found = read_missing_days(page, read, get_engine("rapid", Settings()))
    assert "T" not in [line.text for line in found]
    assert [line.text.upper() for line in found if line.box.cy < 300] == ["M", "TUESDAY"]


def test_a_garbled_word_between_two_days_and_the_short_names_after_them_are_read():
    # A whiteboard's header row: "Mon", "Tue" read "Tie", "Wed", then "Th" and "Fri", which
    # the reading missed. The garbled word at Tuesday's place between two names is Tuesday;
    # the week is then three names long, and each place after it is read in turn: two letters
    # there are enough.
    page = np.full((120, 1100, 3), 255, np.uint8)
    read = []
    for k, (day, seen) in enumerate([("Mon", "Mon"), ("Tue", "Tie"), ("Wed", "Wed"),
                                     ("Th", None), ("Fri", None)]):
        cv2.putText(page, day, (60 + 200 * k, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
        if seen:
            read.append(OcrLine(text=seen, box=Box(x0=56 + 200 * k, y0=38, x1=140 + 200 * k,
                                                   y1=80)))
    found = read_missing_days(page, read, get_engine("rapid", Settings()))
    assert sorted(_texts(found)) == sorted(["Mon", "Tuesday", "Wed", "Thursday", "Friday"])
