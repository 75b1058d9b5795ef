"""The synthetic data generator: deterministic, labels agree with the pixels, the variety it
promises actually occurs, and the CLI / MLflow plumbing works."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from inference.schema import HHMM_PATTERN, TimetableData
from training.data_cli import data_app
from training.synth.writer import plan_document, synthesize

N = 10


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "a"
    synthesize(out, N, seed=7, photo_share=0.5, workers=2)
    return out


def _docs(directory: Path) -> list[tuple[dict, dict, Image.Image]]:
    out = []
    for path in sorted((directory / "labels").glob("*.json")):
        label = json.loads(path.read_text())
        layout = json.loads((directory / "layout" / path.name).read_text())
        page = Image.open(directory / "pages" / f"{path.stem}.png").convert("L")
        out.append((label, layout, page))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_identical_files_whatever_the_workers(dataset: Path, tmp_path: Path):
    again = tmp_path / "b"
    manifest = synthesize(again, N, seed=7, photo_share=0.5, workers=1)
    first = json.loads((dataset / "manifest.json").read_text())
    assert manifest["contentHash"] == first["contentHash"]
    for sub in ("labels", "layout", "pages"):
        names = sorted(p.name for p in (dataset / sub).iterdir())
        assert names == sorted(p.name for p in (again / sub).iterdir())
        for name in names:
            assert (dataset / sub / name).read_bytes() == (again / sub / name).read_bytes(), name


def test_other_seed_gives_other_set(dataset: Path, tmp_path: Path):
    manifest = synthesize(tmp_path / "c", 2, seed=8, photo_share=0.5)
    assert manifest["contentHash"] != json.loads((dataset / "manifest.json").read_text())[
        "contentHash"]


# --- labels agree with the page -------------------------------------------------------------------


def test_labels_are_valid_contract_json(dataset: Path):
    hhmm = re.compile(HHMM_PATTERN)
    for label, layout, _ in _docs(dataset):
        data = TimetableData.model_validate(label)
        start_only = bool(layout["knobs"]["counts"].get("single_start_header"))
        assert data.tier == "human" and data.confidence == 1.0
        assert data.timeblocks
        for block in data.timeblocks:
            assert hhmm.match(block.start_time or "")
            if block.end_time is not None:
                assert hhmm.match(block.end_time) and block.end_time > block.start_time
            else:  # a start-only header says no end; a list may only imply one (unscored)
                assert start_only or not block.time_scored


def test_every_line_box_is_inside_the_page_and_has_ink(dataset: Path):
    checked = {True: 0, False: 0}
    for _, layout, page in _docs(dataset):
        pixels = np.asarray(page, dtype=np.int16)
        assert page.size == (layout["width"], layout["height"])
        for line in layout["lines"]:
            x0, y0, x1, y1 = line["box"]
            assert 0 <= x0 < x1 <= layout["width"] and 0 <= y0 < y1 <= layout["height"], line
            crop = pixels[int(y0):int(np.ceil(y1)) + 1, int(x0):int(np.ceil(x1)) + 1]
            # Ink: the darkest pixels stand clearly apart from the box's background. A glyph a
            # few pixels across (one letter of a day name written down a narrow column, on a
            # downscaled photo) is blurred into its background: only its place is checked.
            if min(x1 - x0, y1 - y0) >= 6:
                assert np.percentile(crop, 90) - crop.min() > 25, line
        checked[layout["photo"]] += 1
    assert checked[True] and checked[False]  # both photo and non-photo pages were checked


def test_every_block_name_is_written_in_its_event_lines(dataset: Path):
    for label, layout, _ in _docs(dataset):
        for i, block in enumerate(label["timeblocks"]):
            lines = [ln["text"] for ln in layout["lines"]
                     if ln["role"] == "event" and i in ln["blocks"]]
            joined = "".join(lines).replace(" ", "")
            assert block["name"].replace(" ", "") in joined, (block, lines)


def test_cells_and_lines_point_at_real_blocks(dataset: Path):
    for label, layout, _ in _docs(dataset):
        n = len(label["timeblocks"])
        covered = {b for cell in layout["cells"] for b in cell["blocks"]}
        assert covered == set(range(n))
        for line in layout["lines"]:
            assert all(0 <= b < n for b in line["blocks"])
            assert line["cell"] is None or 0 <= line["cell"] < len(layout["cells"])
            assert line["angle"] in (0, 90, 270)


def test_header_fields_are_written_on_the_page(dataset: Path):
    for label, layout, _ in _docs(dataset):
        heading = " ".join(ln["text"] for ln in layout["lines"] if ln["fields"])
        for key in ("teacher", "className", "term"):
            if label[key] is not None:
                assert label[key] in heading
        if label["year"] is not None:
            assert str(label["year"]) in heading


def test_clean_horizontal_lines_read_back_with_ocr(tmp_path: Path):
    rapid = pytest.importorskip("rapidocr_onnxruntime")
    engine = rapid.RapidOCR()
    out = tmp_path / "clean"
    synthesize(out, 16, seed=3, photo_share=0.0, workers=2)
    total = exact = 0
    for _, layout, _ in _docs(out):
        knobs = layout["knobs"]
        if knobs["capture"] != "clean" or knobs["render"]["font_style"] == "hand":
            continue
        page = np.asarray(Image.open(out / "pages" / f"{layout['id']}.png").convert("RGB"))
        lines = [ln for ln in layout["lines"] if ln["angle"] == 0 and len(ln["text"]) > 3
                 and ln["role"] in ("event", "day", "heading", "time")][:25]
        for line in lines:
            x0, y0, x1, y1 = (int(v) for v in line["box"])
            crop = page[max(0, y0 - 4):y1 + 5, max(0, x0 - 4):x1 + 5]
            result, _ = engine(crop, use_det=False, use_cls=False, use_rec=True)
            text = result[0][0] if result else ""
            total += 1
            exact += _norm(text) == _norm(line["text"])
    assert total >= 40
    assert exact / total >= 0.8, (exact, total)


# --- variety ------------------------------------------------------------------------------------


def test_every_variety_knob_occurs_over_fifty_documents():
    plans = [plan_document(11, i, 0.4) for i in range(60)]
    seen: Counter[str] = Counter()
    for plan in plans:
        k, c = plan.knobs, plan.content
        seen.update([f"layout:{c.layout}", f"days:{len(c.days)}", f"day:{k.day_style}",
                     f"ruling:{k.ruling}", f"fills:{k.fills}", f"font:{k.font_style}",
                     f"capture:{plan.capture}", f"ampm:{c.style.ampm}", f"logo:{k.logo}",
                     f"region:{c.region}", f"rotate:{k.rotate}"])
        seen.update(f"case:{name}" for name in c.counts)
        seen.update(f"field:{f}" for f in ("teacher", "class_name", "term", "year")
                    if getattr(plan.label, f) is not None)
        seen.update(["break_words"] * k.break_words + ["highlight"] * k.highlight_times
                    + ["coloured_text"] * k.coloured_text + ["footnote"] * bool(c.footnote))
    expected = {
        "layout:days_rows", "layout:days_cols", "layout:list", "days:5", "days:6",
        "day:full", "day:short", "day:letter", "day:vertical", "day:rotated", "day:upper",
        "ruling:ruled", "ruling:partly", "ruling:unruled", "fills:subjects", "fills:none",
        "font:sans", "font:serif", "font:hand", "capture:clean", "capture:photo",
        "capture:scan", "capture:screenshot", "ampm:none", "ampm:end", "ampm:24h",
        "logo:crest", "region:uk", "region:us", "rotate:90", "rotate:270",
        "case:spanning", "case:merged_slots", "case:split", "case:printed_time",
        "case:time_override", "case:multi_day", "case:single_start", "case:empty",
        "field:teacher", "field:class_name", "field:term", "field:year",
        "break_words", "highlight", "coloured_text", "footnote",
    }
    assert expected <= set(seen), expected - set(seen)


def test_rotated_text_and_pdfs_occur(dataset: Path):
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert any(d["rotatedLines"] for d in manifest["documents"])
    assert all((dataset / "pages" / f"{d['id']}.pdf").exists() == d["pdf"]
               for d in manifest["documents"])


# --- CLI and MLflow -----------------------------------------------------------------------------


def test_stats_and_sheet_commands(dataset: Path, tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(data_app, ["stats", str(dataset)])
    assert result.exit_code == 0, result.output
    assert "layout mix" in result.output and "PDF share" in result.output
    sheet = tmp_path / "sheet.png"
    real = Path("/work/shared/dev/images")
    args = ["sheet", str(dataset), "--out", str(sheet)]
    result = runner.invoke(data_app, args + (["--with", str(real)] if real.is_dir() else []))
    assert result.exit_code == 0, result.output
    assert Image.open(sheet).size[0] > 1000


def test_synth_command_writes_a_set(tmp_path: Path):
    out = tmp_path / "cli"
    result = CliRunner().invoke(data_app, ["synth", "--n", "2", "--out", str(out), "--seed", "5",
                                           "--no-mlflow"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n"] == 2 and manifest["seed"] == 5 and len(manifest["contentHash"]) == 64
    assert len(list((out / "pages").glob("*.png"))) == 2


def test_mlflow_logs_the_set_as_a_dataset(dataset: Path, tmp_path: Path):
    import mlflow

    from training.synth.mlflow_log import EXPERIMENT, load_dataset, log_dataset

    uri = tmp_path.as_uri()
    run_id = log_dataset(dataset, uri)
    run = mlflow.MlflowClient(uri).get_run(run_id)
    assert run.data.params["seed"] == "7" and run.data.params["n"] == str(N)
    assert mlflow.MlflowClient(uri).get_experiment(run.info.experiment_id).name == EXPERIMENT
    logged = run.inputs.dataset_inputs[0].dataset
    ds = load_dataset(dataset)
    assert logged.digest == ds.digest and logged.name == ds.name
