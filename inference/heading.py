"""Heading text → teacher, class name, term and year.

Teachers label these many ways ("Class: 2EJ", "Teacher: Miss Joynes", "Mrs Patel's Year 4
timetable — Spring 1, 2025", "Oak Class 2023-24", "IB MYP4", "ODD SEMESTER"); labelled values
win over patterns found in free text. `plausible` tells whether a line can hold a field at all,
for a caller that guesses which line does.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from inference.reading import reading_order
from inference.schema import Box, OcrLine

_LABELS = (r"(?:teacher|class|term|year|week|school|date|room|name|form(?:\s+tutor)?|tutor|faculty"
           r"|home\s?group|code|staff\s?code|dept|department|subject"
           r"|tutor\s?group|homeroom|group|std|standard)")
# What a class is labelled by: "Class: 2EJ", "Form: 8JH", "Home group: 9 Blue", "Homeroom 12",
# "Class Timetable: BSCS-5A", a college's "Group: CS2-B" (not a "Year Group: 7"), an Indian
# school's "Std: IX-B".
_CLASS_LABEL = (r"(?:class|form|home\s?group|tutor\s?group|homeroom|(?<!year )group|std|standard)"
                r"(?:\s+(?:time-?table|schedule))?")
_TITLE = r"(?:Mr|Mrs|Miss|Ms|Mx|Dr|Prof|Mme|Sr|Sra|MR|MRS|MISS)"
# OCR drops the space after a title ("MrLewis"): the name is found without it and written
# back with it (`_spaced_title`). Initials may come before the surname ("Mr A. Kowalski",
# undotted "Mr J Hargreaves"), and after dotted ones a surname OCR read in lower case is one
# still ("Mrs A. whitfield"). An Irish surname's particle stands apart ("Mr P. Ó Súilleabháin",
# read "O Suilleabhain"). A word before a colon is the next field's label ("Mrs Smith Code:
# SMI").
# So do a Dutch, Afrikaans, French or German surname's particles ("Ms L. van der Merwe",
# "Mr P. de Villiers"), and a second title in brackets stays with the first ("Dr (Mrs) F.
# Adeyemi").
_LOWER_PARTICLES = ("van", "von", "de", "der", "den", "du", "da", "di", "le", "la", "ter", "ten")
_SURNAME_PARTICLES = rf"(?:(?:{'|'.join(_LOWER_PARTICLES)})\s+){{1,3}}"
_TITLED_NAME = (rf"\b{_TITLE}\.?(?:\s*\({_TITLE}\.?\))?\s*"
                r"(?:(?:[A-Z](?:\.\s*|[ \t]+(?=[A-ZÀ-Þ]))){0,2}"
                rf"(?:(?:[OÓ]|N[ií]|Nic|Mac|Ua)\s|{_SURNAME_PARTICLES})?"
                r"[A-ZÀ-Þ](?:[^\W\d_]|['’-])+"
                r"|(?:[A-Z]\.\s*){1,2}[a-z][a-z'’-]{2,})"
                r"(?:[ -][A-ZÀ-Þ](?:[^\W\d_]|['’-])+(?![^\W\d_]|\s*:))?")
_SEASONS = ("Autumn", "Spring", "Summer", "Fall", "Winter")
_SEASON = rf"({'|'.join(_SEASONS)})"


# A year in running text, also where OCR glued it to a word ("JULY2025"), not inside a number.
_YEAR = r"(?<!\d)(20\d{2})(?!\d)"
# A class named by its programme and grade ("IB MYP4", "DP 1", "Grade 5") or a college
# section code ("SP25-BSE-A": intake, programme, section; "BSCS-5A": programme, semester,
# section).
_PROGRAMME_CLASS = (r"\b(?:IB\s*)?(?:MYP|PYP|DP)\s*\d\b|\bGrade\s*\d{1,2}[A-Z]?\b"
                    r"|\b[A-Z]{2}\d{2}-[A-Z]{2,5}(?:-[A-Z0-9]{1,3})?\b|\b[A-Z]{2,5}-\d{1,2}[A-Z]\b")
# A college class: its year (a Roman numeral, which OCR may glue on: "IBCA", or "Year 2"), its
# degree ("B.Sc", "BCA", "M.Sc", "B.Com", an engineering year "T.E.") and its branch and
# section, up to where a term, the title, a session or a room begins: "II B.Sc Computer
# Science 'B' SECTION", "I M.Sc Physics", "T.E. Computer Engineering (Div B)-Sem V".
_DEGREE = (r"(?:[BM]\.\s?(?i:sc|com|tech|e|a|ed|pharm|arch|voc|phil)\.?|[FSTB]\.E\.?"
           r"|BCA|MCA|BBA|MBA|B\.?(?i:sc|com|tech)|M\.?(?i:sc|com|tech))")
_COLLEGE_CLASS = re.compile(
    rf"(?<![A-Za-z])(?:(I{{1,3}}|IV|Year\s?\d|\d(?:st|nd|rd|th)\s+Year)\s?)?"
    rf"({_DEGREE}(?:(?<=\.)|(?![A-Za-z]))[^\n]*?)"
    r"(?=\s*(?:[|·•]|[-–—]\s*(?i:(?:odd|even)\s*)?(?i:sem|tri|term|quarter)"
    rf"|[-–—]\s*(?i:{'|'.join(_SEASONS)})\b|(?i:\b(?:odd|even)\s*sem)"
    r"|[-–—]\s*(?i:(?:class\s+)?time\s?table)"
    r"|(?i:\bsem(?:ester)?\b|\btime\s?table|\bclass\s*r[o0]{2}m|\broom\b)|\b20\d\d|$))",
    re.MULTILINE)
# A year or an academic year alone ("2025", "2024-2025", "Academic Year 2025/26", "Session:
# 2025-26") names no class.
_ACADEMIC_YEAR = re.compile(r"(?:(?:(?:academic|school)\s+)?(?:year|session)\s*:?\s*)?"
                            r"20\d\d(?:\s*[-–/]\s*(?:20)?\d\d)?", re.IGNORECASE)
# A year group, the class's name when nothing names it better: "Year 4" (also glued, "Year4-"),
# "Reception", "Kindergarten", "3rd Grade" (also after a possessive OCR glued on: "Dawson's2nd").
_YEAR_GROUP = (r"(?:\b|(?<=['’]s))(?:(?:Year|YEAR|year)\s*\d{1,2}(?!\d)"
               r"|\d(?:st|nd|rd|th|ST|ND|RD|TH)\s+(?:Grade|GRADE)\b)"
               r"|\b(?:Reception|RECEPTION|Kindergarten|KINDERGARTEN)\b")
_INSTITUTION = re.compile(r"department|university|college|school|institute|academy|faculty",
                          re.IGNORECASE)
_TERM_WORD = re.compile(r"term|sem|autumn|spring|summer|fall|winter|quarter|trimester",
                        re.IGNORECASE)
_DATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b.*\d"
                   r"|\d.*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
                   re.IGNORECASE)

# A form's class code standing alone on a heading line ("9WOD", "2EJ", "10X1"); not an ordinal
# or a clock hour ("1ST", "9AM").
_CLASS_CODE = r"^(?!\d+(?:ST|ND|RD|TH|AM|PM)$)\d{1,2}[A-Z]{1,4}\d?$"
# A form's code as one part of a title the heading separates with dashes or dots ("Mr Patel –
# 8B Timetable – Spring 2025", "Ms Kowalski · 10X2 · Autumn 1"; a hyphen the reading glued to
# the words: "MyTimetable-9G-Term2"), alone or before a word that says what it is ("4K Weekly
# Timetable"); not a printout's page count ("1 of 1" read "1of1").
_SEP_CLASS = (r"(?:^|[–—·|•]|\s-\s|(?<=[a-z])-)\s*(?!\d+(?:ST|ND|RD|TH|AM|PM)\b|\d+OF\d)"
              r"(\d{1,2}[A-Z]{1,4}\d?)"
              r"(?=\s*(?:$|[–—·|•]|\s-\s|-(?=[A-Z]))"
              r"|\s+(?:(?:weekly|daily)\s+)?(?:timetable|homeroom|class|form|schedule)\b)")
# A semester numbered like a class ("Semester: IV", "Sem - 3"): in college timetables the
# semester names the class; a season ("Semester: Fall 2025") is a term instead.
_NUMBERED_SEMESTER = r"\bsem(?:ester)?\s*[:\-–]\s*([IVX]{1,4}|\d{1,2})\b"
# A label with no value on its line: a form-style heading prints the value under it.
_LABEL_ALONE = re.compile(rf"^\s*(?:{_LABELS}|semester|section)\s*:?\s*$", re.IGNORECASE)

# What a heading separates its parts with, stripped from a field's value ("11R●").
_SEPARATORS = " ,;|-–·•●"
# Someone a class's heading names in a role other than its teacher's, the label right before
# the name on its line: a college class's advisor or co-ordinator, a student's counsellor.
_OTHER_ROLE = re.compile(r"(?:advis[eo]r|co-?ordinator|in-?charge|mentor|counsell?or|principal"
                         r"|dean|director)\s*[:\-–—]?\s*(?:[A-Z][A-Za-z]{0,4}\.\s*)*$",
                         re.IGNORECASE)
# Words that follow a teacher's name in a title but are not part of it.
_AFTER_NAME = {"year", "class", "timetable", "term", "week", "weekly", "schedule", "grade",
               "room"}
# A year group's class named after it: "Year 1 Robins", "Grade 8 Blue - Class Timetable" (also
# glued, "Year 1Robins"). Not a subject ("Year 9 Maths", "Grade 10 Physics") or a title's word.
_CLASS_AFTER_GROUP = re.compile(rf"\s*([A-Z][a-z]{{2,}}(?=\s*(?:$|[-–—·|•★*,]|Class\b"
                                rf"|Timetable\b|Term\b|{_SEASON}|20\d\d))"
                                # ... or its section's letter ("Kindergarten A |"; an "I" is a
                                # "|" misread)
                                r"|[A-HJ-Z](?=\s*(?:$|[-–—·|•★*,])))", re.MULTILINE)
_NOT_A_CLASS_AFTER_GROUP = {
    "timetable", "class", "schedule", "term", "week", "teacher", "homeroom", "tutor", "form",
    "group", "maths", "math", "english", "science", "history", "geography", "music", "art",
    "french", "spanish", "german", "computing", "drama", "languages", "humanities", "options",
    "sets", "timetables", "lessons", "subjects", "weekly", *(season.lower() for season in _SEASONS)}
# ("2nd Grade Class Schedule": the class is the year group, "2nd Grade", not "Grade Class".)
_NOT_CLASS_NAMES = {"daily", "the", "my", "our", "weekly", "mr", "mrs", "miss", "ms", "mx", "dr",
                    "grade", "year"}


def _spaced_title(name: str) -> str:
    """"MrLewis" → "Mr Lewis", "Dr.Okafor" → "Dr. Okafor", and an initial glued to the
    surname after it ("Mrs LPatel", "Mr TO'Brien": two capitals never begin a surname, an
    "O'" aside); a spaced name stays as written."""
    name = re.sub(rf"^({_TITLE})(\.?)(?=[A-Z])", r"\1\2 ", name)
    return re.sub(rf"^({_TITLE}\.? )([A-Z])(?=[A-Z][a-z]|O['’][A-Z])", r"\1\2 ", name)


def _class_value(value: str) -> str:
    """A labelled class's whole value ("IV CSE 'C'", "Year 9 - 9B"), up to where another field
    starts in running text: a titled name, a term (also an odd or even semester, however
    broken: "EvenS mester"), a session or a year ("2EJ Miss Joynes" →
    "2EJ", "SS2 Science B-Ms Adeyemi" → "SS2 Science B", "XI-B Session 2024-25" → "XI-B"),
    a field separator ("CS2-B | Semester 1", "8R2 · Tutor", a wide space, a double dash),
    another field's label ("9C Tutor: Mr Shah") or the year group after a form's code ("10B
    Year 10" → "10B")."""
    cut = re.search(rf"\s*[|·•]|\s{{2,}}|\s[-–—]{{2,}}|\s{_LABELS}\s*:|[-–—]\s*{_TITLE}\.?\s"
                    rf"|\s(?:{_TITLE}\b|{_SEASON}"
                    rf"|term(?:\b|(?=\d))|session\b|semester\b|(?:odd|even)\s*s|class\s+teacher\b"
                    rf"|20\d\d\b)|(?<=\d[A-Z])\s+year\s*\d{{1,2}}\b",
                    value, re.IGNORECASE)
    value = (value[:cut.start()] if cut else value).strip(_SEPARATORS)
    # A label the line repeats before the code: "CLASS SCHEDULE -- HOMEROOM 7B --".
    relabelled = re.fullmatch(rf"{_CLASS_LABEL}\s+(\d{{1,2}}[A-Z]{{1,4}}\d?)", value,
                              re.IGNORECASE)
    return relabelled.group(1) if relabelled else value


def _college_class(text: str) -> re.Match | None:
    """The heading's college class (`_COLLEGE_CLASS`): the first one named with its year ("I
    MCA 'A'"), else the first outside an institution's name ("Department of MCA" names the
    department, not the class)."""
    found = list(_COLLEGE_CLASS.finditer(text))
    lines = text.splitlines()

    def line_of(match: re.Match) -> str:
        return lines[text.count("\n", 0, match.start())]

    return (next((m for m in found if m.group(1)), None)
            or next((m for m in found if not _INSTITUTION.search(line_of(m))), None))


def _college(match: re.Match) -> str:
    """A college class (`_COLLEGE_CLASS`) spaced where OCR glued its year on ("IBCA" → "I
    BCA"), its quotes as typed."""
    value = " ".join(part for part in match.groups() if part).strip(_SEPARATORS)
    return value.translate({ord("‘"): "'", ord("’"): "'"})


def _teacher_value(value: str) -> str:
    """A labelled teacher's name, up to a field separator ("|", "·", "--", a dash between
    spaces, a "|" read as "I"), a room number ("Room 108"), another field's label in capitals
    ("Miss L. Thompson TA: Mrs Akhtar", also glued: "ThompsonTA:"; "PPA cover:"), a digit
    glued on (a "|" read as "1": "Carter1Autumn"), a bracket ("Mr J Hargreaves (JHA)": a
    staff code; not a second title, "Dr (Mrs) F. Adeyemi") or where a term or a year starts
    in running text ("Mrs Botha Term 3 2024" → "Mrs Botha"; a season is a term only with its
    number, its year or "term": "Mr Autumn Smith" is a name)."""
    cut = re.search(rf"\s*[|·•]|\s[-–—]{{2,}}|\s[-–—]\s|\s(?:{_SEASON}\s*(?:term\b|[1-6]\b|20\d\d)"
                    rf"|term\b|(?:tri)?semester\b|20\d\d\b)"
                    r"|(?-i:(?<=[a-z])\s*[A-Z]{2,4}(?:\s[a-z]{2,})?\s*:)|\sroom\s*\d"
                    rf"|(?<=[a-z])\d|\s*[(（](?!{_TITLE}\.?[)）])", value,
                    re.IGNORECASE)
    value = value[:cut.start()].strip(_SEPARATORS) if cut else value
    # A "|" between fields is often read as a lone "I", "l" or "1" ("Ms. Tremblay I Room 108",
    # "Mr O'Brien 1 Spring"); a name's own initial comes right after its title ("Ms I Patel"),
    # not after the surname, and is never a digit.
    words = value.split()
    bar = next((k for k, word in enumerate(words)
                if k >= 2 and word in ("I", "l") or k >= 1 and word == "1"), None)
    return " ".join(words[:bar]) if bar is not None else value


_INITIAL = re.compile(r"[A-Z]\.?")


# An Irish primary class, named by its ordinal: "4th Class".
_ORDINAL_CLASS = re.compile(r"[1-6](?:st|nd|rd|th)")
# A surname's particle, standing apart before it: "Mr P. Ó Súilleabháin", "Ms Ní Bhriain".
_PARTICLES = {"Ó", "O", "Ní", "Ni", "Nic", "Mac", "Ua", *_LOWER_PARTICLES}


def _trim_name(name: str) -> str:
    """"Mrs Patel's Year" → "Mrs Patel's" (also where OCR glued them: "Patel'sYear",
    "Hart'sclasstimetable"); "Mr Smith Timetable" → "Mr Smith", "Ms. Harris-Weekly Schedule"
    → "Ms. Harris"."""
    words = re.sub(rf"(['’]s)(?=[A-Z]|(?:{'|'.join(sorted(_AFTER_NAME))}))", r"\1 ", name)
    # ... also where OCR read the dash between them as a hyphen: "Harris-Weekly Schedule".
    words = re.sub(r"-(?=([A-Za-z]+)\b)",
                   lambda m: " " if m.group(1).lower() in _AFTER_NAME else "-", words).split()
    kept = words[:2]
    for word in words[2:]:
        if word.lower() in _AFTER_NAME or kept[-1].endswith(("'s", "’s")):
            break
        kept.append(word)
        if (_INITIAL.fullmatch(kept[-2]) and not _INITIAL.fullmatch(word)
                and word not in _PARTICLES):
            break  # "Mr A. Brennan Science": the surname follows the initials, then the name ends
    return " ".join(kept)


class Heading(BaseModel):
    teacher: str | None = None
    class_name: str | None = None
    term: str | None = None
    year: int | None = None


def _labelled_values(text: str, label: str) -> list[str]:
    """Each value after `label:` up to the next label (and a "|" before it read as "1", "I" or
    "l") or the end of the line, in reading order."""
    return [match.group(1).strip(" ,;|") for match in re.finditer(
        rf"\b{label}\s*[:\-–]\s*(.+?)(?=\s+(?:[1Il]\s+)?{_LABELS}\s*[:\-–]|\s*$|\n)", text,
        re.IGNORECASE | re.MULTILINE)]


def _labelled(text: str, label: str) -> str | None:
    """The first value after `label:` (`_labelled_values`)."""
    return next(iter(_labelled_values(text, label)), None)


# A word one letter off a season before a half's number ("Autumm 1", "Sprlng 2"): an OCR misread.
_SEASON_MISREAD = re.compile(r"\b([A-Za-z]{6})(?=\s*[1-6]\b)")


def _season_spelled(match: re.Match) -> str:
    word = match.group(1)
    near = [season for season in _SEASONS if len(season) == len(word)
            and sum(a != b for a, b in zip(word.lower(), season.lower(), strict=True)) == 1]
    return near[0] if len(near) == 1 else word


def _term(text: str) -> str | None:
    """The term as schools write it: a season with its half ("Autumn 2", "Spring", "Spring
    Term"; a year
    joined to it by a hyphen stays, "Fall-2024"), a numbered term ("Term 3"), or a semester
    ("ODD SEMESTER", "Even Sem 2020-21")."""
    text = _SEASON_MISREAD.sub(_season_spelled, text)
    labelled = _labelled(text, "term")
    term_text = labelled or text
    # "Term: Spring 1 Year: 2025": a half's number before the next label reads as a "|" read
    # as "1", which the label's value leaves out; after a bare season it is the half.
    if labelled and re.fullmatch(_SEASON, labelled, re.IGNORECASE) and (
            half := re.search(rf"{re.escape(labelled)}\s+([1-6])\s", text)):
        term_text = f"{labelled} {half.group(1)}"
    # The half may have the year glued on ("Summer12025").
    # OCR may glue the season to the words around it ("Room14Spring2026"); a word that only
    # begins with one ("Springfield") is none.
    match = re.search(rf"(?<![A-Za-z]){_SEASON}(?!(?-i:[a-z]))"
                      r"(?:\s*(?:term\s*)?([1-6]|[Il](?=\s+20\d\d\b|\s*$))(?:(?!\d)|(?=20\d\d(?!\d)))"
                      r"|(-20\d\d)\b|\s*(semester|term)(?=\b|\d))?", term_text, re.IGNORECASE)
    if match:
        season = match.group(1).capitalize()
        if match.group(2):  # a half's "1" read as an "I" ("Spring I 2025") is a 1
            return f"{season} {match.group(2).replace('I', '1').replace('l', '1')}"
        if match.group(4):  # "Fall Semester", "Spring Term": the word stays, as printed
            return f"{season} {match.group(4).capitalize()}"
        return season + (match.group(3) or "")
    # The terms of old schools and universities, named for their feasts: "Michaelmas Term",
    # "Lent Term", "Trinity Term" (with the word "Term": "Trinity" alone is a college).
    feast = re.search(r"\b(michaelmas|lent|hilary|easter|trinity)\s*term(?![a-z])", text,
                      re.IGNORECASE)
    if feast:
        return f"{feast.group(1).capitalize()} Term"
    # ... Michaelmas alone too ("Michaelmas 2024"): a feast no school, college or word shares.
    if alone := re.search(r"\bMichaelmas\b", text, re.IGNORECASE):
        return alone.group(0).capitalize()
    # "Term 3", "Quarter 2", "Trimester 1" (a year OCR glued on stays out: "Trimester12024"),
    # "Term I" (in Roman numerals, as printed).
    numbered = re.search(r"\b(term|quarter|trimester)\s*[:\-–]?\s*([1-6](?:(?=20\d\d)|\b)"
                         r"|(?-i:I{1,3}|IV|VI?)\b)", text, re.IGNORECASE)
    if numbered:
        return f"{numbered.group(1).capitalize()} {numbered.group(2)}"
    # "Semester 2, 2025" is a term (also glued: "Semester1AcademicYear", "Semester12023");
    # "Semester: IV" labels a college class (`_NUMBERED_SEMESTER`).
    semester = re.search(r"\bsemester\s*([1-8])(?:(?!\d)|(?=20\d\d(?!\d)))", text, re.IGNORECASE)
    if semester:
        return f"Semester {semester.group(1)}"
    # OCR drops the spaces of capitals ("ODDSEMESTER", "Sem2020-21"): the words are found
    # without them and written back with them.
    # ... or glue them to the word before ("CLASSTIME TABLEODD SEMESTER").
    # ... or read its O as a zero ("-0dd Semester").
    semester = re.search(r"(?<!\d)([o0]dd|even)\s*(sem(?:ester)?)(?![a-z])\.?\s*"
                         r"(20\d\d\s*[-–]\s*\d{2,4})?",
                         text, re.IGNORECASE)
    if not semester:
        return None
    parity = re.sub("^0", "O", semester.group(1))
    return " ".join(part for part in (parity, *semester.groups()[1:]) if part)


# A web address (a browser's address bar over a screenshot): "…/ms-rodriguez/class-schedule"
# names no field; a degree is no address ("II B.Com (CA)", "IIB.Com": a capital after the dot).
_WEB_ADDRESS = re.compile(r"\S*(?:https?://|www\.|\w{2}\.(?-i:com|org|net|edu|gov|io)\b)\S*",
                          re.IGNORECASE)


# A field's label or a term the reading glued to the word before it ("Mr HartSummer 1",
# "SchoolForm Tutor:"; after a class code, a term with its half or a labelled term: "Class:
# 4OSpring 2", "MYP4-BTerm: …"; a label with its colon after anything: "Rowan (Year 4)
# |Teacher:" read "Rowan（Year4)1Teacher:"; a pupil's "Ethan ParkGrade 7Trimester 1"; "Mr Paul
# OyelaranFaculty:HASSTerm 1 2025"): a space goes back in.
_GLUED_LABEL = re.compile(
    rf"(?<=[a-z])(?=(?:{'|'.join(_SEASONS)}|Term|Trimester|Semester|Form|Tutor|Teacher|Class"
    rf"|Grade|Room)\b)"
    rf"|(?<=[A-Z0-9])(?=(?:{'|'.join(_SEASONS)})\s*[1-6](?:\b|(?=20\d\d))|Term\s*(?::|[1-6]\b))"
    rf"|(?<=\d)(?=(?:Term|Trimester|Semester)\s*[1-6IV]\b)"
    rf"|(?<=[A-Za-z0-9)])(?=(?:Teacher|Tutor|Class|Form|Faculty|Department|Dept|Subject|School"
    rf"|Room)\s*:)")


def _named_after(text: str, end: int) -> str:
    """" Robins" where a year group ending at `end` goes on in its class's name, else ""."""
    named = _CLASS_AFTER_GROUP.match(text, end)
    if (not named or named.group(1).lower() in _NOT_A_CLASS_AFTER_GROUP
            or named.group(1).lower().endswith("ics")):  # Physics, Economics, Athletics
        return ""
    return f" {named.group(1)}"


def names_another_role(label: str) -> bool:
    """Whether a field's label ("Class Advisor:", "In-charge:") names someone other than the
    class's teacher."""
    return bool(_OTHER_ROLE.search(label))


def parse_heading(text: str) -> Heading:
    heading = Heading()
    text = _GLUED_LABEL.sub(" ", _WEB_ADDRESS.sub(" ", text))
    # "TIME TABLE", "Time-table": the one word the fields are found around.
    text = re.sub(r"\b(time)[ \t-](table)\b", r"\1\2", text, flags=re.IGNORECASE)
    # A year's zero read as a letter O ("Winter Term 2o26").
    text = re.sub(r"\b2[0oO][0-9oO]\d\b", lambda m: re.sub("[oO]", "0", m.group(0)), text)
    # A surname's capital O read as a zero after the title ("Mr D. 0kafor").
    text = re.sub(rf"(\b{_TITLE}\.?\s*(?:[A-Z]\.\s*){{0,2}})0(?=[a-z]{{2,}})", r"\1O", text)
    teacher = _labelled(text, "teacher")
    if teacher is not None:
        teacher = _teacher_value(teacher)
    else:
        match = next((m for m in re.finditer(_TITLED_NAME, text)
                      if not names_another_role(text[:m.start()].rsplit("\n", 1)[-1])), None)
        teacher = _trim_name(_spaced_title(re.sub(
            rf"(?<=[A-Z]\.)(\s*)(?!{_SURNAME_PARTICLES})([a-z])",
            lambda m: m.group(1) + m.group(2).upper(), match.group(0)))) if match else None
        # A term right after the name is none of it: "Miss L. Carter Spring 1".
        if match and re.match(r"\s*(?:[1-6]\b|20\d\d|term\b)", text[match.end():],
                              re.IGNORECASE):
            teacher = re.sub(rf"\s+{_SEASON}$", "", teacher, flags=re.IGNORECASE)
    # A separator OCR glued on ("Mr Patel-8B Timetable", "Mr D.Okafor-TeachingTimetable",
    # "Ms R.Fitzgerald-Staff Timetable", "Ms.Robinson-Grade6") and what follows it is no part
    # of the name; a double-barrelled name ("Smith-Jones") is.
    if teacher:
        teacher = re.sub(
            rf"[-–—](?=[^\n]*(?:timetable|schedule|teaching|staff\b|term|{_SEASON}"
            r"|(?:grade|class|year|form)$)).*$", "",
            teacher, flags=re.IGNORECASE)
    heading.teacher = (_spaced_title(re.sub(r"['’]s$", "", teacher.rstrip("-–—")).strip())
                       if teacher else None)

    # A term after a title's dash is no class: "CLASS TIMETABLE – TERM 2 2025" over "Class: 4
    # Integrity". Nor is a person: "Homeroom: Ms. Lindqvist" names the homeroom's teacher.
    class_name = next((value for value in _labelled_values(text, _CLASS_LABEL)
                       if not re.match(r"(?:term|semester|trimester)\b", value, re.IGNORECASE)
                       and not re.match(rf"{_TITLE}\b", value)), None)
    if re.search(r"\b[A-Z][a-z]+ Class[ \t]*[-–—]", text):
        class_name = None  # "Hedgehog Class – Our Week": a named class, then a title's dash
    if class_name:
        # Spaced as printed where OCR glued it: "Year4P", "Year 6Willow", "IIB.Com'A'"
        # (`_college`).
        # A class named, then its year group in brackets: "Ladybirds (Year 1)" is Ladybirds.
        class_name = re.sub(r"(?<=[a-z])\s*[(（]\s*(?:Year|Yr)\s*\d{1,2}\s*[)）].*$", "",
                            _class_value(class_name))
        class_name = re.sub(r"^(Year|Yr)(?=\d)", r"\1 ", class_name)
        class_name = re.sub(r"(?<=\d)(?=[A-Z][a-z]{2,})", " ", class_name)
        college = _COLLEGE_CLASS.fullmatch(class_name)
        class_name = _college(college) if college else class_name
    else:
        # "Class 2EJ", "Class 3/4K" (a mixed-year class), "Class II-B" (a standard and its
        # section), also with a word OCR glued on, or glued to the label ("Class3H"), or in
        # the page's language ("Klasse 7a", "Classe 5B"); a college's longer code, letters
        # then a digit ("Class HSC2A"). A year after it is none ("Oak Class 2023-24").
        named = re.search(r"\b(?:Class|Klasse|Classe|Clase|Groupe|Grupo)(?:\s+|(?=\d))"
                          r"(?!(?:19|20)\d\d\b)([0-9](?:/[0-9])?[A-Za-z0-9]{0,3}?(?=\b|[A-Z][a-z])"
                          r"|[A-Z][A-Z0-9]{0,3}(?:-[A-Z]\b)?\b"
                          r"|(?=[A-Z]+\d)[A-Z][A-Z0-9]{4,5}\b)", text)
        # A form's code after its label without a colon: "Tutor Group 9K", "Form 8JH", "Set 5C",
        # "Homeroom 7B", "Registration form 10R", a sixth form's "Tutor group L6-RD" (a code
        # with its letters: "Set 3" is a maths set), also where the reading glued them
        # ("TutorGroup13F") or read the space a dot ("Form.8H").
        if not named:
            named = re.search(r"\b(?:(?i:form|tutor\s?group|reg(?:istration)?\s?group|home\s?room"
                              r"|home\s?group)|Set)(?:\s+|\.\s*|(?=\d))"
                              r"(\d{1,2}[A-Z]{1,4}\d?|[LU]6-?[A-Z]{1,3})(?![A-Za-z0-9])", text)
        # A college group's code, letters and a number, and its section: "Group IT3B",
        # "Group BS2", "Group CS2-A", glued "Group12C".
        if not named:
            named = re.search(r"\bGroup(?:\s+|(?=\d))"
                              r"((?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*\d)[A-Z0-9]{2,6}"
                              r"(?:-[A-Z0-9]{1,2})?)\b", text)
        # A year group and its form, which begins with the year's number: "Year 10 / 10R" is
        # 10R, so is "Year 9 Timetable — 9X" 9X.
        form = re.search(r"\b(?:Year|Yr)\s*(\d{1,2})\b[^\n]{0,20}?[/\-–—]\s*(\1[A-Z]{1,4}\d?)\b",
                         text)
        # On one line: a name ending one line is not the class of "Class Co-ordinator" below.
        before = re.search(r"\b([A-Z][a-z]+|[1-6](?:st|nd|rd|th)|P[1-7](?:/[1-7])?"
                           r"|[0-9](?=[A-Z0-9]{0,2}[A-Z])[A-Z0-9]{1,3})[ \t]+Class\b", text)
        programme = re.search(_PROGRAMME_CLASS, text)
        college = _college_class(text)
        semester = re.search(_NUMBERED_SEMESTER, text, re.IGNORECASE)
        code = (re.search(_CLASS_CODE, text, re.MULTILINE)
                or re.search(_SEP_CLASS, text, re.MULTILINE | re.IGNORECASE))
        if named:
            # "Class 3": a number alone is called by its label; "Class 2EJ" is 2EJ.
            # "Class 5 Willow": a number's class named after it too.
            label = text[named.start():named.start(1)].strip()
            class_name = (f"{label} {named[1]}{_named_after(text, named.end())}"
                          if named[1].isdigit() else named[1])
        elif form:
            class_name = form.group(2)
        elif college:
            class_name = _college(college)
        elif glued := re.search(r"\b(?:Year|Yr)\s*(\d{1,2}[A-Z]{1,3}\d?)\b", text):
            class_name = glued.group(1)  # "Year 8C Timetable": the year and its form, 8C
        elif before and before.group(1).lower() not in _NOT_CLASS_NAMES:
            # A named class is called so ("Oak Class", an Irish school's "4th Class"); a code is
            # the class ("2EJ Class": 2EJ; a Scottish primary's "P4/5 Class": P4/5).
            word = before.group(1)
            class_name = (word if re.search(r"\d", word) and not _ORDINAL_CLASS.fullmatch(word)
                          else f"{word} Class")
        elif programme:
            # Spaced as printed where OCR glued it: "IBMYP4", "Grade11C".
            class_name = re.sub(r"^(IB|Grade)(?=[A-Z0-9])", r"\1 ", programme.group(0))
            class_name += _named_after(text, programme.end())
        elif semester:
            class_name = f"Semester {semester.group(1)}"
        elif code:
            # Before the year group: "Year 9" over "9WOD" is the year and its form.
            class_name = code.group(code.lastindex or 0)
        elif group := re.search(_YEAR_GROUP, text):
            class_name = re.sub(r"^(?:Year|YEAR|year)\s*", "Year ", group.group(0))
            class_name += _named_after(text, group.end())
    heading.class_name = class_name

    heading.term = _term(text)

    year_text = _labelled(text, "year")
    # "TERM42025", "Summer12025", "Semester12023": a term's number with the year glued on.
    years = (re.findall(_YEAR, year_text or "") or re.findall(_YEAR, text)
             or re.findall(r"\b(?:term|quarter|trimester|semester|autumn|spring|summer|fall"
                           r"|winter)"
                           r"\s*[1-6](20\d\d)(?!\d)", text,
                           re.IGNORECASE))
    heading.year = int(years[0]) if years else None
    return heading


# The widest gap (share of the text's height) between two words of one phrase.
WORD_SPACE = 0.6


def heading_text(lines: list[OcrLine], page: list[OcrLine]) -> str:
    """The heading lines as text, one per line in reading order. A label alone on its line
    reads with its value: the line right after it on its row ("Class:" then "Oak", read as
    two lines), else the nearest line of the page just under it and overlapping it ("Term"
    over "3"), as a form-style heading prints them: "Term 3". Pieces of one phrase the
    detector cut at its words are one line first (`_one_phrase`)."""
    phrases: list[OcrLine] = []
    for line in reading_order(lines):
        if phrases and _one_phrase(phrases[-1], line):  # a title the detector cut at its words
            last = phrases[-1]
            line = OcrLine(text=f"{last.text} {line.text}", box=Box.enclosing([last.box, line.box]),
                           score=min(last.score, line.score))
            phrases.pop()
        phrases.append(line)
    texts = []
    for line in phrases:
        text = line.text
        if _LABEL_ALONE.match(text):
            height = line.box.y1 - line.box.y0
            values = [other for other in page
                      if other is not line and not _LABEL_ALONE.match(other.text)]
            beside = [other for other in values
                      if other.box.y_overlap(line.box) > 0.5 * height
                      and 0 <= other.box.x0 - line.box.x1 <= 3 * height]
            under = [other for other in values
                     if line.box.y1 - 0.3 * height <= other.box.y0 <= line.box.y1 + 1.5 * height
                     and other.box.x_overlap(line.box) > 0]
            if beside:
                text += " " + min(beside, key=lambda other: other.box.x0).text
            elif under:
                text += " " + min(under, key=lambda other: other.box.y0).text
        texts.append(text)
    return "\n".join(texts)


def _one_phrase(left: OcrLine, right: OcrLine) -> bool:
    """Two lines one word-space apart on one text row at one size: the detector's pieces of
    one phrase ("Hedgehogs" "Class" "Timetable" between two stars), not two fields."""
    height = min(left.box.height, right.box.height)
    return (left.box.y_overlap(right.box) > 0.5 * height
            and height >= 0.7 * max(left.box.height, right.box.height)
            and -0.5 * height <= right.box.x0 - left.box.x1 <= WORD_SPACE * height)


# A printout's page count under its grid ("1 of 1", read "1of1"; "Page 2 of 3"): no class.
_PAGE_OF = re.compile(r"(?:page\s*)?\d{1,2}\s*of\s*\d{1,2}", re.IGNORECASE)


def field_value(attribute: str, text: str) -> str:
    """A line's text as the value of a heading field, up to where another field starts in
    it: a class's (`_class_value`: "SS2 Science B-Ms Adeyemi" → "SS2 Science B") or a
    teacher's (`_teacher_value`); other fields' text as it is."""
    trim = {"class_name": _class_value, "teacher": _teacher_value}.get(attribute)
    return trim(text) if trim else text


def plausible(attribute: str, text: str) -> bool:
    """Whether `text` can be the value of a heading field (`teacher`, `class_name`, `term`)
    at all: a line a model only guesses holds the field is kept when it is shaped like one,
    not when it is the school's name or a date."""
    words = text.split()
    if not words or _INSTITUTION.search(text) or re.search(r"time[\s-]?table", text,
                                                           re.IGNORECASE):
        return False
    if attribute == "term":
        return bool(_TERM_WORD.search(text))
    if attribute == "class_name":
        # A term beside the heading's other lines ("Term 1 · 2025", "Term1") is the term's.
        return (len(text) <= 25 and len(words) <= 4 and not _DATE.search(text)
                and not _ACADEMIC_YEAR.fullmatch(text.strip())
                and not _PAGE_OF.fullmatch(text.strip()) and parse_heading(text).term is None)
    # A person's name holds no digit: "Physics (Lab 3)" is a lesson, "Rm 12" a room.
    return (len(text) <= 40 and len(words) <= 5 and max(map(len, words)) <= 20
            and not any(c.isdigit() for c in text))
