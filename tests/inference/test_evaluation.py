"""`inference.evaluation`: the scoring of ../shared/CONTRACT.md ("How an extraction is scored"),
rule by rule.

Predictions and gold labels are both `TimetableData`. Build them in Python with snake_case
fields (`TimeBlock(day=..., start_time=...)`) or load the contract's camelCase JSON with
`TimetableData.model_validate(...)`, exactly as the dev labels are stored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from inference.evaluation import (
    labelled_documents,
    match_blocks,
    name_similarity,
    normalise,
    score_document,
    score_set,
    times_right,
)
from inference.schema import TimeBlock, TimetableData

LABELS = Path(__file__).resolve().parents[3] / "shared" / "dev" / "labels"


def block(
    name: str,
    start: str | None = None,
    end: str | None = None,
    *,
    day: str = "Monday",
    notes: str | None = None,
    scored: bool = True,
) -> TimeBlock:
    return TimeBlock(
        day=day, name=name, start_time=start, end_time=end, notes=notes, time_scored=scored
    )


def doc(*blocks: TimeBlock, **header: object) -> TimetableData:
    return TimetableData(timeblocks=list(blocks), **header)


# --- schema: both spellings of the contract ---------------------------------------------------


def test_contract_json_and_python_names_build_the_same_block() -> None:
    from_json = TimeBlock.model_validate(
        {"day": "Tuesday", "name": "PHSE", "startTime": "13:15", "endTime": "14:00",
         "notes": "Anti Bullying Week", "timeScored": False}
    )
    from_python = TimeBlock(day="Tuesday", name="PHSE", start_time="13:15", end_time="14:00",
                            notes="Anti Bullying Week", time_scored=False)
    assert from_json == from_python
    assert from_python.to_json_dict()["startTime"] == "13:15"


# --- 1. normalisation --------------------------------------------------------------------------


def test_normalise_folds_case_unicode_and_whitespace() -> None:
    assert normalise("MATHS") == "maths"
    assert normalise("Ｍａｔｈｓ") == "maths"  # NFKC: full-width letters
    assert normalise("Art ﬁnal") == "art final"  # NFKC: the "fi" ligature
    assert normalise("  Guided \t  Reading\n") == "guided reading"
    assert normalise(None) == ""
    assert normalise("") == ""


@pytest.mark.parametrize("mark", list("-–—/&,+()*.:;!?'\""))
def test_normalise_turns_each_listed_punctuation_mark_into_a_space(mark: str) -> None:
    assert normalise(f"Maths{mark}Meeting") == "maths meeting"
    assert normalise(f"{mark}Maths{mark}{mark}") == "maths"


def test_normalise_keeps_marks_the_contract_does_not_list() -> None:
    assert normalise("Room #2") == "room #2"
    assert normalise("Year_4") == "year_4"
    assert normalise("Daily 5: Station 5*") == "daily 5 station 5"  # ":" and "*" are listed


# --- 1. name similarity and the 0.8 threshold ---------------------------------------------------


def test_similarity_ignores_case_and_punctuation() -> None:
    assert name_similarity(block("Comprehension/Library"), block("comprehension library")) == 1.0
    assert name_similarity(block("Jobs & Read Aloud"), block("JOBS READ ALOUD")) == 1.0


def test_similarity_takes_names_with_notes_when_that_is_higher() -> None:
    # The extractor kept the sub-line in the name; the label has it in notes.
    pred = block("English Sentence Stacking 2")
    gold = block("English", notes="Sentence Stacking 2")
    assert name_similarity(pred, gold) == 1.0
    # Same names, different notes: the names alone decide.
    assert name_similarity(block("PE", notes="Hall"), block("PE", notes="Field")) == 1.0


@pytest.mark.parametrize(
    ("pred", "gold", "matches"),
    [
        ("Music", "Musik", True),  # ratio exactly 0.8: the threshold is inclusive
        ("Maths", "Math", True),  # 0.889
        ("Handwriting", "Handwritten", True),  # 0.818
        ("PSHE", "PHSE", False),  # 0.75
        ("RE", "PE", False),  # 0.5
    ],
)
def test_a_pair_needs_similarity_of_at_least_0_8(pred: str, gold: str, matches: bool) -> None:
    pairs = match_blocks([block(pred)], [block(gold)])
    assert (pairs == [(0, 0)]) is matches


# --- 1. matching: per day, greedy, one-to-one ----------------------------------------------------


def test_blocks_only_match_on_the_same_day() -> None:
    pred = [block("Maths", day="Monday"), block("Art", day="Friday")]
    gold = [block("Art", day="Thursday"), block("Maths", day="Monday")]
    assert match_blocks(pred, gold) == [(0, 1)]


def test_most_similar_pairs_are_taken_first() -> None:
    # Taking pairs in list order would give "Maths" the first gold block, "Math" (0.89).
    pred = [block("Maths"), block("Math")]
    gold = [block("Math"), block("Maths")]
    assert sorted(match_blocks(pred, gold)) == [(0, 1), (1, 0)]


def test_equal_similarity_is_broken_by_larger_time_overlap() -> None:
    gold = [block("Maths", "09:00", "10:00"), block("Maths", "13:00", "14:00")]
    pred = [block("Maths", "13:00", "14:00"), block("Maths", "09:10", "10:00")]
    assert sorted(match_blocks(pred, gold)) == [(0, 1), (1, 0)]
    # One gold block, two equally named predictions: the one overlapping it wins.
    assert match_blocks(pred, gold[:1]) == [(1, 0)]


def test_each_block_is_matched_at_most_once() -> None:
    pred = [block("Break"), block("Break"), block("Break")]
    gold = [block("Break"), block("Break")]
    pairs = match_blocks(pred, gold)
    assert len(pairs) == 2
    assert len({i for i, _ in pairs}) == 2 and len({j for _, j in pairs}) == 2


# --- 3. time tolerance ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pred", "gold", "right"),
    [
        (("09:00", "10:00"), ("09:00", "10:00"), True),
        (("09:05", "09:55"), ("09:00", "10:00"), True),  # 5 minutes off on both ends: right
        (("08:55", "10:05"), ("09:00", "10:00"), True),
        (("09:06", "10:00"), ("09:00", "10:00"), False),  # 6 minutes off
        (("09:00", "10:06"), ("09:00", "10:00"), False),
        (("09:00", None), ("09:00", "10:00"), False),  # a missing time matches only a missing one
        ((None, None), ("09:00", "10:00"), False),
        (("09:00", None), ("09:00", None), True),
        ((None, None), (None, None), True),
    ],
)
def test_times_right_within_5_minutes(
    pred: tuple[str | None, str | None], gold: tuple[str | None, str | None], right: bool
) -> None:
    assert times_right(block("Maths", *pred), block("Maths", *gold)) is right


# --- 2–4. event F1, time accuracy, strict F1 ------------------------------------------------------


def test_event_f1_strict_f1_and_time_accuracy() -> None:
    gold = doc(
        block("RWI", "09:00", "09:30"),
        block("Maths", "09:30", "10:00"),
        block("Assembly", "10:00", "10:15"),
        block("Break", "10:15", "10:30"),
        block("Science", "13:15", "14:00"),
    )
    pred = doc(
        block("RWI", "09:00", "09:30"),  # right
        block("Maths", "09:30", "10:00"),  # right
        block("Assembly", "10:00", "10:45"),  # matched, end 30 minutes out
        block("Storytime", "14:45", "15:15"),  # not in the gold
    )
    scores = score_document(pred, gold)
    c = scores.counts
    assert (c.predicted, c.gold, c.matched, c.strict_matched) == (4, 5, 3, 2)
    assert (c.time_scored, c.time_right) == (3, 2)
    # event: P = 3/4, R = 3/5; strict: P = 2/4, R = 2/5
    assert scores.event_f1 == pytest.approx(2 * 0.75 * 0.6 / (0.75 + 0.6))
    assert scores.strict_f1 == pytest.approx(2 * 0.5 * 0.4 / (0.5 + 0.4))
    assert scores.time_accuracy == pytest.approx(2 / 3)


def test_unscored_gold_times_are_not_judged_but_the_block_still_counts() -> None:
    gold = doc(
        block("Lunch", "12:00", "13:00", scored=False),  # the document only implies its times
        block("Maths", "09:00", "10:00"),
    )
    pred = doc(block("Lunch", "12:15", "12:45"), block("Maths", "09:00", "10:00"))
    scores = score_document(pred, gold)
    assert scores.counts.matched == 2
    assert scores.counts.strict_matched == 2  # the wrong Lunch times do not cost the match
    assert scores.counts.time_scored == 1  # only Maths has certain times
    assert scores.time_accuracy == 1.0
    assert scores.event_f1 == scores.strict_f1 == 1.0


def test_time_accuracy_is_none_when_no_matched_gold_time_is_certain() -> None:
    gold = doc(block("Lunch", "12:00", "13:00", scored=False))
    scores = score_document(doc(block("Lunch")), gold)
    assert scores.time_accuracy is None
    assert scores.strict_f1 == 1.0


def test_a_wrong_time_costs_strict_f1_but_not_event_f1() -> None:
    gold = doc(block("PE", "13:15", "14:15"))
    pred = doc(block("PE", "14:15", "15:15"))
    scores = score_document(pred, gold)
    assert scores.event_f1 == 1.0
    assert scores.strict_f1 == 0.0
    assert scores.time_accuracy == 0.0


def test_f1_edge_cases() -> None:
    assert score_document(doc(), doc()).strict_f1 == 1.0  # nothing to find, nothing found
    assert score_document(doc(), doc(block("Maths"))).event_f1 == 0.0
    assert score_document(doc(block("Maths")), doc()).event_f1 == 0.0
    assert score_document(doc(block("Maths")), doc(block("Art"))).event_f1 == 0.0


# --- 5. header accuracy ---------------------------------------------------------------------------


def test_header_accuracy_counts_only_fields_the_gold_names() -> None:
    gold = doc(teacher="Miss Joynes", class_name="2EJ", term=None, year=2024)
    pred = doc(teacher="MISS JOYNES", class_name="2EJ", term="Autumn 1", year=2023)
    scores = score_document(pred, gold)
    # term is not in the gold, so it is not scored; the year is wrong.
    assert (scores.counts.header_total, scores.counts.header_right) == (3, 2)
    assert scores.header_accuracy == pytest.approx(2 / 3)


def test_header_fields_are_compared_after_normalisation() -> None:
    gold = doc(teacher="Mr Joynes", term="Autumn 2")
    pred = doc(teacher="Mr. Joynes", term="autumn-2")
    assert score_document(pred, gold).header_accuracy == 1.0


def test_a_missing_header_field_is_wrong_when_the_gold_has_it() -> None:
    scores = score_document(doc(), doc(teacher="Mrs Patel", year=2025))
    assert scores.header_accuracy == 0.0


def test_header_accuracy_is_none_when_the_gold_names_no_field() -> None:
    assert score_document(doc(teacher="Mrs Patel"), doc()).header_accuracy is None


# --- micro figures over a set and the mean of per-document strict F1 -----------------------------


def test_score_set_sums_counts_and_averages_per_document_strict_f1() -> None:
    perfect = (doc(block("Maths", "09:00", "10:00")), doc(block("Maths", "09:00", "10:00")))
    missed = (
        doc(block("Art"), block("RE"), block("PE")),
        doc(block("Music"), block("History"), block("Computing")),
    )
    result = score_set({"a": perfect, "b": missed})
    assert result.per_document["a"].strict_f1 == 1.0
    assert result.per_document["b"].strict_f1 == 0.0
    micro = result.micro.counts
    assert (micro.predicted, micro.gold, micro.matched, micro.strict_matched) == (4, 4, 1, 1)
    assert result.micro.strict_f1 == pytest.approx(0.25)  # 1 of 4 blocks, summed
    assert result.mean_strict_f1 == pytest.approx(0.5)  # mean of 1.0 and 0.0

    report = result.as_dict()
    assert set(report) == {"documents", "micro", "meanStrictF1"}
    assert report["meanStrictF1"] == 0.5
    assert report["micro"]["strictF1"] == 0.25
    assert report["micro"]["matched"] == 1
    assert set(report["documents"]) == {"a", "b"}
    assert report["documents"]["a"]["headerAccuracy"] is None


def test_micro_figures_do_not_mutate_the_documents() -> None:
    pair = (doc(block("Maths")), doc(block("Maths")))
    result = score_set({"a": pair, "b": pair})
    assert result.micro.counts.matched == 2
    assert result.micro.counts.matched == 2  # computing it twice gives the same sums
    assert result.per_document["a"].counts.matched == 1


def test_an_empty_set() -> None:
    result = score_set({})
    assert result.mean_strict_f1 == 0.0
    assert result.micro.counts.gold == 0


# --- a real label --------------------------------------------------------------------------------


def _label(name: str) -> TimetableData:
    path = LABELS / f"{name}.json"
    if not path.is_file():
        pytest.skip("../shared/dev/labels is not beside this checkout")
    return TimetableData.model_validate(json.loads(path.read_text()))


def test_a_dev_label_scored_against_itself_is_perfect() -> None:
    gold = _label("ly_1_1")
    assert len(gold.timeblocks) > 20
    scores = score_document(gold, gold)
    assert scores.event_f1 == 1.0
    assert scores.strict_f1 == 1.0
    assert scores.time_accuracy == 1.0
    assert scores.header_accuracy == 1.0
    assert scores.counts.matched == len(gold.timeblocks)
    result = score_set({"ly_1_1": (gold, gold)})
    assert result.mean_strict_f1 == 1.0 and result.micro.strict_f1 == 1.0


def test_a_damaged_copy_of_a_dev_label_loses_what_was_damaged() -> None:
    gold = _label("ly_1_1")
    blocks = [b.model_copy() for b in gold.timeblocks]
    scored = [i for i, b in enumerate(blocks) if b.time_scored and b.start_time]
    blocks[scored[0]] = blocks[scored[0]].model_copy(
        update={"start_time": "00:00"}
    )  # one wrong time
    del blocks[scored[1]]  # one missed block
    pred = gold.model_copy(update={"timeblocks": blocks, "teacher": "Mr Nobody"})
    scores = score_document(pred, gold)
    n = len(gold.timeblocks)
    assert scores.counts.matched == n - 1
    assert scores.counts.strict_matched == n - 2
    assert scores.event_f1 == pytest.approx(2 * (n - 1) / (2 * n - 1))
    assert scores.header_accuracy == pytest.approx(3 / 4)


def test_labelled_documents_pair_each_document_with_its_label_by_stem(tmp_path: Path) -> None:
    images, labels = tmp_path / "images", tmp_path / "labels"
    images.mkdir()
    labels.mkdir()
    for name in ("a.png", "b.pdf", "c.png"):
        (images / name).write_bytes(b"")
    gold = TimetableData(teacher="Ms A")
    for stem in ("a", "b", "z"):  # z has no document, c no label: both are left out
        (labels / f"{stem}.json").write_text(gold.model_dump_json())
    found = labelled_documents(images, labels)
    assert [d.path.name for d in found] == ["a.png", "b.pdf"]
    assert all(d.gold.teacher == "Ms A" for d in found)
    assert labelled_documents(tmp_path / "missing", labels) == []


def test_a_label_kept_beside_its_page_is_not_a_document(sample_png: Path, tmp_path: Path) -> None:
    shutil.copy(sample_png, tmp_path)
    shutil.copy(sample_png.with_suffix(".json"), tmp_path)
    assert [d.path.name for d in labelled_documents(tmp_path, tmp_path)] == ["timetable.png"]
