"""`--ocr model`: the fine-tuned recogniser comes from the registry (`models:/yogi-ocr@champion`),
is cached, is never registered on the serving path, and its version lands in
`modelVersions.ocr`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from inference.cli import app


def test_engine_resolves_the_champion_and_caches_its_onnx(ocr_registry, tmp_path):
    from inference.model_store import resolve_artefact
    from inference.ocr import ModelOcrEngine
    from inference.settings import Settings

    engine = ModelOcrEngine(Settings(mlflow_tracking_uri=ocr_registry, data_dir=tmp_path))
    assert engine.model_versions == {"ocr": "1"}
    assert engine.resolved.uri == "models:/yogi-ocr@champion"
    assert engine.resolved.path.is_file() and engine.resolved.path.name == "rec_merged.onnx"
    # A second resolution is served from the cache folder keyed by version and run.
    again = resolve_artefact("yogi-ocr", ModelOcrEngine.ARTEFACT, tracking_uri=ocr_registry,
                             cache_dir=engine.resolved.path.parents[3])
    assert again.path == engine.resolved.path


def test_another_registry_uri_does_not_redirect_the_download(ocr_registry, tmp_path):
    """The artefact comes from the registry yogi was pointed at, even when the process names
    another registry (MLFLOW_REGISTRY_URI or `mlflow.set_registry_uri`), where MLflow would
    resolve a `models:/` URI."""
    import mlflow

    from inference.model_store import resolve_artefact
    from inference.ocr import ModelOcrEngine

    before = mlflow.get_registry_uri()
    mlflow.set_registry_uri(f"sqlite:///{tmp_path}/elsewhere.db")
    try:
        resolved = resolve_artefact("yogi-ocr", ModelOcrEngine.ARTEFACT,
                                    tracking_uri=ocr_registry, cache_dir=tmp_path / "cache")
    finally:
        mlflow.set_registry_uri(before)
    assert resolved.path.is_file() and resolved.path.name == "rec_merged.onnx"


def test_missing_alias_is_a_clear_error(ocr_registry, tmp_path):
    from inference.model_store import ModelUnavailable, resolve_artefact

    with pytest.raises(ModelUnavailable, match="yogi-ocr@nobody"):
        resolve_artefact("yogi-ocr", "artifacts/rec_merged.onnx", alias="nobody",
                         tracking_uri=ocr_registry, cache_dir=tmp_path)


def test_an_empty_registry_is_not_filled_on_the_serving_path(tmp_path):
    """Releases are registered at set-up (`yogi models register`), not by the first extraction:
    the engine says what to run instead of writing to the registry."""
    from inference.model_store import ModelUnavailable
    from inference.ocr import ModelOcrEngine
    from inference.settings import Settings

    uri = f"sqlite:///{tmp_path}/empty.db"
    with pytest.raises(ModelUnavailable, match="yogi models register"):
        ModelOcrEngine(Settings(mlflow_tracking_uri=uri, data_dir=tmp_path))


@pytest.mark.slow  # a real page through detection + the stand-in recogniser: ~15 s
def test_extract_with_model_names_the_registry_version(model_settings, sample_png):
    result = CliRunner().invoke(app, ["extract", str(sample_png), "--ocr", "model",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Both fine-tuned tiers name their registry version: the OCR model asked for, and the
    # document model `--tier auto` reads with (the committed release is the champion).
    assert data["modelVersions"] == {"ocr": "1", "document": "1"}
    assert data["timeblocks"], "the stand-in is the base recogniser: it must still read"


def test_models_list_and_register(model_settings, monkeypatch):
    from training import registry

    listed = CliRunner().invoke(app, ["models", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    ocr = next(row for row in json.loads(listed.stdout) if row["name"] == "yogi-ocr")
    assert ocr["aliases"] == ["champion"] and ocr["source"] == "release"

    # The base and the document release are registered already: `register` is a no-op for them
    # (the committed fine-tune is left out: registering it exports ONNX, ~25 s).
    monkeypatch.setitem(registry.RELEASES, "yogi-ocr", ("training.ocr.release:BASE",))
    again = CliRunner().invoke(app, ["models", "register"])
    assert again.exit_code == 0, again.output
    assert "already registered as v1" in again.stdout


@pytest.mark.slow  # loads the torch module as well as two ONNX sessions: ~20 s
def test_bench_ocr_writes_json(model_settings, tmp_path):
    out = tmp_path / "ocr.json"
    result = CliRunner().invoke(app, ["bench", "ocr", "--batch", "4", "--repeats", "1",
                                      "--threads", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report["cropsPerSecond"]) == {"base onnx", "fine-tuned onnx", "torch"}
    assert all(v > 0 for v in report["cropsPerSecond"].values())
    assert report["fineTunedVersion"] == "1"


def test_bench_ocr_refuses_without_a_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("YOGI_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/none.db")
    result = CliRunner().invoke(app, ["bench", "ocr"])
    assert result.exit_code == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: models:/yogi-ocr@champion is not in the registry")
