"""`yogi train document` end to end on three generated pages: prepare (real OCR), train a couple
of steps, log to a temporary MLflow registry, gate, release and read a page with the champion."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from training.document.gate import gate

RULES = {"strictF1": 0.60}


def test_gate_promotes_only_what_beats_rules_and_champion():
    assert gate({"strictF1": 0.70}, RULES, None)[0] == "champion"
    alias, reason = gate({"strictF1": 0.55}, RULES, None)
    assert alias == "challenger" and "classical rules" in reason
    alias, reason = gate({"strictF1": 0.70}, RULES, {"strictF1": 0.75})
    assert alias == "challenger" and "champion" in reason
    assert gate({"strictF1": 0.80}, RULES, {"strictF1": 0.75})[0] == "champion"
    alias, reason = gate({"strictF1": 0.90}, RULES, None, champion_error="download failed")
    assert alias == "challenger" and "download failed" in reason
    real_worse = ({"strictF1": 0.86}, {"strictF1": 1.0})
    alias, reason = gate({"strictF1": 0.70}, RULES, None, real=real_worse)
    assert alias == "challenger" and "real pages" in reason
    assert gate({"strictF1": 0.70}, RULES, None, real=({"strictF1": 1.0}, {"strictF1": 1.0})
                )[0] == "champion"


def test_a_model_that_reads_the_real_pages_worse_than_the_champion_waits():
    """Better on synthetic held-out pages and on par with the rules on the real ones is not
    enough: the champion serving now must not read the real pages better."""
    real = ({"strictF1": 0.98}, {"strictF1": 0.50})
    alias, reason = gate({"strictF1": 0.80}, RULES, {"strictF1": 0.75}, real=real,
                         champion_real={"strictF1": 1.0})
    assert alias == "challenger" and "current champion's 1.0000" in reason
    assert gate({"strictF1": 0.80}, RULES, {"strictF1": 0.75}, real=real,
                champion_real={"strictF1": 0.98})[0] == "champion"


def test_a_prepare_stopped_mid_write_resumes_without_its_torn_line(tmp_path: Path):
    from training.document.prepare import prepare

    (tmp_path / "pages").mkdir()
    cache = tmp_path / "reading.jsonl"
    cache.write_text('{"id": "syn-000000"}\n{"id": "syn-000001"}\n{"id": "syn-00')
    assert prepare(tmp_path, cache) == 2  # no pages left to read; the torn page is dropped
    assert cache.read_text() == '{"id": "syn-000000"}\n{"id": "syn-000001"}\n'



def test_a_merged_copy_keeps_the_frozen_states_and_relabels_its_times(prepared: Path):
    import numpy as np

    from training.document.data import load_examples, merged_copy

    example = next(e for e in load_examples(prepared)
                   if len({(line.row, line.col) for line in e.reading.lines if line.table == 0})
                   >= 2)
    example.tensors.frozen = object()  # stands for the cached encoder output
    tensors, targets = merged_copy(example, np.random.default_rng(0))
    assert tensors is not example.tensors and tensors.frozen is example.tensors.frozen
    assert not np.array_equal(tensors.layout.numpy(), example.tensors.layout.numpy())
    atoms = tensors.atoms.shape[0]
    assert targets.start_of.shape == targets.end_of.shape == (len(example.reading.lines),
                                                              atoms + 1)
    assert targets.roles == example.targets.roles  # only the cells changed, not the lines


def test_training_logs_registers_and_gates(prepared: Path, tmp_path: Path):
    from mlflow import MlflowClient

    from training.document.train import train_document

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    result = train_document([prepared], epochs=1, max_steps=2, accumulate=1, held_out=0.34,
                            out_dir=tmp_path / "out", tracking_uri=uri, threads=2, samples=1)
    client = MlflowClient(uri)
    run = client.get_run(result.run_id)
    assert run.data.params["pages_train"] == "2" and run.data.params["pages_held_out"] == "1"
    for metric in ("heldout_strict_f1", "heldout_role_macro_f1", "rules_heldout_strictF1",
                   "gate_strict_f1", "train_wall_s"):
        assert metric in run.data.metrics
    artefacts = {a.path for a in client.list_artifacts(result.run_id)}
    assert {"confusion_matrix.png", "sample_pages", "release", "metrics.json"} <= artefacts
    version = client.get_model_version("yogi-document", result.version)
    assert result.alias in ("champion", "challenger")
    assert version.tags["gate_reason"] == result.reason
    assert str(client.get_model_version_by_alias("yogi-document", result.alias).version) == \
        result.version
    report = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert report["rules"]["strictF1"] == result.rules["strictF1"]


def test_a_committed_release_registers_and_serves_the_pipeline(prepared: Path, tmp_path: Path,
                                                               monkeypatch):
    """A fresh clone: the release folder → registry champion → `extract --tier document`."""
    from dataclasses import replace

    from inference.document.tier import load_champion
    from inference.pipeline import extract_file
    from inference.settings import Settings
    from training.document.release import RELEASE
    from training.document.train import train_document
    from training.registry import ensure_released

    out = tmp_path / "trained"
    train_document([prepared], epochs=1, max_steps=1, accumulate=1, held_out=0.34, out_dir=out,
                   tracking_uri=f"sqlite:///{tmp_path}/train.db", register=False, samples=1)
    release = replace(RELEASE, folder=out, identity=out / "release")
    uri = f"sqlite:///{tmp_path}/fresh.db"
    done = ensure_released(release, uri)
    assert done.created and done.alias == "champion"
    assert not ensure_released(release, uri).created  # idempotent

    settings = Settings(mlflow_tracking_uri=uri, data_dir=tmp_path / "state",
                        ocr_engine="rapid")  # this registry holds no yogi-ocr
    model, version = load_champion(tracking_uri=uri, cache_dir=settings.model_cache_dir)
    assert version == done.version
    page = sorted((prepared / "pages").glob("*.png"))[0]
    result, _ = extract_file(page, tier="document", settings=settings)
    assert result.tier == "document-model"
    assert result.model_versions["document"] == done.version
    # auto: the registry has a champion, so it is used
    by_default, _ = extract_file(page, settings=settings)
    assert by_default.tier == "document-model"
    classical, _ = extract_file(page, tier="classical", settings=settings)
    assert classical.tier == "classical"


def test_regating_a_release_copied_from_another_registry_leaves_this_one_alone(
        prepared: Path, tmp_path: Path, monkeypatch):
    """`yogi train document-gate` on a committed release: its metrics name a version of the
    registry it was trained in, which this registry does not hold."""
    from typer.testing import CliRunner

    from inference.settings import get_settings
    from training.cli import train_app
    from training.document.train import train_document

    out = tmp_path / "trained"
    train_document([prepared], epochs=1, max_steps=1, accumulate=1, held_out=0.34, out_dir=out,
                   tracking_uri=f"sqlite:///{tmp_path}/train.db", register=False, samples=0)
    report = json.loads((out / "metrics.json").read_text())
    (out / "metrics.json").write_text(json.dumps({**report, "version": "7"}))
    real = tmp_path / "real"
    for folder, source in (("images", "pages"), ("labels", "labels")):
        (real / folder).mkdir(parents=True)
        name = "syn-000000." + ("png" if folder == "images" else "json")
        shutil.copy(prepared / source / name, real / folder / name)
    monkeypatch.setenv("YOGI_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/other.db")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(train_app, ["document-gate", "--release", str(out),
                                                "--real", str(real)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "registry left alone" in result.output
    gated = json.loads((out / "metrics.json").read_text())
    assert gated["alias"] in ("champion", "challenger") and "document" in gated["real"]


def test_each_training_set_is_split_alike(prepared: Path, tmp_path: Path):
    from training.document.data import load_examples, split, split_sets

    second = tmp_path / "second"
    shutil.copytree(prepared, second)
    train, test = split_sets([prepared, second], held_out=0.34, seed=0)
    alone = split(load_examples(prepared), 0.34, 0)[1]
    assert len(train) == 4 and len(test) == 2
    assert [e.id for e in test][:1] == [e.id for e in alone]  # the first set's split unchanged
    assert {e.id.split("/")[0] for e in test} == {prepared.name, "second"}


def test_preparing_a_folder_without_pages_is_refused_in_one_line(tmp_path: Path):
    from typer.testing import CliRunner

    from training.cli import train_app

    result = CliRunner().invoke(train_app, ["document-prepare", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds no pages/ folder" in result.output and "Traceback" not in result.output
