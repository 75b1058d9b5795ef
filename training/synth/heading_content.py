"""Heading content: the lines above the table and which contract fields (teacher, class,
term, year, school) each run of text states, in the shapes real pages use."""

from __future__ import annotations

import random

from training.synth import vocab
from training.synth.content import Heading, HeadingLine, HeadingRun
from training.synth.vocab import Region


def _person(rng: random.Random) -> str:
    return f"{rng.choice(vocab.TITLES)} {rng.choice(vocab.SURNAMES)}"


def make_heading(rng: random.Random, region: Region) -> Heading:
    teacher, year = _person(rng), rng.randint(2021, 2026)
    term = rng.choice(vocab.TERMS[region])
    school = f"{rng.choice(vocab.PLACES)} {rng.choice(vocab.SCHOOL_KINDS[region])}"
    code, cname = rng.choice(vocab.CLASS_CODES), rng.choice(vocab.CLASS_NAMES)
    group = rng.choice(vocab.YEAR_GROUPS[region])
    kind = rng.choice(["formal", "formal", "possessive", "named_class", "year_term", "title_only",
                       "none", "week"])
    R, L = HeadingRun, HeadingLine
    if kind == "formal":  # like ly_1_1
        lines = [L([R(school, ["school"])], "title"),
                 L([R(f"Class: {code}", ["className"]), R(f"Term: {term} {year}", ["term", "year"]),
                    R(f"Teacher: {teacher}", ["teacher"])])]
        return Heading(lines, teacher, code, term, year, school)
    if kind == "possessive":
        text = f"{teacher}'s {group} timetable {rng.choice(['—', '-', '–'])} {term}, {year}"
        return Heading([L([R(text, ["teacher", "className", "term", "year"])], "title")],
                       teacher, group, term, year)
    if kind == "named_class":
        # Academic years are written "2023-24"; the label takes the first calendar year.
        text = f"{cname} Class Timetable {year}-{(year + 1) % 100:02d}"
        return Heading([L([R(text, ["className", "year"])], "title")],
                       class_name=f"{cname} Class", year=year)
    if kind == "year_term":
        lines = [L([R(f"{group} {rng.choice(['–', '-'])} {term} Term {year}",
                      ["className", "term", "year"])], "title"),
                 L([R(f"Teacher: {teacher}", ["teacher"]), R(f"TA: {_person(rng)}")])]
        return Heading(lines, teacher, group, term, year)
    if kind == "title_only":
        return Heading([L([R(rng.choice(vocab.TABLE_TITLES).rstrip("—"))], "title")])
    if kind == "week":
        lines = [L([R(rng.choice(["Weekly Timetable", "Our Timetable", "Class Timetable"]))],
                   "title"),
                 L([R(f"Week {rng.randint(1, 14)}"), R(f"Teacher: {teacher}", ["teacher"])])]
        return Heading(lines, teacher=teacher)
    return Heading([])
