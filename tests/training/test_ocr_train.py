"""The OCR training run: metrics, the promotion gate as a pure function, the held-out guards, and
one tiny run end to end (3 steps, tmp MLflow store) whose gate re-scores the real released
champion on the same crops as the new model."""

from __future__ import annotations

import math
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from training.ocr.crops import Crop, fold_text
from training.ocr.train import (
    MODEL_NAME,
    category_metrics,
    check_disjoint,
    gate,
    score,
    train_ocr,
)

DEV = Path(__file__).resolve().parents[3] / "shared" / "dev"

NAN = float("nan")


def test_score():
    s = score(["abc", "abd", ""], ["abc", "abc", "x"])
    assert s["cer"] == pytest.approx(2 / 7)
    assert s["line_acc"] == pytest.approx(1 / 3)
    assert s["word_acc"] == pytest.approx(1 / 3)  # 2 of 3 one-word lines wrong
    spaced = score(["9:00-9:30"], ["9:00 - 9:30"])
    assert spaced["cer"] == pytest.approx(2 / 11) and spaced["cer_nospace"] == 0.0
    assert math.isnan(score([], [])["cer"])


def test_dashes_fold_onto_the_dictionary():
    assert fold_text("9:00–9:30 — Maths − 2") == "9:00-9:30 - Maths - 2"
    assert fold_text("Reader's Workshop") == "Reader's Workshop"


def _crop(text: str, angle: int = 0, font: str = "DejaVu Sans", role: str = "event",
          rel_height: float = 1.0) -> Crop:
    return Crop(None, text, "syn-000000", angle, font, role, rel_height)  # type: ignore[arg-type]


def test_categories_pick_rotated_small_times_and_handwriting():
    crops = [_crop("Maths"), _crop("PE", angle=90), _crop("9:00", role="time", rel_height=0.6),
             _crop("9:00", role="time", rel_height=1.0), _crop("Art", font="Comic Neue")]
    m = category_metrics(crops, ["Maths", "PF", "9.00", "9:00", "Art"])
    assert (m["n"], m["rotated_n"], m["small_time_n"], m["hand_n"]) == (5, 1, 1, 1)
    assert m["rotated_cer"] == 0.5 and m["small_time_cer"] == 0.25 and m["hand_cer"] == 0.0
    assert m["upright_n"] == 4


BASE = {"cer": 0.10, "rotated_cer": 0.09, "small_time_cer": 0.20, "hand_cer": 0.30}


def test_gate_promotes_only_what_beats_base_and_champion_on_the_same_crops():
    better = {"cer": 0.05, "rotated_cer": 0.08, "small_time_cer": 0.10, "hand_cer": 0.25}
    assert gate(better, BASE, None)[0] == "champion"
    alias, reason = gate(better, BASE, {"cer": 0.06})
    assert alias == "champion" and "champion 0.0600" in reason
    alias, reason = gate(better, BASE, {"cer": 0.04})
    assert alias == "challenger" and "champion" in reason and "same crops" in reason
    assert gate(better, BASE, {"cer": 0.05})[0] == "challenger"  # a tie does not promote
    alias, reason = gate({**better, "cer": 0.12}, BASE, None)
    assert alias == "challenger" and "base" in reason
    assert gate({**better, "cer": 0.10}, BASE, None)[0] == "challenger"


def test_gate_guards_the_weak_spots_and_refuses_an_unmeasured_champion():
    better = {"cer": 0.05, "rotated_cer": 0.08, "small_time_cer": 0.10, "hand_cer": 0.25}
    alias, reason = gate({**better, "small_time_cer": 0.21}, BASE, None)
    assert alias == "challenger" and reason.startswith("small_time_cer")
    # A category with no crops (NaN) is not a reason to refuse.
    assert gate({**better, "hand_cer": NAN}, {**BASE, "hand_cer": NAN}, None)[0] == "champion"
    alias, reason = gate(better, BASE, None, champion_error="no ONNX artefact")
    assert alias == "challenger" and "could not be re-scored" in reason


def test_a_heldout_set_with_the_training_seed_is_refused(ocr_set, tmp_path):
    with pytest.raises(ValueError, match="training documents"):
        check_disjoint(ocr_set, ocr_set)


@pytest.fixture(scope="module")
def released_champion(tmp_path_factory):
    """A tmp registry as `make setup` leaves it: the base recogniser as champion."""
    from training.ocr.release import BASE
    from training.registry import ensure_released

    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow')}/mlflow.db"
    done = ensure_released(BASE, uri)
    assert done.created and done.alias == "champion"
    return uri, done.version


@pytest.mark.slow  # release export + 3 training steps + three ONNX scorings: ~1-2 min
def test_three_step_run_rescores_the_champion_and_gates(ocr_set, ocr_heldout_set,
                                                         released_champion, tmp_path):
    uri, champion_version = released_champion
    result = train_ocr([ocr_set], epochs=1, max_steps=3, batch_size=8, max_lines=64,
                       held_out=0.34, tracking_uri=uri, out_dir=tmp_path / "out",
                       eval_batch_size=16, heldout_dirs=[ocr_heldout_set],
                       heldout_max_lines=40)

    client = MlflowClient(uri)
    assert result.version and result.version != champion_version
    # The champion was re-scored on exactly the crops the new model and the base were.
    assert result.champion is not None
    assert result.champion["n"] == result.tuned["n"] == result.base["n"]
    assert (result.alias, result.reason) == gate(result.tuned, result.base, result.champion)
    by_alias = client.get_model_version_by_alias
    assert str(by_alias(MODEL_NAME, result.alias).version) == result.version
    if result.alias == "challenger":
        assert str(by_alias(MODEL_NAME, "champion").version) == champion_version
    tags = client.get_model_version(MODEL_NAME, result.version).tags
    assert tags["gate_reason"] == result.reason and tags["source"] == "training"

    run = client.get_run(result.run_id)
    for key in ("base_heldout_cer", "heldout_cer", "heldout_word_acc", "heldout_line_acc",
                "train_loss", "gate_base_cer", "gate_tuned_cer", "gate_champion_cer",
                "gate_tuned_small_time_n", "onnx_max_abs_diff"):
        assert key in run.data.metrics, key
    assert run.data.metrics["onnx_max_abs_diff"] < 1e-3
    assert run.data.params["rank"] == "8"
    contexts = sorted(i.tags[0].value for i in run.inputs.dataset_inputs)
    assert contexts == ["evaluation", "training"], "both data sets are logged as MLflow inputs"
    artefacts = {a.path for a in client.list_artifacts(result.run_id)}
    assert {"adapter", "samples.png", "heldout_predictions.json", "metrics.json"} <= artefacts

    # The registered pyfunc has a signature and reads a crop through its ONNX artefact.
    info = mlflow.models.get_model_info(f"models:/{MODEL_NAME}/{result.version}")
    assert info.signature is not None and info.saved_input_example_info is not None
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{result.version}")
    from training.ocr.pyfunc import encode_png, text_crop

    out = model.predict(pd.DataFrame({"image": [encode_png(text_crop("Maths"))]}))
    assert list(out.columns) == ["text", "confidence"] and out["text"][0] == "Maths"


@pytest.mark.slow  # one real page read by both aliases + the held-out crops: ~1 min
def test_the_real_page_gate_keeps_a_challenger_that_reads_them_no_better(
        released_champion, ocr_heldout_set, tmp_path):
    import shutil

    from inference.settings import Settings
    from training.ocr.real_gate import judge

    uri, _ = released_champion
    real = tmp_path / "real"
    for part, name in (("images", "ra_6.png"), ("labels", "ra_6.json")):
        (real / part).mkdir(parents=True)
        shutil.copy(DEV / part / name, real / part / name)
    client = MlflowClient(uri)
    # The champion against itself (a run above may have promoted its own version).
    version = str(client.get_model_version_by_alias(MODEL_NAME, "champion").version)
    client.set_registered_model_alias(MODEL_NAME, "challenger", version)
    try:
        verdict = judge(real, [ocr_heldout_set],
                        Settings(mlflow_tracking_uri=uri, data_dir=tmp_path / "data"))
    finally:
        client.delete_registered_model_alias(MODEL_NAME, "challenger")
    # The same recogniser on both sides: it read the page (the rules tier: no document model
    # in this registry), and a tie is no win.
    assert verdict.champion == verdict.challenger and verdict.challenger.names_fuzzy > 0.8
    assert not verdict.promote and "does not read the real pages' names better" in verdict.reason
    assert client.get_model_version(MODEL_NAME, version).tags["real_gate_reason"] == \
        verdict.reason
    assert str(client.get_model_version_by_alias(MODEL_NAME, "champion").version) == version


@pytest.mark.slow
def test_run_without_registry_keeps_the_registry_untouched(ocr_set, tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    result = train_ocr([ocr_set], epochs=1, max_steps=1, batch_size=8, max_lines=24,
                       held_out=0.34, tracking_uri=uri, out_dir=tmp_path / "out",
                       register=False)
    assert result.version == "" and result.alias == ""
    assert (tmp_path / "out" / "rec_merged.onnx").is_file()
    assert MlflowClient(uri).search_registered_models() == []


def test_release_metrics_map_onto_training_names():
    from training.ocr.release import release_metrics

    report = {"base": {"cer": 0.1, "n": 3, "hand_cer": NAN}, "tuned": {"cer": 0.05},
              "train_seconds": 12.0}
    assert release_metrics(report) == {"base_heldout_cer": 0.1, "base_heldout_n": 3.0,
                                       "heldout_cer": 0.05, "train_wall_s": 12.0}

