"""Heading text → teacher, class name, term and year.

Teachers label these many ways ("Class: 2EJ", "Teacher: Miss Joynes", "Mrs Patel's Year 4
timetable — Spring 1, 2025", "Oak Class 2023-24"); labelled values win over patterns found in
free text.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

_LABELS = r"(?:teacher|class|term|year|week|school|date|room|name)"
_TITLE = r"(?:Mr|Mrs|Miss|Ms|Mx|Dr|Mme|Sr|Sra)"
_TITLED_NAME = rf"{_TITLE}\.?\s+[A-Z][A-Za-z'’-]+(?:[ -][A-Z][A-Za-z'’-]+)?"
_SEASON = r"(Autumn|Spring|Summer|Fall|Winter)"


# Words that follow a teacher's name in a title but are not part of it.
_AFTER_NAME = {"year", "class", "timetable", "term", "week", "schedule", "grade", "room"}
_NOT_CLASS_NAMES = {"daily", "the", "my", "our", "weekly", "mr", "mrs", "miss", "ms", "mx", "dr"}


def _trim_name(name: str) -> str:
    """"Mrs Patel's Year" → "Mrs Patel's"; "Mr Smith Timetable" → "Mr Smith"."""
    words = name.split()
    kept = words[:2]
    for word in words[2:]:
        if word.lower() in _AFTER_NAME or kept[-1].endswith(("'s", "’s")):
            break
        kept.append(word)
    return " ".join(kept)


class Heading(BaseModel):
    teacher: str | None = None
    class_name: str | None = None
    term: str | None = None
    year: int | None = None


def _labelled(text: str, label: str) -> str | None:
    """The value after `label:` up to the next label or the end of the line."""
    match = re.search(
        rf"\b{label}\s*[:\-–]\s*(.+?)(?=\s+{_LABELS}\s*[:\-–]|\s*$|\n)", text, re.IGNORECASE
    )
    return match.group(1).strip(" ,;|") if match else None


def _term(text: str) -> str | None:
    """The term as schools write it: a season with its half ("Autumn 2", "Spring"; a year
    joined to it by a hyphen stays, "Fall-2024"), a numbered term ("Term 3"), or a semester
    ("ODD SEMESTER", "Even Sem 2020-21")."""
    term_text = _labelled(text, "term") or text
    match = re.search(rf"\b{_SEASON}(?:\s*(?:term\s*)?([1-6])\b|(-20\d\d)\b)?", term_text,
                      re.IGNORECASE)
    if match:
        season = match.group(1).capitalize()
        if match.group(2):
            return f"{season} {match.group(2)}"
        return season + (match.group(3) or "")
    numbered = re.search(r"\bterm\s*[:\-–]?\s*([1-6])\b", text, re.IGNORECASE)
    if numbered:
        return f"Term {numbered.group(1)}"
    semester = re.search(r"\b(?:odd|even)\s+sem(?:ester)?\b(?:\s+20\d\d\s*[-–]\s*\d{2,4})?",
                         text, re.IGNORECASE)
    return semester.group(0) if semester else None


def parse_heading(text: str) -> Heading:
    heading = Heading()
    teacher = _labelled(text, "teacher")
    if teacher is None:
        match = re.search(_TITLED_NAME, text)
        teacher = _trim_name(match.group(0)) if match else None
    heading.teacher = re.sub(r"['’]s$", "", teacher).strip() if teacher else None

    class_name = _labelled(text, "class")
    if class_name:
        class_name = class_name.split()[0]
    else:
        named = re.search(r"\bClass\s+([0-9][A-Z0-9]{0,3}|[A-Z][A-Z0-9]{0,3})\b", text)
        before = re.search(r"\b([A-Z][a-z]+|[0-9][A-Z0-9]{1,3})\s+Class\b", text)
        if named:
            class_name = named.group(1)
        elif before and before.group(1).lower() not in _NOT_CLASS_NAMES:
            class_name = before.group(1)
    heading.class_name = class_name

    heading.term = _term(text)

    year_text = _labelled(text, "year")
    years = re.findall(r"\b(20\d{2})\b", year_text or "") or re.findall(r"\b(20\d{2})\b", text)
    heading.year = int(years[0]) if years else None
    return heading
