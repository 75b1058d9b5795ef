"""Pure parsing of what teachers write for times and days.

Times: "8:35 – 8.50 am", "9-9.30", "1.15 – 2pm", "12 – 1pm", "10:30am", "3.15", "10h30-11h00".
Without am/pm the school-hours rule of the contract applies: hours 7–11 are morning, 12 is
noon, 1–6 are afternoon. Days: full names, abbreviations ("Tu", "WED", "Thurs"), lists and ranges
("Monday, Tuesday, Thursday", "Mon–Fri"), and other languages' names ("Mardi", "Do": `daynames`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from inference.daynames import FULL_NAMES, TWO_LETTER, foreign_forms, plain
from inference.schema import DAYS

# Not inside a number: no digit or colon right before, nor a digit's decimal point ("1.12:30");
# a dot after anything else is a bullet or a sentence's end (".08:45Soft Start").
_NOT_IN_NUMBER = r"(?<![\d:])(?<!\d\.)"
# A clock time: "8", "8:35", "8.35"; "0835" alone is not accepted (too easily a room number).
# Minutes followed by another ":25" were an hour: "4. 10:25" is period 4 at 10:25, not 4:10.
# "a m" spaced is am unless a word goes on: "8A Maths" is form 8A's Maths, not 8 am. French
# writes the minutes after an "h" ("10h30", "8 h 15"). A college's schedule writes am/pm as
# one letter glued to the minutes ("8:00a-9:15a", "12:30p"), never to a bare hour ("8A" is a
# form).
_CLOCK = (r"(?P<{p}h>[012]?\d)(?:\s?(?:[:.;,]|h)\s?(?P<{p}m>[0-5]\d)(?!\s?[:.]\d))?"
          r"\s*(?P<{p}ap>[ap]\.?(?:m|\sm(?![a-z]))\.?|noon\b|(?<=[:.][0-5]\d)[ap](?![a-z]))?")
_SEP = r"\s*(?:-|–|—|~|to|until|till)\s*"
# Not inside a number, nor after a lone capital or a room's label: "A1.12", "B2.07",
# "Rm 1.05", "Room 2.14" are rooms. "Room" as a label is written so, whatever the pattern's
# case: a "Sensory room" line over a "09:15-10:00" line, read as one text, has no room number.
_BEFORE = (_NOT_IN_NUMBER + r"(?<!\b[A-Z])(?<!\bRm\s)(?<!\bRm\.\s)(?<!\bRm)"
           r"(?-i:(?<!\bRoom\s)(?<!\bROOM\s))")
_RANGE = re.compile(
    _BEFORE + _CLOCK.format(p="s") + _SEP + _CLOCK.format(p="e") + r"(?![\d])",
    re.IGNORECASE,
)
_SINGLE = re.compile(_BEFORE + _CLOCK.format(p="s") + r"(?![\d])", re.IGNORECASE)
# A range of two 24-hour times written as four digits each ("0800-0840", "1320 – 1400hrs"):
# one such number alone may be a room, two joined as a range are a slot.
_HHMM = r"(?P<{p}h>[01]\d|2[0-3])(?P<{p}m>[0-5]\d)\s*(?:hrs|h)?"
MIN_SLOT = 5  # minutes: the shortest slot a range written without its separators may be
_FOUR_DIGIT_RANGE = re.compile(
    _NOT_IN_NUMBER + _HHMM.format(p="s") + _SEP + _HHMM.format(p="e") + r"(?![\d])",
    re.IGNORECASE)
# Two clock times the reading ran together, the dash between them lost ("11:1012:10", spaced
# "09 : 0509 : 55"): minutes have two digits, so where the first ends and the second begins
# is certain.
_GLUED_RANGE = re.compile(_NOT_IN_NUMBER + r"(?P<sh>[012]?\d)\s?[:.]\s?(?P<sm>[0-5]\d)"
                          r"(?P<eh>[012]?\d)\s?[:.]\s?(?P<em>[0-5]\d)(?![\d])")
# A range one of whose times lost its colon ("11:25-1225", "1125-12:25"): the other time
# says the page writes minutes after a colon. The start may carry its meridiem
# ("10:45am-1145am" in a small header's print; "1230p-1.45p").
_MERIDIEM = r"(?:\s?[ap]\.?m\.?|[ap](?![a-z]))?"
_COLON_LOST = [re.compile(_NOT_IN_NUMBER + r"(?P<sh>[012]?\d)[:.](?P<sm>[0-5]\d)" + _MERIDIEM
                          + _SEP + r"(?P<eh>[012]?\d)(?P<em>[0-5]\d)(?![\d])"),
               re.compile(_NOT_IN_NUMBER + r"(?P<sh>[012]?\d)(?P<sm>[0-5]\d)" + _MERIDIEM + _SEP
                          + r"(?P<eh>[012]?\d)[:.](?P<em>[0-5]\d)(?![\d])")]
# A range both of whose times lost their separators in small print ("115-215" for
# "1.15-2.15", "1215-115"): taken only on five-minute marks, as a slot of 15 minutes to 4 hours.
_SEPARATORS_LOST = re.compile(_NOT_IN_NUMBER + r"(?P<sh>[012]?\d)(?P<sm>[0-5]\d)" + _SEP
                              + r"(?P<eh>[012]?\d)(?P<em>[0-5]\d)(?![\d:.])")
MIN_LOST_SLOT = 15
# A range whose period label the reading glued on ("P108:45-09:45": P1, 08:45-09:45;
# "Period209:25-10:20": Period 2; a key's "| 108:50-09:40": period 1); the label ends in a
# letter and a digit, or is one digit standing alone, and the hour has two.
_LABEL_GLUED = re.compile(r"(?:(?<=[A-Z]\d)|(?<=^\d)|(?<=[\s|;,·]\d))"
                          r"(?P<sh>[01]\d|2[0-3])[:.](?P<sm>[0-5]\d)" + _SEP
                          + r"(?P<eh>[012]?\d)[:.](?P<em>[0-5]\d)(?![\d])", re.IGNORECASE)
# ... also before a one-digit hour ("P18:45-9:45": P1, 8:45-9:45), the label a capital and a
# digit: read as 18:45 the range would run backwards.
_LABEL_GLUED_SHORT = re.compile(r"(?<=[A-Z]\d)(?P<sh>[1-9])[:.](?P<sm>[0-5]\d)" + _SEP
                                + r"(?P<eh>[012]?\d)[:.](?P<em>[0-5]\d)(?![\d])")
# ... and a lone start with its label glued on ("P29:25" is P2 at 9:25, "P310:45" P3 at
# 10:45): the label is a capital and one digit opening the text, the clock a real one
# written with a colon ("B12.07", "Room A112:30" are rooms).
_LABEL_GLUED_START = re.compile(r"(?<=^[A-Z]\d)(?P<sh>1\d|2[0-3]|\d):(?P<sm>[0-5]\d)"
                                r"(?![\d:.])")
# A range one of whose times was read with a dash for its colon ("2-15-3:15", "2:15-3-15"):
# the other time says how the page writes its minutes. Put right before parsing (same length,
# so every span still points into the text as read).
_DASHED_START = re.compile(_NOT_IN_NUMBER + r"(\d{1,2})-([0-5]\d)(?=\s*[-–]\s*\d{1,2}[:.][0-5]\d)")
_DASHED_END = re.compile(_NOT_IN_NUMBER
                         + r"(\d{1,2}[:.][0-5]\d\s*[-–]\s*\d{1,2})-([0-5]\d)(?![\d])")
# A "1" read as a letter "l" or "I" after another digit of an hour ("10-1lam", "1l:30"):
# put right before parsing (same length).
_ONE_AS_L = re.compile(r"(?<=\d)[lI](?=\d|[:.]\d|\s?[ap]\.?m\b)", re.IGNORECASE)
# A minute's last zero read as a letter "O" ("3.15-4.3Opm", "10:0O"), in a face whose zero is
# round: put right before parsing (same length).
_ZERO_AS_O = re.compile(r"(?<=\d[:.][0-5])[oO](?=\s?[ap]\.?m\b|\s*[-–)]|\s|$)", re.IGNORECASE)
# ... and a minute's "1" read as a "7" ("12:10-1:70"): no minute is 70 or more, and the two
# strokes are the recogniser's likeliest confusion. Put right before parsing (same length).
_ONE_AS_SEVEN = re.compile(r"(?<=\d[:.])7(?=\d(?!\d))")
# ... and its dash read as a colon ("11:00:12:00"): no page prints two clock times glued by a
# colon but a range.
_COLON_DASH = re.compile(_NOT_IN_NUMBER + r"([012]?\d[:.][0-5]\d):([012]?\d[:.][0-5]\d)(?![\d:.])")
# ... and a handwritten minute read in two with a space ("10:2 0-10:35"): the space goes after
# the minute.
_SPLIT_MINUTE = re.compile(_NOT_IN_NUMBER + r"(\d{1,2}[:.][0-5]) (\d)(?![\d:.])")
# A numbered list's number glued to the range that opens its line ("1.0850-0950 Geography",
# "3.11:10-12:10"): the number's stop is a space, not a decimal point.
_LIST_NUMBER = re.compile(r"^(\s*\d{1,2})\.(?=\d{1,2}[:.]?\d{2}\s*[-–]\s*\d)")


@dataclass(frozen=True)
class TimeSpan:
    """A parsed time or time range in minutes after midnight; `end` is None for a single time.
    `start`/`end` cover text[span[0]:span[1]]."""

    start: int
    end: int | None
    span: tuple[int, int]

    @property
    def values(self) -> list[int]:
        """The times written, in order: the start, and the end when there is one."""
        return [self.start] if self.end is None else [self.start, self.end]


def from_hhmm(value: str | None) -> int | None:
    """A contract time ("13:05") in minutes after midnight; None stays None."""
    if value is None:
        return None
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def to_hhmm(minutes: int) -> str:
    minutes = max(0, min(minutes, 23 * 60 + 59))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hour24(hour: int, ampm: str | None) -> int | None:
    if hour > 23:
        return None
    if ampm:
        if hour > 12 or hour == 0:
            return None
        is_pm = ampm.lower().startswith(("p", "n"))  # "12 noon" is pm
        return hour % 12 + (12 if is_pm else 0)
    if hour >= 13:
        return hour  # already 24-hour
    if 1 <= hour <= 6:
        return hour + 12  # school-hours rule
    return hour


def _clock(match: re.Match[str], prefix: str, ampm_default: str | None) -> int | None:
    hour = int(match.group(f"{prefix}h"))
    minute = int(match.group(f"{prefix}m") or 0)
    ampm = match.group(f"{prefix}ap")
    hour24 = _hour24(hour, (ampm or ampm_default))
    return None if hour24 is None else hour24 * 60 + minute


def _ruling_read_as_one(match: re.Match[str], end: int) -> int | None:
    """The start of an evening range that runs backwards ("19:00-9:40": a cell's left rule
    read as a "1" before "9:00") without that "1", when that leaves a morning slot of at most
    four hours before `end`; None otherwise."""
    hour = match.group("sh")
    if match.group("sap") or len(hour) != 2 or hour[0] != "1" or hour[1] not in "789":
        return None
    start = int(hour[1]) * 60 + int(match.group("sm") or 0)
    return start if start < end <= start + 4 * 60 else None


def _is_real_clock(match: re.Match[str], prefix: str) -> bool:
    """A bare number ("2", "Station 2") is not a time; "2pm" or "2:30" is. A bare hour whose
    capital "AM" runs on into a word in small letters is a form's code and its subject read
    glued ("7AMu": 7A's Music), not 7 am."""
    if match.group(f"{prefix}m"):
        return True
    meridiem = match.group(f"{prefix}ap")
    if not meridiem:
        return False
    end = match.end(f"{prefix}ap")
    return not (meridiem.isupper() and match.string[end:end + 1].islower())


def _room_number(match: re.Match[str]) -> bool:
    """A lone "hour.minutes" beside words that no clock shows a lesson at (minutes off the
    five-minute marks, or hour 0), no am/pm: a room ("MVB 2.11", "Queens 0.18")."""
    minutes = match.group("sm")
    return ("." in match.group(0) and not match.group("sap") and minutes is not None
            and (int(minutes) % 5 != 0 or int(match.group("sh")) == 0))


def find_times(text: str) -> list[TimeSpan]:
    """Every time range or single clock time in `text`, left to right."""
    return list(_times_in(text))


# A page's stages ask for the times of each of its lines a dozen times over: each text is
# parsed once (the spans are frozen, so every caller may hold the same ones).
@functools.lru_cache(maxsize=8192)
def _times_in(text: str) -> tuple[TimeSpan, ...]:
    text = _ONE_AS_SEVEN.sub("1", _ZERO_AS_O.sub("0", _ONE_AS_L.sub("1", text)))
    text = _DASHED_END.sub(r"\1:\2", _DASHED_START.sub(r"\1:\2", text))
    text = _SPLIT_MINUTE.sub(r"\1\2 ", _COLON_DASH.sub(r"\1-\2", text))
    text = _LIST_NUMBER.sub(r"\1 ", text)
    found: list[TimeSpan] = []
    taken: list[tuple[int, int]] = []
    # Ranges written without a dash between clock times, or with one colon lost: taken only
    # as one slot's length.
    for pattern, hour in ((_FOUR_DIGIT_RANGE, int),
                          *((glued, lambda h: _hour24(int(h), None) or 0)
                            for glued in (_GLUED_RANGE, *_COLON_LOST, _LABEL_GLUED,
                                          _LABEL_GLUED_SHORT))):
        for match in pattern.finditer(text):
            start, end = (hour(match.group(f"{p}h")) * 60 + int(match.group(f"{p}m"))
                          for p in "se")
            # A slot of minutes, not one: "2025-2026" is an academic year, not 20:25-20:26.
            if start + MIN_SLOT <= end <= start + 4 * 60:
                found.append(TimeSpan(start, end, match.span()))
                taken.append(match.span())
    for match in _SEPARATORS_LOST.finditer(text):
        start, end = ((_hour24(int(match.group(f"{p}h")), None) or 0) * 60
                      + int(match.group(f"{p}m")) for p in "se")
        if (MIN_LOST_SLOT <= end - start <= 4 * 60 and start % 5 == 0 == end % 5
                and not any(a < match.end() and match.start() < b for a, b in taken)):
            found.append(TimeSpan(start, end, match.span()))
            taken.append(match.span())
    for match in _RANGE.finditer(text):
        if not (_is_real_clock(match, "s") or _is_real_clock(match, "e")):
            continue
        end_ampm = match.group("eap")
        end = _clock(match, "e", None)
        start = _clock(match, "s", None)
        if end is None or start is None:
            continue
        # "11 – 1pm": the am/pm written once belongs to the end; "1.15 – 2pm": both pm.
        if end_ampm and not match.group("sap"):
            start_pm = _clock(match, "s", end_ampm)
            if start_pm is not None and start_pm < end and end - start_pm <= end - start:
                start = start_pm
        if end <= start and (ruled := _ruling_read_as_one(match, end)) is not None:
            start = ruled
        if end <= start and end + 12 * 60 < 24 * 60 and end + 12 * 60 > start:
            end += 12 * 60  # "11.30 - 12.15" is fine; "10 – 1" means 13:00
        found.append(TimeSpan(start, end, match.span()))
        taken.append(match.span())
    for match in _LABEL_GLUED_START.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            found.append(TimeSpan(_hour24(int(match.group("sh")), None) * 60
                                  + int(match.group("sm")), None, match.span()))
            taken.append(match.span())
    worded = bool(re.search(r"[A-Za-z]{2}", text))
    for match in _SINGLE.finditer(text):
        if not _is_real_clock(match, "s") or worded and _room_number(match):
            continue
        if any(a <= match.start() < b for a, b in taken):
            continue
        start = _clock(match, "s", None)
        if start is not None:
            found.append(TimeSpan(start, None, match.span()))
    found.sort(key=lambda span: span.span)
    return tuple(_dash_lost(text, found))


# Two clock times a dash stood between, the reading keeping its room as spaces ("08:55  09:55").
_ROOM_OF_A_DASH = re.compile(r"\s{2,3}")


def _dash_lost(text: str, found: list[TimeSpan]) -> list[TimeSpan]:
    """`found` with two lone clock times made one range where only two or three spaces (a
    dash's room) stand between them and the second is later by a school slot at most."""
    if len(found) != 2 or found[0].end is not None or found[1].end is not None:
        return found
    (first, second), between = found, text[found[0].span[0]:found[1].span[0]]
    head = text[first.span[0]:first.span[1]].rstrip()
    gap = between[len(head):]
    if (not _ROOM_OF_A_DASH.fullmatch(gap) or ":" not in head
            or not first.start < second.start <= first.start + 4 * 60):
        return found
    return [TimeSpan(first.start, second.start, (first.span[0], second.span[1]))]


# A day's own range inside a line printed for the whole week: "13:10 – 13:55 (Wed 12:50 –
# 13:35)", "Lunch 12:30-1:15, Fri: 12:00-12:45": the day's name (3 letters or more) right
# before the range.
_DAY_BEFORE = re.compile(r"([A-Za-z]{3,9})\.?\s*:?\s*$")


def day_ranges(text: str) -> tuple[TimeSpan, dict[str, TimeSpan]] | None:
    """The week's range and each named day's own, in a line that prints both; None when it
    prints no day's own range, or not exactly one range for the rest of the week."""
    week, own = [], {}
    for found in find_times(text):
        if found.end is None:
            continue
        named = _DAY_BEFORE.search(text[max(0, found.span[0] - 12):found.span[0]])
        day = parse_day(named.group(1)) if named else None
        if day is None:
            week.append(found)
        else:
            own[day] = found
    return (week[0], own) if own and len(week) == 1 else None


_DAY_LEFT = re.compile(r"[\s,;·|(\[–-]*\b([A-Za-z]{3,9})\.?\s*:?\s*[)\]]?[\s·|,;–-]*$")


def without_day_words(name: str) -> str:
    """A name whose days' own ranges were taken out (`day_ranges`) without the days' names
    left at its end: "LUNCH · Dining Hall · (Wed )" → "LUNCH · Dining Hall"."""
    while (left := _DAY_LEFT.search(name)) and parse_day(left.group(1)):
        name = name[:left.start()]
    return name.rstrip(" ·|,;–-")


def strip_times(text: str) -> str:
    """`text` with every time removed (a time printed in a cell is not part of the name)."""
    spans = [t.span for t in find_times(text)]
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + " " + text[b:]
    return re.sub(r"\s+", " ", text).strip(" -–—:,·|")


def prints_a_range(text: str) -> bool:
    """The text prints a whole time range (a start and an end), not a lone time."""
    return any(span.end is not None for span in find_times(text))


def holds_a_name(text: str) -> bool:
    """A word of three letters besides the text's times: a name, not a time label."""
    return bool(re.search(r"[A-Za-z]{3}", strip_times(text)))


# Words a time-only line may hold besides its times: a meridiem read apart, noon, and an
# open end ("2.10 pm onwards", "from 3:30").
_TIME_WORDS = {"am", "pm", "noon", "midday", "onwards", "onward", "from"}


def is_time_text(text: str) -> bool:
    """True when `text` is essentially only a time or time range (a header, not an event)."""
    times = find_times(text)
    if not times:
        return False
    rest = strip_times(text)
    # A digit left over is a time misread ("1:45pm-2:80pm"), not a time-only line.
    return len(re.sub(r"[^A-Za-z]", "", rest)) <= 1 or not re.search(r"\d", rest) and all(
        word in _TIME_WORDS for word in re.findall(r"[a-z]+", rest.lower()))


# --- days ---------------------------------------------------------------------------------------

_DAY_FORMS: dict[str, str] = {}
for _day in DAYS:
    low = _day.lower()
    for n in range(2, len(low) + 1):
        _DAY_FORMS.setdefault(low[:n], _day)
_DAY_FORMS.update({"weds": "Wednesday", "thur": "Thursday", "thurs": "Thursday", "tues": "Tuesday"})
# Two-letter prefixes shared by two days are ambiguous; single letters only in a full sequence.
for _ambiguous in ("t", "s"):
    _DAY_FORMS.pop(_ambiguous, None)
# A run-together title's pieces are English alone: other languages' short forms would split
# English words into "days".
_ENGLISH_FORMS = dict(_DAY_FORMS)
# Other languages' names come to English ("Dienstag", "Mardi", "Dé Máirt" are Tuesday).
_DAY_FORMS.update(foreign_forms(_DAY_FORMS) | TWO_LETTER)
_TWO_LETTER = {"mo", "tu", "we", "th", "fr", "sa", "su", *TWO_LETTER}
# The spellings a misread name is measured against, and their days: not a name of four
# letters, which a person's one letter longer reads too near ("Ahmad", Malay's "Ahad").
_FULL_NAMES = [(day.lower(), day) for day in DAYS] + [
    (spelling, day) for _, names in FULL_NAMES.values()
    for day, spellings in zip(DAYS, names, strict=True) for spelling in spellings
    if len(spelling) > 4]
_SPELLINGS = [spelling for spelling, _ in _FULL_NAMES]
FOREIGN_MISREAD = 85  # the similarity a misread non-English name needs (English: 80)
_SINGLE_LETTERS = {"m": "Monday", "w": "Wednesday", "f": "Friday"}


_ORDINAL = re.compile(r"\d+\s*(?:st|nd|rd|th)\b")
_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*")
# A day header dated by a calendar, a portal or an agenda: "Mon 31 Mar", "Tue1Apr",
# "Tuesday 14th April", "Wed, 2 April 2025", "Fri 4/4", "Thu 03.04.25". A number alone
# after the day is no date ("Monday 3" may be a period or a week).
_DATED = re.compile(
    rf"^\s*(?P<day>[a-z]+)\.?,?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\s*{_MONTH}\.?(?:,?\s*\d{{2,4}})?"
    rf"|{_MONTH}\.?\s*\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s*\d{{2,4}})?"
    r"|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?)\s*$", re.IGNORECASE)

# ... or by its place in a rotation: "Monday A Day", "Tue – Day 2", "Wed (Week B)".
_ROTATION = re.compile(r"^\s*(?P<day>[a-z]+)\.?,?\s*[-–—(]?\s*"
                       r"(?:[A-H1-9]\s?day|day\s?(?:[A-H]|\d{1,2})|week\s?[AB12])\s*\)?\s*$",
                       re.IGNORECASE)
# A date ("10 Mar", "Mar 10th"): a calendar's line under its day header, no day itself,
# though Spanish abbreviates Tuesday "Mar".
_A_DATE = re.compile(rf"\d{{1,2}}(?:st|nd|rd|th)?\s*{_MONTH}\b\.?|\b{_MONTH}\.?\s*\d{{1,2}}"
                     r"(?:st|nd|rd|th)?\b", re.IGNORECASE)


def is_day_heading(text: str) -> bool:
    """A day's name alone, or with its date ("Tue", "Monday 20 April", "Wed 4/3"): a heading,
    where "Fun Friday" is an event."""
    text = text.strip(" .:,")
    return parse_day(text) is not None and (len(text.split()) == 1
                                            or _DATED.match(text) is not None)


def parse_day(text: str) -> str | None:
    """The day a header cell names, tolerating OCR noise and abbreviations; None otherwise.
    An ordinal is no day: the "th" of a "4th" period is not Thursday's "Th". A date after
    the day is the day's ("Mon 31 Mar"), and so is its place in a rotation ("Monday A Day")."""
    if _A_DATE.fullmatch(text.strip()):
        return None
    if (dated := _DATED.match(text) or _ROTATION.match(text)) and len(dated["day"]) >= 2:
        text = dated["day"]
    word = re.sub(r"[^a-z]", "", _ORDINAL.sub(" ", plain(text)))
    if not word or len(word) > 12:
        return None
    if word in TWO_LETTER and text.strip(" .").isupper():
        return None  # "DO", "MI" in capitals are a teacher's initials; Untis prints "Do", "Mi"
    if word in _DAY_FORMS and (len(word) >= 3 or word in _TWO_LETTER):
        return _DAY_FORMS[word]
    if word in _SINGLE_LETTERS:
        # "M", "W" alone name days; "M4", "S2" are rooms.
        return None if re.search(r"\d", text) else _SINGLE_LETTERS[word]
    if len(text.split()) >= 3 and all(len(token) == 1 for token in text.split()):
        return _day_from_letters(word)
    if len(word) < 5:
        return None
    # Every line of a page asks: the spellings are searched in one call (the first of the best
    # wins, as `max` would pick it).
    found = process.extractOne(word, _SPELLINGS, scorer=fuzz.ratio, score_cutoff=80)
    # Another language's name misread by a letter only where it is long: a five-letter word
    # one letter off "mardi" is as likely a word of the cell ("Maori" of "Te Reo Maori").
    if not found or found[2] >= len(DAYS) and found[1] < FOREIGN_MISREAD:
        return None
    return _FULL_NAMES[found[2]][1]


def _is_subsequence(letters: str, word: str) -> bool:
    remaining = iter(word)
    return all(letter in remaining for letter in letters)


def _day_from_letters(letters: str) -> str | None:
    """A day written letter by letter down a cell, of which OCR caught only some letters:
    the one day that starts with the first letter and holds the rest in order."""
    candidates = [
        day for day in DAYS
        if day[0].lower() == letters[0] and _is_subsequence(letters, day.lower())
        and len(letters) * 2 >= len(day)
    ]
    return candidates[0] if len(candidates) == 1 else None


def _day_piece(piece: str) -> tuple[str, int] | None:
    """The day a piece of a run-together word is, and how many letters it is off: a short
    form of three letters or more (off by none), or a near spelling of five or more."""
    if len(piece) >= 3 and piece in _ENGLISH_FORMS:
        return _ENGLISH_FORMS[piece], 0
    if len(piece) < 5:
        return None
    best = max(DAYS, key=lambda d: fuzz.ratio(piece, d.lower()))
    if fuzz.ratio(piece, best.lower()) < 80:
        return None
    return best, Indel.distance(piece, best.lower())


def run_together_days(word: str) -> list[tuple[str, int, int]]:
    """The days of a word that is nothing but day names run together, as OCR reads a title
    whose spaces it lost ("MondayTudayThurdy"), each with its letters' span in the word: the
    split whose pieces are the fewest letters off their days; [] when some letters belong to
    no day (an event name that merely starts with one)."""
    word = word.lower()
    # best[i]: (letters off, pieces) of the best split of word[:i] into day pieces, if any.
    best: list[tuple[int, list[tuple[str, int, int]]] | None] = [(0, [])] + [None] * len(word)
    for end in range(3, len(word) + 1):
        for start in range(max(0, end - 12), end - 2):
            head, piece = best[start], _day_piece(word[start:end])
            if head is None or piece is None:
                continue
            split = (head[0] + piece[1], [*head[1], (piece[0], start, end)])
            if best[end] is None or (split[0], len(split[1])) < (best[end][0], len(best[end][1])):
                best[end] = split
    pieces = best[-1][1] if best[-1] else []
    return pieces if len(pieces) >= 2 else []


# A registrar's day codes in a course list's Days column ("MWF", "TTh", "TR", "Tu/Th", "MTWRF"):
# one capital letter a day, R or Th for Thursday. Read only where a column says it holds days.
_DAY_CODE = {"M": "Monday", "T": "Tuesday", "Tu": "Tuesday", "W": "Wednesday", "R": "Thursday",
             "Th": "Thursday", "F": "Friday", "S": "Saturday", "Sa": "Saturday", "Su": "Sunday",
             "U": "Sunday"}
_DAY_CODES = re.compile(r"Th|Tu|Sa|Su|[MTWRFSU]")


def parse_day_codes(text: str) -> list[str]:
    """The days a string of day codes names, in week order; [] unless the whole text is such
    codes, each day once and in order (a teacher's initials "TM" name no days)."""
    compact = re.sub(r"[\s/,&·]+", "", text)
    codes = _DAY_CODES.findall(compact)
    if not compact or "".join(codes) != compact:
        return []
    days = [_DAY_CODE[code] for code in codes]
    order = [DAYS.index(day) for day in days]
    return days if order == sorted(set(order)) else []


def parse_day_list(text: str) -> list[str]:
    """Days named in a title: "Monday, Tuesday, Thursday", "Mon – Fri", "Wednesday", and
    "MondayTuesdayThursday" when the OCR lost the spaces."""
    return list(_days_in(text))


@functools.lru_cache(maxsize=8192)  # asked of each line several times, as `_times_in`
def _days_in(text: str) -> tuple[str, ...]:
    words = [w.lower() if w.lower() == "to" else w
             for w in re.findall(r"[A-Za-z]+|[-–—]", _A_DATE.sub(" ", text))]
    days: list[str] = []
    range_pending = False
    for word in words:
        if word in {"-", "–", "—", "to"}:
            range_pending = bool(days)
            continue
        day = parse_day(word) if len(word) >= 3 else None
        if day is None:
            days.extend(d for d, _, _ in run_together_days(word) if d not in days)
            range_pending = False
            continue
        if range_pending and days:
            a, b = DAYS.index(days[-1]), DAYS.index(day)
            days.extend(DAYS[i] for i in range(a + 1, b + 1) if a < b)
        elif day not in days:
            days.append(day)
        range_pending = False
    return tuple(days)
