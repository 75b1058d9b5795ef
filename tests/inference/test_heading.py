"""`inference.heading.parse_heading`: the text above (or around) a timetable → teacher, class
name, term and year. Labelled values ("Teacher: ...") win over patterns in free text; a field
the heading does not name stays None."""

from __future__ import annotations

import pytest

from inference.heading import Heading, heading_text, parse_heading, plausible
from inference.schema import Box, OcrLine


def test_labelled_fields_on_one_line() -> None:
    heading = parse_heading("Class: 2EJ   Term: Autumn 2 2024   Teacher: Miss Joynes")
    assert heading == Heading(teacher="Miss Joynes", class_name="2EJ", term="Autumn 2", year=2024)


def test_labelled_fields_on_separate_lines() -> None:
    heading = parse_heading("Teacher: Miss Joynes\nClass: 2EJ")
    assert (heading.teacher, heading.class_name) == ("Miss Joynes", "2EJ")
    assert (heading.term, heading.year) == (None, None)


def test_labels_are_case_blind_and_take_a_dash() -> None:
    heading = parse_heading("TEACHER - Mrs Patel   Class - Oak")
    assert (heading.teacher, heading.class_name) == ("Mrs Patel", "Oak")


def test_a_titled_teacher_keeps_the_title_as_written() -> None:
    assert parse_heading("Teacher: Mr. Joynes").teacher == "Mr. Joynes"
    assert parse_heading("Mr Smith - 3S - Summer 2").teacher == "Mr Smith"


def test_free_text_heading_gives_term_and_year() -> None:
    heading = parse_heading("Mrs Patel's Year 4 timetable — Spring 1, 2025")
    assert heading.term == "Spring 1"
    assert heading.year == 2025
    # A year group names the class when nothing names it better (as the data engine labels it).
    assert heading.class_name == "Year 4"
    assert parse_heading("Year 9  9WOD Class").class_name == "9WOD"


def test_a_possessive_teacher_name_loses_the_s() -> None:
    heading = parse_heading("Mrs Patel's Year 4 timetable — Spring 1, 2025")
    assert heading.teacher == "Mrs Patel"
    # ... also where OCR glued the words after it on in small letters.
    assert parse_heading("Miss Hart'sclasstimetable").teacher == "Miss Hart"


@pytest.mark.parametrize(
    ("text", "teacher"),
    [
        ("Mrs Patel Timetable", "Mrs Patel"),  # gives "Mrs Patel Timetable"
        ("Mr Smith Year 4 Timetable", "Mr Smith"),  # gives "Mr Smith Year"
        ("Miss Joynes Class 2EJ", "Miss Joynes"),  # gives "Miss Joynes Class"
    ],
)
def test_a_teacher_name_stops_before_the_next_word(text: str, teacher: str) -> None:
    assert parse_heading(text).teacher == teacher


@pytest.mark.parametrize(
    ("text", "class_name"),
    [("Miss Joynes Class 2EJ", "2EJ"), ("Class 4B Timetable", "4B"),
     ("Stundenplan Klasse 7a — Schuljahr 2024/25", "7a"), ("Classe 5B — Année 2024", "5B"),
     ("Oak Class 2023-24", "Oak Class")],  # a year after the label is no class
)
def test_class_written_before_its_name(text: str, class_name: str) -> None:
    assert parse_heading(text).class_name == class_name


def test_a_possessive_at_the_end_of_the_name_is_dropped() -> None:
    assert parse_heading("Mrs Patel’s class").teacher == "Mrs Patel"


def test_a_named_class_and_an_academic_year() -> None:
    heading = parse_heading("Oak Class Timetable 2023-24")
    assert heading.class_name == "Oak Class"  # what the class is called
    assert heading.year == 2023  # the first year of "2023-24"
    assert (heading.teacher, heading.term) == (None, None)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Summer Term 2025", "Summer Term"),  # as printed, as "Fall Semester"
        ("Spring term 2", "Spring 2"),
        ("autumn 1", "Autumn 1"),
        ("Fall Semester 2025", "Fall Semester"),
        ("II B.ScCS'B'-0dd Semester2025-26", "Odd Semester 2025-26"),  # its O read as a zero
    ],
)
def test_terms(text: str, term: str) -> None:
    assert parse_heading(text).term == term


@pytest.mark.parametrize("text", ["", "Weekly Timetable", "Daily Class Timetable", "9:00 Maths"])
def test_no_heading_gives_all_none(text: str) -> None:
    assert parse_heading(text) == Heading()


@pytest.mark.parametrize(("text", "term"), [
    ("Term 3 Week 7", "Term 3"),
    ("Timetable — Term: 2", "Term 2"),
    ("(Semester Fall-2024) Session Fall-2023", "Fall-2024"),
    ("ODD SEMESTER – CLASS TIME TABLE JULY 2025", "ODD SEMESTER"),
    ("TIME TABLE Even Sem 2020-21", "Even Sem 2020-21"),
    ("Term 2025 timetable", None),
    ("B.Tech CSE-A — Semester 5, 2024", "Semester 5"),  # a four-year degree's fifth
    ("Pupil Timetable — Michaelmas Term 2025", "Michaelmas Term"),  # an old school's terms
    ("LENT TERM 2026", "Lent Term"),
    ("Trinity College Timetable", None),  # a college, no term
])
def test_numbered_terms_semesters_and_hyphenated_seasons(text: str, term: str | None) -> None:
    assert parse_heading(text).term == term


def test_a_semester_is_read_where_ocr_glued_its_words() -> None:
    """Capitals often come out of OCR without spaces; the term is written back with them."""
    assert parse_heading("ODDSEMESTER-CLASSTIMETABLEJULY2025-DEC2025").term == "ODD SEMESTER"
    assert parse_heading("TIME TABLE Even Sem2020-21").term == "Even Sem 2020-21"


def test_a_year_glued_to_a_terms_number() -> None:
    heading = parse_heading("WeeklyTimetable·TERM42025")
    assert (heading.term, heading.year) == ("Term 4", 2025)


def test_time_table_in_two_words_is_the_timetable() -> None:
    assert parse_heading("4K Weekly Time Table").class_name == "4K"
    assert parse_heading("Mrs Smith Time Table").teacher == "Mrs Smith"
    heading = parse_heading("Mr Patel - 8B Time-Table - Spring 2025")
    assert (heading.teacher, heading.class_name) == ("Mr Patel", "8B")


def test_a_year_whose_zero_was_read_as_a_letter_o() -> None:
    heading = parse_heading("Dr. Whitfield - History Department - Winter Term 2o26")
    assert (heading.term, heading.year) == ("Winter Term", 2026)


def test_a_year_glued_to_a_word_is_a_year_but_not_inside_a_number() -> None:
    assert parse_heading("CLASS TIMETABLE JULY2025-DEC2025").year == 2025
    assert parse_heading("161412021").year is None


@pytest.mark.parametrize(("text", "class_name"),
                         [("IB MYP4", "IB MYP4"), ("Grade 5 timetable", "Grade 5"),
                          ("SP25-BSE-A  Fall 2025", "SP25-BSE-A"),
                          ("Timetable BSCS-3B  FALL 2024", "BSCS-3B"),
                          ("Class Timetable: BSCS-5A  Fall 2024", "BSCS-5A"),
                          # A dash, then the term: the class ends at the dash.
                          ("MSc Data Science — Trimester 1 2025", "MSc Data Science"),
                          ("MSc Software Engineering, Year 1 — Autumn 2024",
                           "MSc Software Engineering, Year 1")])
def test_a_class_named_by_its_programme(text: str, class_name: str) -> None:
    assert parse_heading(text).class_name == class_name


@pytest.mark.parametrize(("attribute", "text", "expected"), [
    ("teacher", "Mrs Patel", True),
    ("teacher", "DepartmentofSoftwareEngineeringTechnology", False),
    ("teacher", "SOS-HERMANN GMEINER INTERNATIONAL COLLEGE", False),
    ("teacher", "Physics (Lab 3)", False),  # a lesson: a name holds no digit
    ("class_name", "9WOD", True),
    ("class_name", "22 August 2025", False),
    ("class_name", "Term 1", False),  # the term's line, "Term 1 · 2025" or glued "Term1"
    ("class_name", "Term1", False),
    ("class_name", "TEACHER TIME-TABLE", False),
    ("term", "Autumn 2", True),
    ("term", "Timetable for 2025", False),
])
def test_plausible_field_values(attribute: str, text: str, expected: bool) -> None:
    assert plausible(attribute, text) is expected


@pytest.mark.parametrize(("text", "teacher"), [
    ("Teacher: MrLewis", "Mr Lewis"), ("MissKhan's timetable", "Miss Khan"),
    ("Dr.Okafor Year 5", "Dr. Okafor"), ("Mrs Patel", "Mrs Patel"),
    ("Spring 2025 | Instructor: Prof.Linda Castillo | Business", "Prof. Linda Castillo")])
def test_a_title_the_ocr_glued_to_the_name_gets_its_space_back(text: str, teacher: str) -> None:
    assert parse_heading(text).teacher == teacher


@pytest.mark.parametrize(("text", "teacher"), [
    ("Mr A. Kowalski – Teaching calendar – Autumn 1 2024", "Mr A. Kowalski"),
    ("Ms R.Achebe\nPersonal timetable", "Ms R.Achebe"),
    ("Mrs J. K. Rowling, 4B", "Mrs J. K. Rowling"),
    ("Staff Timetable: Mr J Hargreaves (JHA)", "Mr J Hargreaves"),
    ("Teacher: Mr J Hargreaves (JHA)", "Mr J Hargreaves"),
    ("Teaching Timetable — Mrs H Patel, Humanities — Summer 1 2024", "Mrs H Patel"),
    ("Class:ASC Base-Oak Class | Teacher:MrTO'Brien 1 Spring22025", "Mr T O'Brien"),
    ("Evening Programme-Tutor:MrTAdeyemi-Summer12026", "Mr T Adeyemi"),
    ("Teacher: Mr McDonald", "Mr McDonald"), ("Teacher: Mr DeSouza", "Mr DeSouza"),
    # A surname's particles, and a second title in brackets.
    ("Ms L.van der Merwe -Afrikaans FAL &English HL", "Ms L.van der Merwe"),
    ("Mr P. de Villiers - Maths", "Mr P. de Villiers"),
    ("Teacher: Dr (Mrs) F. Adeyemi — Further Mathematics", "Dr (Mrs) F. Adeyemi"),
    ("Teacher: Ms Harris - Weekly Schedule", "Ms Harris"),
    ("Ms. Harris-Weekly Schedule", "Ms. Harris"),  # the title's dash read as a hyphen
    ("Mrs Smith-Jones Timetable", "Mrs Smith-Jones")])
def test_a_teacher_may_be_named_with_initials(text: str, teacher: str) -> None:
    assert parse_heading(text).teacher == teacher


@pytest.mark.parametrize(("text", "class_name"), [
    ("Class: IV CSE 'C'  Room: 204", "IV CSE 'C'"), ("Class: Year 9 - 9B", "Year 9 - 9B"),
    ("Class: 2EJ Miss Joynes", "2EJ"), ("Class: 4B Autumn 2 2024", "4B")])
def test_a_labelled_class_is_its_whole_value(text: str, class_name: str) -> None:
    assert parse_heading(text).class_name == class_name


@pytest.mark.parametrize(("text", "term"), [
    ("Term: Quarter 2 2025", "Quarter 2"), ("Trimester12024", "Trimester 1"),
    ("TERM 4", "Term 4")])
def test_numbered_quarters_and_trimesters(text: str, term: str) -> None:
    assert parse_heading(text).term == term


@pytest.mark.parametrize(("text", "class_name", "term"), [
    ("Ms Murphy'sYear 4 timetable - Spring, 2024", "Year 4", "Spring"),
    ("Year4-Autumn1Term2024", "Year 4", "Autumn 1"), ("IBMYP4", "IB MYP4", None),
    ("Mr Kowalski's Reception timetable", "Reception", None),
    ("3rd Grade - Fall 2024", "3rd Grade", "Fall")])
def test_glued_and_year_group_headings(text: str, class_name: str, term: str | None) -> None:
    heading = parse_heading(text)
    assert (heading.class_name, heading.term) == (class_name, term)


@pytest.mark.parametrize(("text", "class_name"), [
    ("Timetable for 2025\nYear 9\n9WOD\nOrongomai", "9WOD"),
    ("Room No. AS1\nSemester: IV\nEven Sem 2020-21", "Semester IV"),
    ("Year 9\n9AM", "Year 9"), ("1ST\nYear 10", "Year 10")])
def test_a_class_code_or_numbered_semester_names_the_class(text: str, class_name: str) -> None:
    assert parse_heading(text).class_name == class_name


@pytest.mark.parametrize(("text", "class_name"), [
    ("Home group: 9 Blue · Term 3, 2025", "9 Blue"), ("Form: 8JH  Teacher: Mr Ali", "8JH"),
    ("Class 7c\nClass teacher: Mrs. Becker", "7c")])
def test_a_class_by_its_other_labels(text: str, class_name: str) -> None:
    assert parse_heading(text).class_name == class_name


@pytest.mark.parametrize(("text", "class_name"), [
    ("Student Timetable - Tutor Group 9K - 2025-26", "9K"), ("Fifth Form Set 5C", "5C"),
    ("Homeroom 7B · Mr. Alvarez · Weekly Class Schedule", "7B"),
    ("Form 8JH  Autumn 2", "8JH"), ("Set 3 Maths", None), ("Form Tutor: Mr Smith", None),
    ("Year 9 Timetable — 9X", "9X"), ("Extended Diploma in IT - Group IT3B", "IT3B"),
    ("Group 2 Maths", None), ("Oliver Bennett\nYear 10 · Registration form 10R", "10R"),
    ("Priya Raman\nLower Sixth · Tutor group L6-RD", "L6-RD"),
    ("Please fill in the form 10 times", None),
    ("Student Timetable2025-TutorGroup13F", "13F"), ("Form.8H -Mrs J Whitfield -2025", "8H"),
    ("SixthFormTimetable-Group12C-Autumn12025", "12C"), ("Uniform 7B", None)])
def test_a_form_code_after_its_label_without_a_colon(text: str, class_name: str | None) -> None:
    assert parse_heading(text).class_name == class_name


def test_a_name_ending_one_line_is_not_the_class_of_the_next() -> None:
    assert parse_heading("Prof. S. B. Deshpande\nClass Co-ordinator").class_name is None


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x0, y0=y0, x1=x1, y1=y1))


def test_a_label_alone_reads_with_the_value_printed_under_it() -> None:
    term, week = _line("Term", 50, 170, 98, 193), _line("Week", 133, 170, 183, 193)
    three, seven = _line("3", 60, 203, 75, 226), _line("7", 145, 203, 160, 226)
    far = _line("Maths", 60, 400, 120, 420)
    text = heading_text([term, week], [term, week, three, seven, far])
    assert text == "Term 3\nWeek 7"
    assert parse_heading(text).term == "Term 3"


@pytest.mark.parametrize(("text", "teacher", "class_name"), [
    ("Grade11C-Timetable\nClass teacher:Mrs Botha Term 3 2024", "Mrs Botha", "Grade 11C"),
    ("Teacher: Miss Joynes Autumn 2 2024", "Miss Joynes", None),
    ("Teacher: Mr Autumn Smith", "Mr Autumn Smith", None),
    ("Timetable - Year 10 / 10R", None, "10R"),
    ("Class 3/4KTimetable", None, "3/4K"),  # a mixed-year class, a word OCR glued on
])
def test_fields_in_running_text_end_where_the_next_begins(text, teacher, class_name) -> None:
    heading = parse_heading(text)
    assert (heading.teacher, heading.class_name) == (teacher, class_name)


@pytest.mark.parametrize(("text", "class_name"), [
    ("Mr Patel – 8B Timetable – Spring 2025", "8B"), ("Ms AKowalski·10X2·Autumn 1·2024", "10X2"),
    ("Ms Harper — 7H Homeroom — Fall 2024", "7H"), ("Timetable - 9am start", None),
    ("Dr S Mensah — Chemistry — Autumn 2025", None),
    ("MyTimetable-9G-Term2", "9G"), ("My Timetable-10K", "10K")])  # hyphens read glued
def test_a_form_code_as_one_part_of_a_separated_title(text: str, class_name: str | None) -> None:
    assert parse_heading(text).class_name == class_name


def test_a_separator_glued_to_a_teacher_s_name_is_no_part_of_it() -> None:
    assert parse_heading("Mr Patel-8B Timetable-Spring 2025").teacher == "Mr Patel"
    assert parse_heading("Mr D.Okafor-TeachingTimetable-Spring 1 2025").teacher == "Mr D.Okafor"
    assert parse_heading("Mrs Smith-Jones, Year 4").teacher == "Mrs Smith-Jones"
    # An em dash read as a hyphen, its spaces lost, before the class.
    assert parse_heading("Ms.Robinson-Grade6 ELA/SS-Quarter32026").teacher == "Ms. Robinson"


def test_a_bullet_separating_the_heading_s_fields_is_no_part_of_the_class():
    heading = parse_heading("Student Timetable Report\nClass: 11R● Term 2 2025 ●UPN A8230")
    assert (heading.class_name, heading.term, heading.year) == ("11R", "Term 2", 2025)


def test_a_class_glued_to_its_label_and_a_year_glued_to_the_half_term():
    heading = parse_heading("Class3H Timetable\nMrs Hughes·Summer12025")
    assert (heading.class_name, heading.term, heading.year) == ("3H", "Summer 1", 2025)


def test_a_numbered_semester_in_running_text_is_the_term():
    heading = parse_heading("Faculty of Science · Semester 2, 2025 · Week commencing 3 March")
    assert (heading.term, heading.year) == ("Semester 2", 2025)


def test_a_term_glued_to_its_number_ends_the_class_before_it():
    heading = parse_heading("Westfield Academy\nClass: 9WOD Term32025")
    assert (heading.class_name, heading.term, heading.year) == ("9WOD", "Term 3", 2025)


@pytest.mark.parametrize(("text", "class_name"), [
    ("Personal Timetable – Group: CS2-B  |  Semester 1, 2025/26", "CS2-B"),
    ("Time-Table 2025-26    Std: IX-B    Class Teacher: Mrs R. Iyer", "IX-B"),
    ("Year Group: 7", None)])  # a year group is no class label
def test_a_college_group_and_a_standard_label_their_class(text, class_name):
    assert parse_heading(text).class_name == class_name


def test_a_season_misread_by_one_letter_before_its_half_is_the_term() -> None:
    heading = parse_heading("Class: 12Bs  Business Studies (Level 3) Autumm 1")
    assert heading.term == "Autumn 1"
    assert heading.class_name == "12Bs"  # the class ends at the wide space


def test_a_term_right_after_a_teacher_s_name_is_no_part_of_it() -> None:
    heading = parse_heading("Year 2 Hedgehogs Timetable\nMiss L. Carter Spring 1")
    assert (heading.teacher, heading.term) == ("Miss L. Carter", "Spring 1")
    assert parse_heading("Mr Autumn Smith").teacher == "Mr Autumn Smith"


def test_a_labelled_teacher_ends_at_a_field_separator() -> None:
    heading = parse_heading("Class teacher: Mr D.Adeyemi |Summer 1 |2026")
    assert (heading.teacher, heading.term, heading.year) == ("Mr D.Adeyemi", "Summer 1", 2026)


def test_a_named_class_before_a_title_s_dash_is_the_class() -> None:
    assert parse_heading("Hedgehog Class - Our Week").class_name == "Hedgehog Class"
    assert parse_heading("Class - 9B").class_name == "9B"


def test_a_college_class_code_after_class_is_the_class() -> None:
    text = "Kingsmead College\nLevel 3 Health & Social Care (Yr 2) – Class HSC2A\nTerm 3 · 2025"
    assert parse_heading(text).class_name == "HSC2A"
    assert parse_heading("Class TIMETABLE").class_name is None  # a word, no code


def test_a_person_after_a_class_label_is_the_teacher_not_the_class() -> None:
    heading = parse_heading("Grade 7A Schedule · Semester 1, 2024 · Homeroom: Ms. Lindqvist")
    assert (heading.teacher, heading.class_name) == ("Ms. Lindqvist", "Grade 7A")
    assert parse_heading("Homeroom: 7B").class_name == "7B"


@pytest.mark.parametrize(("text", "term"), [
    ("LincolnElementary SchoolRoom14Spring2026", "Spring"),  # OCR glued the season on
    ("Springfield Primary Term 2", "Term 2"),  # a word that begins with a season is none
])
def test_a_season_glued_to_its_neighbours_is_the_term_a_word_beginning_with_one_is_not(text,
                                                                                       term):
    assert parse_heading(text).term == term


def test_an_ordinal_grade_before_class_is_the_class_not_grade_class():
    heading = parse_heading("Ms. Rodriguez's 2nd Grade Class Schedule")
    assert (heading.teacher, heading.class_name) == ("Ms. Rodriguez", "2nd Grade")


def test_a_browser_s_web_address_over_a_screenshot_names_no_field():
    heading = parse_heading("sites.google.com/lincoln.org/ms-rodriguez/class-schedule\n"
                            "Ms. Rodriguez's 2nd Grade Class Schedule")
    assert heading.class_name == "2nd Grade"


def test_a_labelled_year_group_glued_to_its_form_is_spaced_as_printed():
    assert parse_heading("Class:Year4P").class_name == "Year 4P"
    assert parse_heading("Class: Year 6Willow").class_name == "Year 6 Willow"
    assert parse_heading("Class: 10WTR").class_name == "10WTR"


def test_a_surname_read_in_lower_case_after_initials_is_still_the_teacher_s():
    heading = parse_heading("Year 5 Kestrel - Weekly Timetable\nMrs A. whitfield I Spring 12026")
    assert heading.teacher == "Mrs A. Whitfield"
    assert parse_heading("Mrs. smith 4B").teacher is None  # no initial: a lower-case word


def test_a_teacher_s_name_ends_where_another_field_s_label_begins():
    heading = parse_heading("Willow Class · Class teacher: Miss L. ThompsonTA: Mrs Akhtar")
    assert heading.teacher == "Miss L. Thompson"
    assert parse_heading("Teacher: Mr P. Shah · TA: Ms Roy").teacher == "Mr P. Shah"


def test_a_teacher_s_name_ends_at_a_bar_read_as_i_and_at_a_room():
    assert parse_heading("Teacher: Ms. Tremblay I Room 108").teacher == "Ms. Tremblay"
    assert parse_heading("Teacher: Mr Okoro Room 12").teacher == "Mr Okoro"
    assert parse_heading("Teacher: Ms I Patel").teacher == "Ms I Patel"  # her initial


def test_a_class_numbered_alone_keeps_its_label():
    assert parse_heading("Class 3 Timetable - Spring Term 2026").class_name == "Class 3"
    assert parse_heading("Class 2EJ").class_name == "2EJ"


def test_a_class_named_by_its_standard_and_section_keeps_the_section():
    heading = parse_heading("Class II-B · Class Teacher: Ms Deepa Rao · Term 1 · Session 2026-27")
    assert (heading.class_name, heading.teacher, heading.term) == ("II-B", "Ms Deepa Rao", "Term 1")


def test_a_year_glued_to_its_form_names_the_form_and_a_form_tutor_ends_the_class():
    assert parse_heading("Year 8C Timetable – Term 1 2026").class_name == "8C"
    assert parse_heading("Year 4 Timetable").class_name == "Year 4"  # a year group alone
    heading = parse_heading("Class: 9F2 Form Tutor: Mr Ahmed")
    assert (heading.class_name, heading.teacher) == ("9F2", "Mr Ahmed")


def test_fields_parted_by_double_dashes_in_capitals():
    # A fax's heading line: the class repeats its label, "--" parts the fields.
    heading = parse_heading("CLASS SCHEDULE -- HOMEROOM 7B -- TEACHER: MR. D. KOWALSKI -- "
                            "SEMESTER 1.2024")
    assert (heading.class_name, heading.teacher) == ("7B", "MR. D. KOWALSKI")
    assert (heading.term, heading.year) == ("Semester 1", 2024)


@pytest.mark.parametrize(("text", "class_name"), [
    ("Year 1 Robins ★ Summer 1 2026", "Year 1 Robins"),
    ("Year 1Robins Summer 12026", "Year 1 Robins"),  # the star lost, the words glued
    ("Grade 8 Blue - Class Timetable 2026", "Grade 8 Blue"),
    ("Year 9 Maths Timetable", "Year 9"),  # a subject is no class's name
    ("Grade 10 Physics", "Grade 10"),
    ("Year 3 Spring 2", "Year 3"),
])
def test_a_year_group_goes_on_in_the_name_of_its_class(text: str, class_name: str) -> None:
    assert parse_heading(text).class_name == class_name


def test_labels_and_a_term_the_reading_glued_to_the_word_before_are_read_apart() -> None:
    heading = parse_heading("YEAR8-FORM8K-TIMETABLE\n"
                            "Holloway Park SchoolForm Tutor:Mr HartSummer 1 2025")
    assert (heading.teacher, heading.class_name, heading.term, heading.year) == (
        "Mr Hart", "8K", "Summer 1", 2025)


def test_a_form_code_and_a_semester_glued_by_the_reading_are_read() -> None:
    heading = parse_heading("Hollingworth Academy\nForm8M2·Summer12025")
    assert (heading.class_name, heading.term, heading.year) == ("8M2", "Summer 1", 2025)
    assert parse_heading("CLASSTIME TABLEODD SEMESTER 2024").term == "ODD SEMESTER"
    assert not plausible("term", "CLASSTIME TABLE 2024 SEMESTER")


@pytest.mark.parametrize(
    ("text", "class_name"),
    [
        ("II B.Sc Computer Science‘B'SECTION\nODD SEMESTER2025-26 TIME TABLE",
         "II B.Sc Computer Science'B'SECTION"),  # the quote OCR curled, as typed
        ("II B.Com(CA) 'A' SECTION\nEVEN SEMESTER 2024-25|Class Time Table|Room No: C-214",
         "II B.Com(CA) 'A' SECTION"),  # "B.Com" is no web address
        ("Year:IBCA-'A'SECTION Semester:1", "I BCA-'A'SECTION"),  # the year glued on
        ("I M.Sc Physics\nTimeTable-OddSemester\n2025-2026", "I M.Sc Physics"),
        ("T.E.Computer Engineering (Div B)-Sem V", "T.E.Computer Engineering (Div B)"),
        ("School of Computing — Year 2 BSc Computer Science", "Year 2 BSc Computer Science"),
        ("Class:IIB.Com'A' EvenS mester2024-25", "II B.Com'A'"),  # labelled, glued, broken
        ("DEPARTMENT OF MCA\nI MCA 'A' SECTION", "I MCA 'A' SECTION"),  # not the department's
    ],
)
def test_a_college_class_is_its_year_degree_branch_and_section(text: str, class_name: str):
    assert parse_heading(text).class_name == class_name


def test_a_department_s_degree_is_no_class():
    assert parse_heading("Department of B.Com (CA)\nODD SEMESTER").class_name is None


def test_a_college_class_ends_before_the_title_s_dash():
    heading = parse_heading("II B.Sc Physics — Class Time Table\n"
                            "Department of Physics · Semester 3 · 2025-26")
    assert (heading.class_name, heading.term) == ("II B.Sc Physics", "Semester 3")


def test_a_term_numbered_in_roman_numerals_is_kept_as_printed():
    assert parse_heading("Class: VIII - B   Term I   Class Teacher: Mrs. Meena Sharma").term == (
        "Term I")
    assert parse_heading("Term Index").term is None


def test_a_year_is_no_class():
    assert parse_heading("A.Y.2025-26 w.e. 21.07.2025 Class R00m:304").class_name is None
    assert not plausible("class_name", "2024-2025")
    assert not plausible("class_name", "Academic Year 2025/26")
    assert not plausible("class_name", "Session: 2025-26")
    assert plausible("class_name", "10WTR")
    assert plausible("class_name", "Year 5")


@pytest.mark.parametrize(
    ("text", "teacher", "class_name"),
    [
        ("Mr A. Brennan Science 2025", "Mr A. Brennan", None),  # the department is no name
        ("Mrs.Dawson's2nd Grade Schedule 2024-2025", "Mrs. Dawson", "2nd Grade"),
        ("Year 1 Weekly Timetable 2024-25", None, "Year 1"),
    ],
)
def test_where_a_name_and_a_year_group_end(text: str, teacher: str | None,
                                           class_name: str | None):
    heading = parse_heading(text)
    assert (heading.teacher, heading.class_name) == (teacher, class_name)


@pytest.mark.parametrize(
    ("text", "class_name", "term"),
    [
        ("Teacher: Mrs J. Okoro Class: 4OSpring 2 2025", "4O", "Spring 2"),
        ("Class:MYP4-BTerm:Semester1AcademicYear 2025-2026", "MYP4-B", "Semester 1"),
        ("BScMathematicsYear2·Semester2,2025-Weeklylecture grid", None, "Semester 2"),
        ("Class 5 Willow 2025", "Class 5 Willow", None),  # a number's class named after it
    ],
)
def test_fields_the_reading_glued_together(text: str, class_name: str | None, term: str | None):
    heading = parse_heading(text)
    assert (heading.class_name, heading.term) == (class_name, term)


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        # A tutor group's code before the next field, set off by a middle dot.
        ("Tutor group: 8R2 ·Tutor:Mr D. Okafor ·Autumn Term 2025",
         Heading(teacher="Mr D. Okafor", class_name="8R2", term="Autumn Term", year=2025)),
        # Fields parted by "|", each read as a "1" glued to its neighbours.
        ("Class:Rowan 1Teacher:Miss L. Carter1Autumn 22025/26",
         Heading(teacher="Miss L. Carter", class_name="Rowan", term="Autumn 2", year=2025)),
        # A surname's capital O read as a zero.
        ("Class 4B - Mr D. 0kafor -- Spring 1 2026",
         Heading(teacher="Mr D. Okafor", class_name="4B", term="Spring 1", year=2026)),
        # A whiteboard in capitals.
        ("4B-OURWEEK\nMR HUGHES AUTUMN2",
         Heading(teacher="MR HUGHES", class_name="4B", term="Autumn 2")),
        # A class named, its year group in brackets.
        ("Class: Ladybirds (Year 1)   Teacher: Mr Patel", Heading(teacher="Mr Patel",
                                                              class_name="Ladybirds")),
        # A form's code before "Weekly Timetable"; a college group with its section.
        ("4K Weekly Timetable · Mr Kowalski · Spring 1 2026",
         Heading(teacher="Mr Kowalski", class_name="4K", term="Spring 1", year=2026)),
        ("Weekly Timetable - Group CS2-A\nBSc Computer Science, Year 2· Semester 1, 2025/26",
         Heading(class_name="CS2-A", term="Semester 1", year=2025)),
        # A term in capitals glued to its word and its year.
        ("FORM:7R\nAUTUMNTERM2024", Heading(class_name="7R", term="Autumn Term", year=2024)),
    ],
)
def test_fields_after_separators_misread_or_in_capitals(text: str, heading: Heading):
    assert parse_heading(text) == heading


def test_a_label_alone_reads_with_the_value_beside_it_before_the_one_under_it():
    # "Class:" and "Oak" read as two lines on one row, the teacher's line under them.
    label, value = _line("Class:", 237, 131, 297, 155), _line("Oak", 338, 129, 382, 155)
    teacher = _line("Teacher: Miss R. Thompson", 237, 162, 509, 185)
    text = heading_text([label, value, teacher], [label, value, teacher])
    assert parse_heading(text).class_name == "Oak"


def test_a_title_the_detector_cut_at_its_words_reads_as_one_phrase():
    # "★ Hedgehogs Class Timetable ★": three boxes a word-space apart (or overlapping) on one
    # row; read as three lines, "Class" alone named no class.
    words = [_line("Hedgehogs", 739, 59, 1099, 122), _line("Class", 1107, 61, 1282, 113),
             _line("Timetable", 1258, 61, 1599, 112)]
    subtitle = _line("Autumn 1 2025·Mrs Thompson", 914, 135, 1425, 172)
    text = heading_text([*words, subtitle], [*words, subtitle])
    assert text.splitlines() == ["Hedgehogs Class Timetable", "Autumn 1 2025·Mrs Thompson"]
    assert parse_heading(text).class_name == "Hedgehogs Class"


@pytest.mark.parametrize(("text", "teacher"), [
    ("II YEAR CSE - A\nClass Advisor : Dr. M. Kavitha", None),
    ("Academic Advisor : Ts. Dr. Azizah binti Hamzah\nGroup : BITS S2G1", None),
    ("Student: Jordan M. Reyes  Grade 10  Counselor: Mrs. Boyd", None),
    ("Principal Mr A. Brown\nMr C. Davis Year 4", "Mr C. Davis"),
    ("Class Teacher: Mrs Smith", "Mrs Smith"),
])
def test_a_name_in_another_role_than_the_class_s_teacher_is_not_the_teacher(text, teacher):
    assert parse_heading(text).teacher == teacher


def test_a_staff_timetable_s_dash_glued_to_the_name_is_no_part_of_it() -> None:
    assert parse_heading("Ms R.Fitzgerald-Staff Timetable").teacher == "Ms R.Fitzgerald"


def test_a_printout_s_codes_after_the_teacher_and_its_page_count_are_no_heading_values():
    # An MIS printout: "Teacher: Ms F. Chaudhry   Code: FCH   Dept: Computing" over the grid,
    # "Report: Teacher Timetable (Standard) — 1 of 1" under it, read without spaces.
    heading = parse_heading("Teacher:Ms F. Chaudhry Code:FCH Dept: Computing\n1of1")
    assert (heading.teacher, heading.class_name) == ("Ms F. Chaudhry", None)
    assert not plausible("class_name", "1of1")


def test_a_grade_and_a_trimester_glued_to_the_words_before_them_are_read():
    # A pupil's schedule heading read without its spaces: "Ethan Park  Grade 7  Trimester 1".
    heading = parse_heading("Ethan ParkGrade 7Trimester 1 | 2025-2026")
    assert (heading.class_name, heading.term, heading.year) == ("Grade 7", "Trimester 1", 2025)


def test_a_semester_with_its_year_glued_on_is_read():
    heading = parse_heading("Semester12023")  # "Semester 1 2023" read without its spaces
    assert (heading.term, heading.year) == ("Semester 1", 2023)


def test_a_faculty_label_and_a_term_glued_to_the_words_before_them_are_read():
    # "Teacher: Mr Paul Oyelaran   Faculty: HASS   Term 1 2025", read without its spaces.
    heading = parse_heading("Teacher:Mr Paul OyelaranFaculty:HASSTerm 1 2025")
    assert (heading.teacher, heading.term, heading.year) == ("Mr Paul Oyelaran", "Term 1", 2025)


def test_a_labelled_teacher_ends_where_another_label_begins():
    heading = parse_heading("Teacher: Mr D. Adeyemi PPA cover: Mrs Cole (Tues pm)")
    assert heading.teacher == "Mr D. Adeyemi"


def test_a_term_after_a_class_timetable_s_dash_is_no_class():
    heading = parse_heading("CLASS TIMETABLE-TERM 2 2025\nClass: 4 Integrity")  # as read
    assert (heading.class_name, heading.term, heading.year) == ("4 Integrity", "Term 2", 2025)


def test_an_irish_school_s_teacher_and_class():
    heading = parse_heading("St. Colmcille's N.S. - 4th Class Timetable 2025-2026\n"
                            "Múinteoir: Mr P. Ó Súilleabháin   Room 6")
    assert (heading.teacher, heading.class_name) == ("Mr P. Ó Súilleabháin", "4th Class")
    # As read, the room glued on and the accents lost.
    assert parse_heading("Mr P. O SuilleabhainRoom 6").teacher == "Mr P. O Suilleabhain"


def test_a_scottish_primary_class_is_its_code():
    assert parse_heading("Glenburn Primary – P4/5 Class Timetable").class_name == "P4/5"


@pytest.mark.parametrize(("text", "term"), [
    ("Teacher: Mr. Abdul-Rahman Class: 5B Term: Spring 1 Year: 2025-26", "Spring 1"),
    ("Term: Spring | Year: 2025", "Spring"),  # a "|" between the fields
    ("Mrs K. Patel — Spring I 2025", "Spring 1"),  # the half's "1" read as an "I"
])
def test_a_half_term_s_number_is_kept_before_the_next_field(text: str, term: str) -> None:
    assert parse_heading(text).term == term


def test_a_labelled_teacher_ends_where_a_semester_starts() -> None:
    heading = parse_heading("Homeroom teacher: Mrs S. Kowalski Semester 2, 2025")
    assert (heading.teacher, heading.term) == ("Mrs S. Kowalski", "Semester 2")


@pytest.mark.parametrize(("text", "class_name", "term"), [
    ("Student: Amelia Grant Form: 10B Year 10 Autumn 2 2024", "10B", "Autumn 2"),
    ("Kindergarten A | Class Teacher: Mrs. Fernandes | Trimester 3 | 2025", "Kindergarten A",
     "Trimester 3"),
    ("Form 7 Hawke — Weekly Timetable — Michaelmas 2024", None, "Michaelmas"),
])
def test_a_form_before_its_year_group_a_section_s_letter_and_michaelmas(text, class_name, term):
    heading = parse_heading(text)
    assert (heading.class_name, heading.term) == (class_name, term)
