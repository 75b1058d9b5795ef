"""`inference.timeparse`: what teachers write for times and days, parsed without OCR.

Times come back as `TimeSpan`s in minutes after midnight (`end` is None for a single time);
`to_hhmm` turns minutes into the contract's 24-hour "HH:MM". Without am/pm the contract's
school-hours rule applies: 7–11 are morning, 12 is noon, 1–6 are afternoon.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inference.timeparse import (
    TimeSpan,
    day_ranges,
    find_times,
    is_time_text,
    parse_day,
    parse_day_codes,
    parse_day_list,
    strip_times,
    to_hhmm,
    without_day_words,
)

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def hhmm_range(text: str) -> list[tuple[str, str | None]]:
    """Every time in `text` as ("HH:MM", "HH:MM" or None)."""
    return [
        (to_hhmm(t.start), None if t.end is None else to_hhmm(t.end)) for t in find_times(text)
    ]


# --- the styles teachers actually write -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("8:35 – 8.50 am", "08:35", "08:50"),  # mixed ':' and '.', am written once at the end
        ("9.30 – 10 am", "09:30", "10:00"),
        ("10 – 10:15am", "10:00", "10:15"),  # a bare hour is a time when its partner is one
        ("12 – 1pm", "12:00", "13:00"),  # noon to one: pm belongs to the end only
        ("10h30-11h00", "10:30", "11:00"),  # French: the minutes after an "h"
        ("1 h 15 - 2 h 00", "13:15", "14:00"),
        ("1-1.15pm", "13:00", "13:15"),  # "1.15 pm" makes the start pm too
        ("1.15 – 2pm", "13:15", "14:00"),
        ("2 – 3pm", "14:00", "15:00"),
        ("11.00 – 11:55", "11:00", "11:55"),
        ("12:30-1:00", "12:30", "13:00"),  # school hours: 1 without am/pm is 13:00
        ("11 – 1pm", "11:00", "13:00"),  # the pm is the end's; 11 stays morning
        ("11.30 - 12.15", "11:30", "12:15"),
        ("9.00am - 10.00am", "09:00", "10:00"),
        ("12.30pm-1.30pm", "12:30", "13:30"),
        ("13:00-14:30", "13:00", "14:30"),  # 24-hour
        ("9:00 to 10:00", "09:00", "10:00"),
    ],
)
def test_time_ranges_in_teacher_styles(text: str, start: str, end: str) -> None:
    assert hhmm_range(text) == [(start, end)]
    # The whole text is the time: it is a header, not an event.
    assert is_time_text(text)
    assert strip_times(text) == ""


def test_a_range_followed_by_the_event_name() -> None:
    times = find_times("9 – 9.30 RWI")
    assert times == [TimeSpan(start=9 * 60, end=9 * 60 + 30, span=(0, 9))]
    assert strip_times("9 – 9.30 RWI") == "RWI"
    assert not is_time_text("9 – 9.30 RWI")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:35", "08:35"),
        ("3.15", "15:15"),  # school hours: 3 is afternoon
        ("10:30am", "10:30"),
        ("9.30 am", "09:30"),
        ("12:00", "12:00"),
        ("2pm", "14:00"),
        ("3 pm", "15:00"),
        ("7:45", "07:45"),
        ("6:00", "18:00"),
        ("18:05", "18:05"),
    ],
)
def test_single_times(text: str, expected: str) -> None:
    assert hhmm_range(text) == [(expected, None)]
    assert is_time_text(text)


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (7, "07:00"), (8, "08:00"), (9, "09:00"), (10, "10:00"), (11, "11:00"),  # morning
        (12, "12:00"),  # noon
        (1, "13:00"), (2, "14:00"), (3, "15:00"), (4, "16:00"), (5, "17:00"), (6, "18:00"),
    ],
)
def test_school_hours_rule_without_am_pm(hour: int, expected: str) -> None:
    assert hhmm_range(f"{hour}:00") == [(expected, None)]


def test_am_pm_overrides_the_school_hours_rule() -> None:
    assert hhmm_range("6:30am") == [("06:30", None)]
    assert hhmm_range("7 pm") == [("19:00", None)]
    assert hhmm_range("12 am") == [("00:00", None)]


def test_a_list_s_bullet_read_as_a_dot_before_the_time_is_no_decimal_point() -> None:
    # ".08:45Soft Start": the bullet read small, the space after the time lost.
    assert [(t.start, t.end) for t in find_times(".08:45Soft Start")] == [(525, None)]
    assert [(t.start, t.end) for t in find_times(".10:30-10:45Playtime")] == [(630, 645)]
    # A dot after a digit is a number's: "1.12:30" holds no time.
    assert find_times("1.12:30") == []


def test_two_clock_times_with_a_dash_s_room_between_them_are_a_range() -> None:
    # An app's "08:55 – 09:55" whose dash the reading lost, leaving its room as spaces.
    assert hhmm_range("08:55  09:55") == [("08:55", "09:55")]
    assert hhmm_range("12:15   13:00 Lunch") == [("12:15", "13:00")]
    # One space is two times side by side; so are three times, or a second time earlier.
    assert hhmm_range("08:55 09:55") == [("08:55", None), ("09:55", None)]
    assert len(find_times("9:00  10:00  11:00")) == 3
    assert hhmm_range("10:00  9:00") == [("10:00", None), ("09:00", None)]


@pytest.mark.parametrize("text", ["Station 2", "Year 4", "Room 12", "Group 3 and 4", "2",
                                  "8A Maths", "11P Music", "Year 8h"])
def test_bare_numbers_are_not_times(text: str) -> None:
    assert find_times(text) == []
    assert not is_time_text(text)
    assert strip_times(text) == text


def test_times_inside_an_event_cell_are_found_and_stripped() -> None:
    text = "Year 4 Maths 9:00"
    assert hhmm_range(text) == [("09:00", None)]
    assert find_times(text)[0].span == (13, 17)
    assert strip_times(text) == "Year 4 Maths"
    assert strip_times("PE 1:30 – 2:30") == "PE"
    assert strip_times("1:30 – 2:30 Science") == "Science"


def test_several_times_come_back_left_to_right() -> None:
    assert hhmm_range("Maths 9:00-10:00, Break 10:15") == [("09:00", "10:00"), ("10:15", None)]


# --- properties --------------------------------------------------------------------------------


@given(hour=st.integers(7, 18), minute=st.integers(0, 59), sep=st.sampled_from([":", "."]))
def test_24_hour_times_round_trip(hour: int, minute: int, sep: str) -> None:
    for text in (f"{hour}{sep}{minute:02d}", f"{hour:02d}{sep}{minute:02d}"):
        (found,) = find_times(text)
        assert (found.start, found.end) == (hour * 60 + minute, None)
        assert to_hhmm(found.start) == f"{hour:02d}:{minute:02d}"


@given(
    hour=st.integers(7, 18),
    minute=st.integers(0, 59),
    sep=st.sampled_from([":", "."]),
    style=st.sampled_from(["{ap}", " {ap}", " {AP}", "{a}.m."]),
)
def test_12_hour_times_with_am_pm_round_trip(hour: int, minute: int, sep: str, style: str) -> None:
    ap = "am" if hour < 12 else "pm"
    suffix = style.format(ap=ap, AP=ap.upper(), a=ap[0])
    text = f"{hour % 12 or 12}{sep}{minute:02d}{suffix}"
    (found,) = find_times(text)
    assert found.start == hour * 60 + minute
    assert found.span == (0, len(text))


@given(start=st.integers(7 * 60, 17 * 60), length=st.integers(5, 90))
def test_school_hour_ranges_without_am_pm_round_trip(start: int, length: int) -> None:
    end = min(start + length, 18 * 60 + 59)

    def twelve_hour(minutes: int) -> str:
        return f"{(minutes // 60) % 12 or 12}:{minutes % 60:02d}"

    (found,) = find_times(f"{twelve_hour(start)} - {twelve_hour(end)}")
    assert (found.start, found.end) == (start, end)


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_to_hhmm_always_gives_a_valid_time(minutes: int) -> None:
    assert HHMM.match(to_hhmm(minutes))


@given(st.integers(0, 23 * 60 + 59))
def test_to_hhmm_is_exact_within_a_day(minutes: int) -> None:
    hours, mins = to_hhmm(minutes).split(":")
    assert int(hours) * 60 + int(mins) == minutes


def test_to_hhmm_clamps_outside_a_day() -> None:
    assert to_hhmm(-5) == "00:00"
    assert to_hhmm(24 * 60 + 30) == "23:59"
    assert to_hhmm(8 * 60 + 5) == "08:05"


# --- days --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Monday", "Monday"),
        ("tuesday", "Tuesday"),
        ("WEDNESDAY", "Wednesday"),
        ("Friday.", "Friday"),
        (" Thursday: ", "Thursday"),
        ("Mon", "Monday"),
        ("Tu", "Tuesday"),
        ("Tue", "Tuesday"),
        ("Tues", "Tuesday"),
        ("WED", "Wednesday"),
        ("Weds", "Wednesday"),
        ("Th", "Thursday"),
        ("Thur", "Thursday"),
        ("Thurs", "Thursday"),
        ("Fri", "Friday"),
        ("Sat", "Saturday"),
        ("Sun", "Sunday"),
        ("M", "Monday"),  # single letters where they are unambiguous
        ("W", "Wednesday"),
        ("F", "Friday"),
        # OCR noise
        ("Wednesdav", "Wednesday"),
        ("Tuesdav", "Tuesday"),
        ("Thursdy", "Thursday"),
        ("Frday", "Friday"),
        # dated by a calendar, a portal or an agenda
        ("Mon 31 Mar", "Monday"),
        ("Tue1Apr", "Tuesday"),
        ("Tuesday 14th April", "Tuesday"),
        ("Wed, 2 April 2025", "Wednesday"),
        ("Sat Mar 8", "Saturday"),
        ("Fri 4/4", "Friday"),
        ("Thu 03.04.25", "Thursday"),
        # placed in a rotation (a block schedule's A and B days)
        ("Monday ADay", "Monday"),
        ("Tue - Day 2", "Tuesday"),
        ("Wed (Week B)", "Wednesday"),
    ],
)
def test_parse_day(text: str, day: str) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [("Dienstag", "Tuesday"), ("Mi", "Wednesday"), ("Do", "Thursday"), ("Freitag", "Friday"),
     ("MARDI", "Tuesday"), ("Jeu.", "Thursday"), ("Miércoles", "Wednesday"),
     ("Giovedì", "Thursday"), ("Woensdag", "Wednesday"), ("Dé Máirt", "Tuesday"),
     ("Déardaoin", "Thursday"), ("Dydd Gwener", "Friday"), ("Donnerstaq", "Thursday"),
     ("ISNIN", "Monday"), ("Rabu", "Wednesday"), ("KHAMIS", "Thursday"), ("Jumat", "Friday")],
)
def test_a_day_named_in_another_language_is_its_english_day(text: str, day: str) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    "text", ["Maths", "Math", "Music", "Ma", "Mus", "Art", "Sci", "T", "S", "", "Registration",
             "4th", "12th", "7th 12:30-1:10",  # a period's ordinal: its "th" is no Thursday
             "M4", "W2", "F1",  # rooms, not single-letter days
             "Maths 3 Apr", "M 4/4",  # a date after no day
             "10 Mar", "13Mar", "Mar 10th",  # a date alone, under a calendar's day header
             "Sam", "Don", "Mathe", "Mittagspause", "Große Pause", "Lunch",  # names, not days
             "DO", "MI", "DI",  # a teacher's initials under a subject code
             "Maori", "Te Reo Maori",  # one letter off "mardi": a subject, not Tuesday
             "Minggu 3",  # Malay's "week", though Indonesian's Sunday
             "Ahmad"]  # a name one letter off Malay's "Ahad"
)
def test_parse_day_rejects_things_that_are_not_days(text: str) -> None:
    # "T" and "S" could be two days each; subject names that start like days are not days.
    assert parse_day(text) is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Monday, Tuesday, Thursday", ["Monday", "Tuesday", "Thursday"]),
        ("Mon – Fri", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        ("Mon-Wed", ["Monday", "Tuesday", "Wednesday"]),
        ("Monday to Friday", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        ("Tues & Thurs", ["Tuesday", "Thursday"]),
        ("Daily Schedule — Monday, Wednesday", ["Monday", "Wednesday"]),
        ("Wednesday", ["Wednesday"]),
        ("Mon, Mon, Tue", ["Monday", "Tuesday"]),  # each day once
        ("Year 4 Timetable", []),
        # The OCR lost the spaces (and a few letters) of a photographed title.
        ("Daily Schedule- MondayTudayThurdy", ["Monday", "Tuesday", "Thursday"]),
        ("MondayTuesdayThursday", ["Monday", "Tuesday", "Thursday"]),
        ("MonWedFri", ["Monday", "Wednesday", "Friday"]),
        # A date's month is no day: Spanish abbreviates Tuesday "Mar".
        ("Mon 10 Mar", ["Monday"]),
        ("10 Mar", []),
        # An event that only starts with a day is no list of days.
        ("Wednesdaymeeting", []),
        ("Mondayassembly", []),
    ],
)
def test_parse_day_list(text: str, days: list[str]) -> None:
    assert parse_day_list(text) == days


@pytest.mark.parametrize("text", ["Monday To Friday", "MON TO FRI"])
def test_parse_day_list_range_word_in_any_case(text: str) -> None:
    assert parse_day_list(text) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def test_a_period_number_before_a_time_is_not_read_as_its_hour():
    # aSc headers read "4. 10:25 11:10": period 4, then its times (not 4:10 pm).
    assert [t.start for t in find_times("4. 10:25 11:10")] == [625, 670]
    assert [t.start for t in find_times("9. 30")] == [570]  # a spaced-out time still reads


def test_noon_closes_a_range_like_pm():
    assert [(t.start, t.end) for t in find_times("11-12 NOON")] == [(660, 720)]
    assert [t.start for t in find_times("12 noon")] == [720]


@pytest.mark.parametrize(("text", "span"), [
    ("19:00-9:40", (540, 580)),  # a cell's left rule read as a "1" before "9:00"
    ("17:30-8:15", (450, 495)),
    ("19:00-21:00", (1140, 1260)),  # an evening club stays
    ("13:00-2:00", (780, 840)),  # 24-hour start, 12-hour end
])
def test_a_range_that_runs_backwards_from_the_evening(text: str, span: tuple[int, int]) -> None:
    (time,) = find_times(text)
    assert (time.start, time.end) == span


@pytest.mark.parametrize(("text", "span"), [
    ("0800-0840", (480, 520)), ("1320 – 1400hrs", (800, 840)), ("0755-0835 Maths", (475, 515))])
def test_a_range_of_four_digit_24_hour_times(text: str, span: tuple[int, int]) -> None:
    (time,) = find_times(text)
    assert (time.start, time.end) == span


@pytest.mark.parametrize("text", ["0815", "Room 0815", "Tel 2345-6789", "0800-1300 exams",
                                  "2025-2026", "Academic Year 2024-2025"])
def test_four_digits_alone_or_beyond_a_slot_are_no_time(text: str) -> None:
    # One four-digit number may be a room; a "range" over four hours is not one slot, nor is
    # one of a minute (an academic year, not 20:25-20:26).
    assert find_times(text) == []


@pytest.mark.parametrize(("text", "span"), [
    ("11:1012:10", (670, 730)), ("13:5514:55", (835, 895)), ("1.152.05", (795, 845)),
    ("09 : 0509 : 55", (545, 595))])
def test_two_clock_times_read_without_their_dash_are_a_range(text, span) -> None:
    (time,) = find_times(text)
    assert (time.start, time.end) == span


@pytest.mark.parametrize("text", ["8:0514:10", "9:009:00"])
def test_clock_times_run_together_beyond_a_slot_are_no_range(text) -> None:
    assert all(time.end is None for time in find_times(text))


def test_a_room_code_is_no_time_but_a_time_glued_to_a_word_is() -> None:
    assert find_times("Ms. Lim A1.12") == [] and find_times("Lab B2.07") == []
    assert find_times("Rm 1.05 PWN") == [] and find_times("Room 2.14") == []
    assert [t.start for t in find_times("Form 9:00")] == [540]
    (time,) = find_times("Assembly9:00")
    assert time.start == 540


def test_a_room_named_in_words_labels_no_number_after_it() -> None:
    # A tile's "Sensory room" over its "09:15-10:00", read as one text: a range, no room.
    assert [(t.start, t.end) for t in find_times("Sensory room 09:15-10:00")] == [(555, 600)]
    assert find_times("rm 1.05") == [] and find_times("ROOM 2.14") == []


@pytest.mark.parametrize("text, expected", [
    ("8:00a-9:15a", [("08:00", "09:15")]), ("12:30p-1:45p", [("12:30", "13:45")]),
    ("4:00p-5:15p", [("16:00", "17:15")]), ("9:00a-12:00p", [("09:00", "12:00")]),
    ("1230p-1.45p", [("12:30", "13:45")]),  # the start's colon lost too
    ("9:15Art", [("09:15", None)]),  # a word glued on is no meridiem
])
def test_a_college_s_one_letter_meridiem_glued_to_the_minutes_is_read(text, expected):
    assert hhmm_range(text) == expected
    assert find_times("8A Maths") == []  # never after a bare hour: a form's code


def test_a_spaced_am_pm_is_still_read_where_no_word_goes_on():
    assert hhmm_range("8 a m") == [("08:00", None)]
    assert hhmm_range("2 p m - 3 p m") == [("14:00", "15:00")]


@pytest.mark.parametrize("text, values", [
    ("2-15-3:15", [855, 915]),  # the start's colon read as a dash
    ("2:15-3-15", [855, 915]),  # the end's
    ("9:00-10-30", [540, 630]),
    ("11:25-1225", [685, 745]),  # the end's colon lost
    ("1125-12:25", [685, 745]),
    ("10:45am-1145am", [645, 705]),  # the start with its meridiem
    ("12:10-1:70", [730, 790]),  # a minute's "1" read as a "7": no minute is 70
    ("11:00:12:00", [660, 720]),  # the dash read as a colon
    ("10:2 0-10:35", [620, 635]),  # a handwritten minute read in two
])
def test_a_range_with_one_colon_misread_or_lost_is_the_range(text, values):
    assert [span.values for span in find_times(text)] == [values]


def test_dashed_numbers_beside_no_clock_time_are_no_time():
    assert find_times("12-05-2025") == [] and find_times("Room 1-05") == []


def test_the_separator_before_a_stripped_time_goes_with_it():
    # Google Calendar's one-line box: "Title, 8:45am".
    assert strip_times("Tutor time, 8:45am") == "Tutor time"


@pytest.mark.parametrize("text", ["2.10 pm onwards", "from 3:30", "12:00 noon", "9:00 am"])
def test_a_time_with_an_open_end_or_a_meridiem_is_a_time_only_line(text):
    assert is_time_text(text)


def test_a_time_with_an_event_is_no_time_only_line():
    assert not is_time_text("Maths 9:00") and not is_time_text("9:00 - 10:00 Lunch")


def test_a_one_read_as_a_letter_l_in_an_hour_is_a_one():
    assert [span.values for span in find_times("10-1lam")] == [[600, 660]]
    assert [span.values for span in find_times("1l:30")] == [[690]]
    assert find_times("1lab") == []  # a room's "1" before a word


def test_a_minute_s_zero_read_as_a_letter_o_is_a_zero():
    assert [span.values for span in find_times("Coding Club 3.15-4.3Opm (ICT Suite)")] == [
        [915, 990]]
    assert [span.values for span in find_times("10:0O-11:00 Maths")] == [[600, 660]]
    assert strip_times("After School Care 3.15-5.3Opm (Willow Room)") == (
        "After School Care (Willow Room)")
    assert find_times("Room 3O") == []  # no minute before it


def test_a_period_label_glued_before_a_one_digit_hour_is_no_part_of_it():
    # A key along a line: "P1" glued to "8:45-9:45" reads "P18:45-9:45", no 18:45.
    assert [span.values for span in find_times("P18:45-9:45")] == [[525, 585]]
    key = "Reg8:30-8:45|P18:45-9:45|P2 9:45-10:45"
    assert [span.values for span in find_times(key)] == [[510, 525], [525, 585], [585, 645]]


def test_a_range_with_its_period_label_glued_on_is_the_range():
    # An MIS export's row labels read without their space: "P1 08:45-09:45".
    assert [span.values for span in find_times("P108:45-09:45")] == [[525, 585]]
    assert [span.values for span in find_times("P412:05-13:05")] == [[725, 785]]
    # A key's labels written out, its spaces lost on one long line.
    assert [span.values for span in find_times("|Period108:30-09:25|Period209:25-10:20")
            ] == [[510, 565], [565, 620]]
    # ... and a bare period number glued to its range after the key's bar ("| 1 08:50–09:40").
    assert [span.values for span in find_times("08:50|108:50-09:40|209:40-10:30")
            ][1:] == [[530, 580], [580, 630]]
    assert find_times("Room A112:30") == []


@pytest.mark.parametrize("text", ["COMS2007 · Lab · MVB 2.11", "Queens 0.18", "Fry 2.04"])
def test_a_room_number_beside_words_is_no_time(text):
    assert find_times(text) == []


def test_a_dotted_time_on_the_five_minute_marks_or_alone_is_still_a_time():
    assert [t.start for t in find_times("Break 10.45")] == [645]
    assert [t.start for t in find_times("8.47")] == [527]  # a bell time, alone on its line


@pytest.mark.parametrize("text, values", [
    ("115-215", [795, 855]),  # "1.15-2.15" with both dots lost in a photo's small print
    ("1215-115", [735, 795]),
    ("930-1030", [570, 630]),
])
def test_a_range_whose_separators_were_both_lost_is_the_range(text, values):
    assert [span.values for span in find_times(text)] == [values]


def test_numbers_off_the_five_minute_marks_or_too_close_are_no_range():
    assert find_times("Room 110-120") == [] and find_times("101-105") == []


@pytest.mark.parametrize(("text", "days"), [
    ("MWF", ["Monday", "Wednesday", "Friday"]), ("TTh", ["Tuesday", "Thursday"]),
    ("TR", ["Tuesday", "Thursday"]), ("Tu/Th", ["Tuesday", "Thursday"]), ("W", ["Wednesday"]),
    ("MTWRF", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
    ("TM", []), ("Online", []), ("MM", []), ("M4", []), ("", [])])
def test_a_registrar_s_day_codes_name_their_days_in_week_order(text, days):
    assert parse_day_codes(text) == days


def test_a_numbered_list_s_number_glued_to_its_range_is_no_decimal_point():
    # "1. 0850-0950 Geography" read without the number's space; "1.12:30" stays no time.
    assert [span.values for span in find_times("1.0850-0950 Geography")] == [[530, 590]]
    assert [span.values for span in find_times("3.11:10-12:10 Chemistry")] == [[670, 730]]
    assert find_times("1.12:30") == []


def test_a_period_label_glued_to_its_start_is_read_apart():
    # "P2 9:25" in bold and regular print, read without the space between them.
    assert [span.values for span in find_times("P29:25")] == [[565]]
    assert [span.values for span in find_times("P310:45")] == [[645]]
    assert [span.values for span in find_times("P51:15")] == [[795]]
    assert find_times("B12.07") == []  # a room


@pytest.mark.parametrize(("text", "week", "own"), [
    ("LUNCH · Dining Hall · 13:10 – 13:55 (Wed 12:50 – 13:35)", (790, 835),
     {"Wednesday": (770, 815)}),
    ("Lunch 12:30-1:15, Fri: 12:00-12:45", (750, 795), {"Friday": (720, 765)}),
])
def test_a_day_s_own_range_in_a_line_for_the_week_is_read_apart(text, week, own):
    found = day_ranges(text)
    assert found is not None
    assert (found[0].start, found[0].end) == week
    assert {day: (span.start, span.end) for day, span in found[1].items()} == own
    assert without_day_words(strip_times(text)).endswith(("Dining Hall", "Lunch"))


@pytest.mark.parametrize("text", ["Maths 9:00-10:00", "Wed 9:00-10:00",
                                  "Room 12 9:00-10:00 11:00-12:00"])
def test_a_line_without_a_day_s_own_range_beside_the_week_s_has_none(text):
    assert day_ranges(text) is None


def test_each_caller_gets_its_own_list_of_a_text_s_times_and_days():
    # A text's times and days are parsed once and remembered; what one caller does to its
    # list is no other caller's answer.
    times, days = find_times("9:00-10:00 Maths"), parse_day_list("Mon - Wed")
    times.clear()
    days.append("Sunday")
    assert [(t.start, t.end) for t in find_times("9:00-10:00 Maths")] == [(540, 600)]
    assert parse_day_list("Mon - Wed") == ["Monday", "Tuesday", "Wednesday"]


@pytest.mark.parametrize(("text", "starts"), [
    ("7AMu MU2", []), ("8AMa", []), ("9AM", [540]), ("9am Maths", [540]), ("9amMaths", [540])])
def test_a_form_code_glued_to_its_subject_is_no_hour_and_meridiem(text, starts) -> None:
    # A teacher's "7A Mu" read glued: the capital "AM" runs on into "u", a word's small letters.
    assert [t.start for t in find_times(text)] == starts
