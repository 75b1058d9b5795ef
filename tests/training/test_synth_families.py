"""Layout families of the data engine: `mixed` is the generator as it was (pinned label hashes),
and each other family shows its signature in the labels and layout labels it writes."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from inference.schema import DAYS, TimetableData
from inference.timeparse import find_times, from_hhmm
from training.data_cli import data_app
from training.synth.families import BUILDERS, FAMILIES, WATERMARK_SHARE, bells, start_only
from training.synth.grid_content import make_grid, sample_content_knobs
from training.synth.render import render_page
from training.synth.timefmt import sample_style
from training.synth.writer import Plan, doc_rng, plan_document, synthesize

# sha256 of labels/syn-00000{0,1,2}.json of `synthesize(out, 3, seed=5)` (photo share 0.4),
# written by the generator before families existed: `mixed` must keep giving exactly these.
MIXED_SEED5_LABELS = (
    "1f1e963ebf025fe3aeb1c28f1fb748aaaf7831e2af1dc76f8b4ed376e61c607e",
    "7009379ee1df9caae929138571f1aca4fe50cac89eed6fd01576ca61c321043b",
    "59007ca70f81861c9bf96d6e92dc8e0b8907f1ea5c24d16fa3d520b774939539",
)
PAGES = 2
# Seed 14's two pages show each family's variants: asc notes in the corners and stacked,
# letters-down spread and stacked (timed and untimed), start-only days as rows and as columns.
SEED = 14


# Seed 2's four bells pages are one of each: per-day bells under timed headers and under
# period numbers only, 20-minute columns under start times and under ranges. The first (days as
# columns) prints its times again between Wednesday and Thursday, the next two (days as rows)
# under the week.
BELLS_SEED, BELLS_PAGES = 2, 4


@cache
def _generated(family: str, root: str, pages: int = PAGES, seed: int = SEED) -> Path:
    out = Path(root) / f"{family}-{seed}-{pages}"
    synthesize(out, pages, seed=seed, photo_share=0.0, family=family)
    return out


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("families"))


def _docs(family: str, root: str, pages: int = PAGES, seed: int = SEED
          ) -> list[tuple[dict, dict]]:
    out = _generated(family, root, pages, seed)
    return [(json.loads(p.read_text()), json.loads((out / "layout" / p.name).read_text()))
            for p in sorted((out / "labels").glob("*.json"))]


def _cell_lines(layout: dict) -> dict[int, list[dict]]:
    by_cell: dict[int, list[dict]] = {}
    for line in layout["lines"]:
        if line["cell"] is not None:
            by_cell.setdefault(line["cell"], []).append(line)
    return by_cell


def _cy(line: dict) -> float:
    return (line["box"][1] + line["box"][3]) / 2


# --- every family --------------------------------------------------------------------------------


def test_mixed_gives_the_pages_it_gave_before_families(tmp_path: Path):
    manifest = synthesize(tmp_path / "m", 3, seed=5, photo_share=0.4)
    got = tuple(hashlib.sha256((tmp_path / "m" / "labels" / f"syn-00000{i}.json").read_bytes())
                .hexdigest() for i in range(3))
    assert got == MIXED_SEED5_LABELS
    assert manifest["family"] == "mixed"
    assert {d["family"] for d in manifest["documents"]} == {"mixed"}


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "mixed"])
def test_family_labels_are_contract_json_and_agree_with_the_layout(family: str, root: str):
    for label, layout in _docs(family, root):
        assert layout["knobs"]["family"] == family
        data = TimetableData.model_validate(label)
        assert data.timeblocks
        n = len(label["timeblocks"])
        assert {b for cell in layout["cells"] for b in cell["blocks"]} == set(range(n))
        for i, block in enumerate(label["timeblocks"]):
            written = "".join(ln["text"] for ln in layout["lines"]
                              if ln["role"] == "event" and i in ln["blocks"])
            assert block["name"].replace(" ", "") in written.replace(" ", ""), block
        heading = " ".join(ln["text"] for ln in layout["lines"] if ln["fields"])
        for key in ("teacher", "className", "term"):
            assert label[key] is None or label[key] in heading


def test_same_seed_same_family_same_files_and_families_differ(root: str, tmp_path: Path):
    again = synthesize(tmp_path / "asc", PAGES, seed=SEED, photo_share=0.0, family="asc")
    first = json.loads((_generated("asc", root) / "manifest.json").read_text())
    assert again["contentHash"] == first["contentHash"]
    other = json.loads((_generated("start-only", root) / "manifest.json").read_text())
    assert other["contentHash"] != first["contentHash"]


# --- asc -----------------------------------------------------------------------------------------


def test_asc_cells_give_subject_then_teacher_and_room_as_notes(root: str):
    three_line_cells = 0
    for label, layout in _docs("asc", root):
        blocks = label["timeblocks"]
        corners = layout["knobs"]["render"]["notes_corners"]
        for lines in _cell_lines(layout).values():
            names = [ln for ln in lines if ln["role"] == "event"]
            notes = [ln for ln in lines if ln["role"] == "notes"]
            if not notes:
                continue
            block = blocks[names[0]["blocks"][0]]
            # Name above its notes; the notes, in reading order, are the label's notes.
            assert max(_cy(n) for n in names) < min(_cy(n) for n in notes)
            # Corners: one row, read left to right; stacked: one line each, top to bottom.
            order = sorted(notes, key=lambda ln: ln["box"][0] if corners else _cy(ln))
            assert " ".join(ln["text"] for ln in order) == block["notes"]
            assert not find_times(block["name"])
            if len(names) == 1 and len(notes) == 2:
                three_line_cells += 1
                teacher, room = order
                if corners:  # side by side on the bottom line
                    assert teacher["box"][2] < room["box"][0]
                    assert teacher["box"][1] < _cy(room) < teacher["box"][3]
                else:
                    assert teacher["box"][3] <= room["box"][1]
    assert three_line_cells >= 5


def test_asc_header_numbers_periods_over_times_and_breaks_span_the_week(root: str):
    for label, layout in _docs("asc", root):
        numbers = [ln for ln in layout["lines"] if ln["role"] == "index"]
        times = [ln for ln in layout["lines"] if ln["role"] == "time"]
        assert [ln["text"].rstrip(".") for ln in numbers][:3] in (["0", "1", "2"], ["1", "2", "3"])
        assert min(_cy(n) for n in numbers) < min(_cy(t) for t in times)
        spanning = [c for c in layout["cells"] if c["role"] == "event" and len(c["blocks"]) == 5]
        assert spanning  # a break merged down the week, one block per day
        for cell in spanning:
            picked = [label["timeblocks"][b] for b in cell["blocks"]]
            assert sorted(b["day"] for b in picked) == sorted(DAYS[:5])
            assert len({b["name"] for b in picked}) == 1


# --- start-only ----------------------------------------------------------------------------------


def _single_time(text: str) -> int:
    """The one time a start-only header gives: "8:30", "10.15am", or a bare hour ("1")."""
    times = find_times(text)
    if not times:
        hour = int(text)  # school hours: 7-12 morning and noon, 1-6 afternoon
        return 60 * (hour if hour >= 7 else hour + 12)
    assert len(times) == 1 and times[0].end is None, text
    return times[0].start


def test_start_only_header_gives_starts_and_the_label_no_ends(root: str):
    for label, layout in _docs("start-only", root):
        starts = {_single_time(ln["text"]) for ln in layout["lines"] if ln["role"] == "time"}
        assert len(starts) >= 5
        blocks = label["timeblocks"]
        # As the real start-only page (ra_4) is labelled: printed start, no end, scored.
        assert all(b["timeScored"] and b["endTime"] is None for b in blocks)
        assert {from_hhmm(b["startTime"]) for b in blocks} <= starts


def test_a_mixed_grid_under_start_only_headers_is_labelled_the_same_way():
    """The general sampler's start-only headers (8 % of mixed pages) follow the same convention:
    a time printed in the cell gives both ends; otherwise the start over the slot and no end."""
    rng = random.Random(3)
    knobs = replace(sample_content_knobs(rng), header_single=True, p_print_time=0.5,
                    p_split=0.0)
    grid = make_grid(rng, "uk", 5, sample_style(rng), knobs, {})
    events = [ev for cell in grid.cells for ev in cell.events]
    printed = [ev for ev in events if ev.printed]
    unprinted = [ev for ev in events if not ev.printed]
    assert printed and all(ev.end is not None and ev.time_scored for ev in printed)
    assert unprinted and all(ev.end is None and ev.time_scored for ev in unprinted)
    assert {ev.start for ev in unprinted} <= {slot.start for slot in grid.slots}


def test_start_only_leaves_out_a_slot_that_starts_with_the_next():
    """A US day can put "Recess" and "Pack Up" both at 2:15: a start-only header has no room for
    a slot of no length (it used to crash the renderer, seed 703 page 237)."""
    day = [(810, 855, None), (855, 855, "Recess"), (855, 870, "Pack Up")]
    assert start_only._contiguous(day) == [(810, 855, None), (855, 870, "Pack Up")]


# --- letters-down --------------------------------------------------------------------------------


def test_letters_down_spells_one_break_block_per_day(root: str):
    labs = 0
    for label, layout in _docs("letters-down", root):
        blocks = label["timeblocks"]
        letters = sorted((ln for ln in layout["lines"] if ln["role"] == "event"
                          and len(ln["text"]) == 1), key=_cy)
        word = "".join(ln["text"] for ln in letters)
        assert word in ("BREAK", "LUNCH", "RECESS")
        breaks = [b for b in blocks if b["name"] == word]
        n_days = layout["knobs"]["nDays"]
        assert sorted(b["day"] for b in breaks) == sorted(DAYS[:n_days])
        assert all(set(ln["blocks"]) == {blocks.index(b) for b in breaks} for ln in letters)
        timed = {b["startTime"] is not None for b in breaks}
        assert timed in ({True}, {False})
        if timed == {False}:  # a blank header: no time, not scored (as the rb_5 gold)
            assert not any(b["timeScored"] or b["endTime"] for b in breaks)
        lessons = [from_hhmm(b["endTime"]) - from_hhmm(b["startTime"])  # type: ignore[operator]
                   for b in blocks if b["name"] != word]
        labs += sum(d >= 2 * min(lessons) for d in lessons)
    assert labs  # a lab over two or three periods


# --- bells ----------------------------------------------------------------------------------------


def _bells_docs(root: str, kind: str) -> list[tuple[dict, dict]]:
    docs = _docs("bells", root, BELLS_PAGES, BELLS_SEED)
    return [(label, layout) for label, layout in docs if kind in layout["knobs"]["counts"]]


def _slot_of(cell: dict, layout: dict) -> int:
    """The time-axis index of a grid cell (columns when days are rows)."""
    return cell["col"] if layout["knobs"]["layout"] == "days_rows" else cell["row"]


def _band_of(cell: dict, layout: dict) -> int:
    """The day-axis index of a grid cell: 0 the time headers, then the days (and any repeated
    time headers) in the order they are drawn."""
    return cell["row"] if layout["knobs"]["layout"] == "days_rows" else cell["col"]


def _header_times(layout: dict) -> list[tuple[int, int | None]]:
    """Each first-band time-header cell's (start, end or None), in axis order; untimed headers
    left out."""
    found = []
    for i, lines in sorted(_cell_lines(layout).items()):
        text = " ".join(ln["text"] for ln in lines if ln["role"] == "time")
        cell = layout["cells"][i]
        if cell["role"] != "time" or _band_of(cell, layout) != 0 or not text:
            continue
        times = find_times(text)
        found.append((times[0].start, times[0].end) if times else (_single_time(text), None))
    return found


def test_bells_per_day_cells_print_their_days_times_and_days_differ(root: str):
    docs = _bells_docs(root, "per_day_bells")
    assert {bool(_header_times(layout)) for _, layout in docs} == {True, False}
    for label, layout in docs:
        blocks = label["timeblocks"]
        headers = {t for span in _header_times(layout) for t in span}
        printed: set[int] = set()
        for line in layout["lines"]:
            if line["role"] == "time" and line["blocks"]:  # a time in a cell: its blocks' times
                (t,) = find_times(line["text"])
                for b in line["blocks"]:
                    assert (from_hhmm(blocks[b]["startTime"]), from_hhmm(blocks[b]["endTime"])
                            ) == (t.start, t.end), (line["text"], blocks[b])
                printed |= set(line["blocks"])
        for i, b in enumerate(blocks):  # the rest are timed by their headers
            if i not in printed:
                assert {from_hhmm(b["startTime"]), from_hhmm(b["endTime"])} <= headers, b
        # The same period (grid position) starts at different times on different days.
        starts: dict[int, set[str]] = {}
        for cell in layout["cells"]:
            if cell["role"] == "event":
                for b in cell["blocks"]:
                    starts.setdefault(_slot_of(cell, layout), set()).add(blocks[b]["startTime"])
        assert layout["knobs"]["counts"]["per_day_bells"] >= 1
        assert any(len(s) > 1 for s in starts.values())
        days_off = {blocks[b]["day"] for b in printed}
        assert len(days_off) >= layout["knobs"]["counts"]["per_day_bells"]


def test_bells_twenty_minute_events_start_and_end_on_column_edges(root: str):
    docs = _bells_docs(root, "twenty_minute_columns")
    singles = []
    for label, layout in docs:
        headers = _header_times(layout)
        assert len(headers) == layout["knobs"]["counts"]["twenty_minute_columns"]
        starts = [s for s, _ in headers]
        assert all(b - a == 20 for a, b in zip(starts, starts[1:], strict=False))
        single = all(end is None for _, end in headers)
        singles.append(single)
        edges = set(starts) | {headers[-1][1]}
        lessons = 0
        for cell in layout["cells"]:
            if cell["role"] != "event":
                continue
            for b in cell["blocks"]:
                block = label["timeblocks"][b]
                start = from_hhmm(block["startTime"])
                assert start in edges and block["timeScored"], block
                if single:  # start times only: the page says no end
                    assert block["endTime"] is None, block
                else:
                    assert from_hhmm(block["endTime"]) - start == 20 * cell["colSpan"], block
                if cell["rowSpan"] == 1 and cell["colSpan"] > 1:
                    assert 2 <= cell["colSpan"] <= 6
                    lessons += 1
        assert lessons >= 10
        week = [c for c in layout["cells"] if c["role"] == "event" and c["rowSpan"] == 5]
        assert week  # the breaks merged down the week, one block per day
    assert sorted(singles) == [False, True]


def test_watermark_is_drawn_behind_the_page_and_in_no_label(root: str):
    plan = plan_document(6, 3, 0.0, "bells")  # a diagonal "DRAFT"
    mark = plan.knobs.watermark
    assert mark is not None and mark.text == "DRAFT"
    state = plan.rng.getstate()
    drawn = render_page(plan.rng, plan.content, plan.knobs, plan.index_of)
    plan.rng.setstate(state)
    bare = render_page(plan.rng, plan.content, replace(plan.knobs, watermark=None),
                       plan.index_of)
    # The same lines and cells are labelled with or without it ...
    assert [ln.to_json() for ln in drawn.lines] == [ln.to_json() for ln in bare.lines]
    assert [c.to_json() for c in drawn.cells] == [c.to_json() for c in bare.cells]
    assert not any("DRAFT" in ln.text for ln in drawn.lines)
    assert "DRAFT" not in json.dumps(plan.label.to_json_dict())
    # ... but it is on the page: faint ink over a wide stretch of it.
    diff = np.abs(np.asarray(drawn.image.convert("L"), dtype=int)
                  - np.asarray(bare.image.convert("L"), dtype=int))
    assert (diff > 0).mean() > 0.02 and diff.max() < 60


def test_every_family_but_mixed_draws_a_watermark_on_a_share_of_pages():
    for name in FAMILIES:
        marks = [plan_document(7, i, 0.0, name).knobs.watermark for i in range(30)]
        if name == "mixed":
            assert WATERMARK_SHARE[name] == 0 and not any(marks)
        else:
            assert 0 < sum(m is not None for m in marks) < 30, name
    # Off, it draws nothing: `mixed` keeps the random stream it had before the knob.
    with_knob, without = doc_rng(5, 0), doc_rng(5, 0)
    FAMILIES["mixed"](with_knob)
    BUILDERS["mixed"](without)
    assert with_knob.getstate() == without.getstate()


# --- bells: the time headers printed twice -------------------------------------------------------

# Seed 2's bells page 0 has days as columns (per-day bells), page 1 days as rows (20 minutes).
REPEATS = [(0, "both_sides"), (0, "middle"), (1, "both_sides")]


def _render(plan: Plan, repeat: str | None) -> dict:
    """The plan's page drawn with `repeat_times` set, as layout JSON (lines, cells); the plan's
    random stream is left where it was, so the next render draws the same page."""
    state = plan.rng.getstate()
    canvas = render_page(plan.rng, plan.content, replace(plan.knobs, repeat_times=repeat),
                         plan.index_of)
    plan.rng.setstate(state)
    return {"knobs": {"layout": plan.content.layout},
            "lines": [ln.to_json() for ln in canvas.lines],
            "cells": [c.to_json() for c in canvas.cells]}


def _bands(page: dict, role: str) -> dict[int, list[tuple[dict, list[str]]]]:
    """Each band (day-axis index) of cells of `role`: its (cell, lines' texts), in time order."""
    lines = _cell_lines(page)
    bands: dict[int, list[tuple[dict, list[str]]]] = {}
    for i, cell in enumerate(page["cells"]):
        if cell["role"] == role:
            texts = [ln["text"] for ln in sorted(lines.get(i, []), key=_cy)]
            bands.setdefault(_band_of(cell, page), []).append((cell, texts))
    return {b: sorted(cells, key=lambda c: _slot_of(c[0], page))
            for b, cells in sorted(bands.items())}


def _along(box: list[float], page: dict, days: bool) -> tuple[float, float]:
    """A box's extent along the day axis (`days`) or the time axis."""
    k = 1 if (page["knobs"]["layout"] == "days_rows") == days else 0
    return box[k], box[k + 2]


@pytest.mark.parametrize(("index", "repeat"), REPEATS)
def test_repeated_time_headers_say_the_same_where_the_knob_puts_them(index: int, repeat: str):
    plan = plan_document(BELLS_SEED, index, 0.0, "bells")
    page, bare = _render(plan, repeat), _render(plan, None)
    (first_band, first), (band, again) = _bands(page, "time").items()
    assert first_band == 0 and any(texts for _, texts in first)
    assert [t for _, t in again] == [t for _, t in first]  # the same header, slot by slot
    for (c1, _), (c2, _) in zip(first, again, strict=True):  # ... over the same stretch of time
        assert _slot_of(c1, page) == _slot_of(c2, page)
        assert _along(c1["box"], page, days=False) == _along(c2["box"], page, days=False)
    # Every header line is a layout line, the times with role "time": twice the bare page's.
    def times(p: dict) -> list[str]:
        heads = {i for i, c in enumerate(p["cells"]) if c["role"] == "time"}
        return [ln["text"] for ln in p["lines"] if ln["cell"] in heads and ln["role"] == "time"]
    assert times(page) == times(bare) * 2 and times(bare)
    # Where: after the last day, or between Wednesday and Thursday.
    days = [_along(c["box"], page, days=True) for (c, _), in _bands(page, "day").values()]
    near, far = _along(again[0][0]["box"], page, days=True)
    before = 3 if repeat == "middle" else len(days)
    assert band == before + 1
    assert all(e <= near for _, e in days[:before]) and all(far <= s for s, _ in days[before:])
    if repeat == "both_sides":
        assert far == max(c["box"][3 if page["knobs"]["layout"] == "days_rows" else 2]
                          for c in page["cells"])


@pytest.mark.parametrize(("index", "repeat"), REPEATS)
def test_each_days_cells_stay_in_its_column_or_row(index: int, repeat: str):
    plan = plan_document(BELLS_SEED, index, 0.0, "bells")
    page = _render(plan, repeat)
    blocks = plan.label.to_json_dict()["timeblocks"]
    days = {band: (cell, DAYS[day]) for (band, ((cell, _),)), day
            in zip(_bands(page, "day").items(), plan.content.days, strict=True)}
    slots = {_slot_of(c, page): c for c, _ in _bands(page, "time")[0]}
    lines = _cell_lines(page)
    checked = 0
    for i, cell in enumerate(page["cells"]):
        if cell["role"] not in ("event", "empty"):
            continue
        band, slot = _band_of(cell, page), _slot_of(cell, page)
        span, length = (cell["rowSpan"], cell["colSpan"]) if page["knobs"]["layout"] == \
            "days_rows" else (cell["colSpan"], cell["rowSpan"])
        under = [days[b] for b in range(band, band + span)]  # no time band among them
        # Across the days it covers, along the slots it covers, ...
        assert _along(cell["box"], page, days=True) == (
            _along(under[0][0]["box"], page, True)[0], _along(under[-1][0]["box"], page, True)[1])
        assert _along(cell["box"], page, days=False)[0] == _along(slots[slot]["box"], page,
                                                                  False)[0]
        assert _along(cell["box"], page, days=False)[1] <= _along(
            slots[slot + length - 1]["box"], page, False)[1]
        # ... its blocks are those days' and its text is inside it.
        assert {blocks[b]["day"] for b in cell["blocks"]} <= {name for _, name in under}
        x0, y0, x1, y1 = cell["box"]
        for ln in lines.get(i, []):
            bx0, by0, bx1, by1 = ln["box"]
            assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1, (ln, cell)
        checked += cell["role"] == "event"
    assert checked >= 20


@pytest.mark.parametrize(("index", "repeat"), REPEATS)
def test_repeated_time_headers_leave_the_label_and_the_rest_of_the_text_alone(index: int,
                                                                              repeat: str):
    plan = plan_document(BELLS_SEED, index, 0.0, "bells")
    page, bare = _render(plan, repeat), _render(plan, None)

    def text(p: dict) -> list[tuple[str, list[int], str]]:
        """Every cell but the time headers' (the days', the events'): its role, blocks and text,
        which may wrap otherwise in a cell the repeat made narrower."""
        lines = _cell_lines(p)
        return [(c["role"], c["blocks"], "".join(ln["text"] for ln in lines.get(i, []))
                 .replace(" ", "")) for i, c in enumerate(p["cells"])
                if c["role"] not in ("time", "corner")]

    assert text(page) == text(bare)
    heading = [ln for ln in page["lines"] if ln["cell"] is None]
    assert heading == [ln for ln in bare["lines"] if ln["cell"] is None]
    assert plan.content.label()[0].to_json_dict() == plan.label.to_json_dict()


def test_bells_draws_the_repeat_last_so_its_pages_keep_their_labels(monkeypatch):
    plans = [plan_document(BELLS_SEED, i, 0.0, "bells") for i in range(BELLS_PAGES)]
    assert [p.knobs.repeat_times for p in plans] == ["middle", "both_sides", "both_sides", None]
    monkeypatch.setattr(bells, "REPEAT_SHARE", 0.0)
    off = [plan_document(BELLS_SEED, i, 0.0, "bells") for i in range(BELLS_PAGES)]
    assert [p.label.to_json_dict() for p in off] == [p.label.to_json_dict() for p in plans]
    assert [replace(p.knobs, watermark=None) for p in off] == [
        replace(p.knobs, repeat_times=None, watermark=None) for p in plans]


def test_only_bells_repeats_time_headers_and_only_as_real_pages_do():
    seen = {(p.content.layout, p.knobs.repeat_times)
            for p in (plan_document(7, i, 0.0, "bells") for i in range(60))}
    assert seen == {("days_cols", "both_sides"), ("days_cols", "middle"), ("days_cols", None),
                    ("days_rows", "both_sides"), ("days_rows", None)}
    for name in FAMILIES:
        if name != "bells":
            assert not any(plan_document(7, i, 0.0, name).knobs.repeat_times
                           for i in range(10)), name


def test_a_middle_time_band_never_cuts_a_cell_merged_across_days():
    """The 20-minute page's breaks run down the whole week: no gap between days is free, so a
    middle band goes under the days instead."""
    plan = plan_document(BELLS_SEED, 1, 0.0, "bells")
    page = _render(plan, "middle")
    assert list(_bands(page, "time")) == [0, len(plan.content.days) + 1]


# --- CLI and MLflow ------------------------------------------------------------------------------


def test_synth_command_takes_a_family(tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "cli"
    args = ["synth", "--n", "1", "--out", str(out), "--seed", "2", "--no-mlflow"]
    result = runner.invoke(data_app, [*args, "--family", "letters-down"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["family"] == "letters-down" == manifest["knobs"]["family"]
    layout = json.loads((out / "layout" / "syn-000000.json").read_text())
    assert layout["knobs"]["family"] == "letters-down"
    bad = runner.invoke(data_app, [*args, "--family", "nope"])
    assert bad.exit_code != 0 and "asc" in bad.output


def test_mlflow_params_name_the_family(root: str, tmp_path: Path):
    import mlflow

    from training.synth.mlflow_log import log_dataset

    uri = tmp_path.as_uri()
    run_id = log_dataset(_generated("asc", root), uri)
    assert mlflow.MlflowClient(uri).get_run(run_id).data.params["family"] == "asc"
