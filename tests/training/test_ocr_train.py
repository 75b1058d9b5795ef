"""The LoRA training loop end to end on a tiny set (3 steps, tmp MLflow store): it logs, registers
`yogi-ocr`, applies an alias, and the gate refuses to promote what does not beat the bar."""

from __future__ import annotations

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from training.ocr.train import MODEL_NAME, champion_cer, gate, score, train_ocr


def test_score():
    s = score(["abc", "abd", ""], ["abc", "abc", "x"])
    assert s["cer"] == pytest.approx(2 / 7)
    assert s["line_acc"] == pytest.approx(1 / 3)


def test_gate_promotes_only_what_beats_base_and_champion():
    assert gate(0.05, 0.10, None)[0] == "champion"
    assert gate(0.05, 0.10, 0.06)[0] == "champion"
    alias, reason = gate(0.05, 0.10, 0.01)
    assert alias == "challenger" and "champion" in reason
    alias, reason = gate(0.12, 0.10, None)
    assert alias == "challenger" and "base" in reason
    assert gate(0.10, 0.10, None)[0] == "challenger"  # a tie does not promote


def _fake_champion(uri: str, cer: float) -> str:
    """Register a stand-in version whose run logged a (very good) held-out CER, as champion."""
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    db = uri.removeprefix("sqlite:///")
    client.create_experiment("yogi-ocr", artifact_location=f"file://{db}.artifacts")
    mlflow.set_experiment("yogi-ocr")
    with mlflow.start_run(run_name="fake-champion") as run:
        mlflow.log_metric("heldout_cer", cer)
        mlflow.log_text("stand-in", "model/README.txt")
    client.create_registered_model(MODEL_NAME)
    version = client.create_model_version(MODEL_NAME, f"runs:/{run.info.run_id}/model",
                                          run.info.run_id)
    client.set_registered_model_alias(MODEL_NAME, "champion", version.version)
    return str(version.version)


def test_three_step_run_registers_and_gate_keeps_the_better_champion(ocr_set, tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    champion_version = _fake_champion(uri, cer=0.0)

    result = train_ocr(ocr_set, epochs=1, max_steps=3, batch_size=8, max_lines=64,
                       held_out=0.34, tracking_uri=uri, out_dir=tmp_path / "out",
                       eval_batch_size=16)

    client = MlflowClient(uri)
    assert result.version and result.version != champion_version
    assert result.alias == "challenger"
    by_alias = client.get_model_version_by_alias
    assert str(by_alias(MODEL_NAME, "challenger").version) == result.version
    assert str(by_alias(MODEL_NAME, "champion").version) == champion_version
    assert champion_cer(client) == (0.0, champion_version)
    tags = client.get_model_version(MODEL_NAME, result.version).tags
    assert tags["gate_reason"] == result.reason

    run = client.get_run(result.run_id)
    for key in ("base_heldout_cer", "heldout_cer", "heldout_line_acc", "train_loss"):
        assert key in run.data.metrics
    assert run.data.params["rank"] == "8"
    assert run.inputs.dataset_inputs, "the data set is logged as an MLflow input"
    artefacts = {a.path for a in client.list_artifacts(result.run_id)}
    assert {"adapter", "samples.png", "heldout_predictions.json"} <= artefacts
    adapter = {a.path for a in client.list_artifacts(result.run_id, "adapter")}
    assert {"adapter/adapter_model.safetensors", "adapter/adapter_config.json"} <= adapter

    # The registered pyfunc loads and reads a crop.
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@challenger")
    from training.ocr.crops import extract_crops
    from training.ocr.pyfunc import encode_png

    _, test, _ = extract_crops(ocr_set, held_out=0.34, max_lines=4)
    out = model.predict(pd.DataFrame({"image": [encode_png(c.image) for c in test[:2]]}))
    assert list(out.columns) == ["text", "confidence"] and len(out) == 2
