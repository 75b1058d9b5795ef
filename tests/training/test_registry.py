"""Released models → registry (`training/registry.py`) on temporary sqlite tracking URIs: one
registration per release content, `champion` for a release unless the training gate promoted
the champion, and the real OCR release logged with signature, input example and ONNX."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from training.registry import (
    RELEASE_TAG,
    Release,
    ReleaseBundle,
    ensure_released,
    release_alias,
    tree_sha256,
)


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


def toy_release(folder: Path, name: str = "yogi-toy") -> Release:
    """A release whose model is a trivial pyfunc: the registry logic without torch."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adapter").mkdir(exist_ok=True)
    if not (folder / "adapter" / "weights.bin").exists():
        (folder / "adapter" / "weights.bin").write_bytes(b"v1")
    (folder / "metrics.json").write_text('{"tuned": {"cer": 0.05}}')

    def build(release: Release, scratch: Path) -> ReleaseBundle:
        example = pd.DataFrame({"image": ["abc"]})

        def log_model():
            from mlflow.models import infer_signature

            return mlflow.pyfunc.log_model(name="model", python_model=Echo(),
                                           signature=infer_signature(example, example),
                                           input_example=example)

        return ReleaseBundle(params={"rank": 8}, metrics={"heldout_cer": 0.05},
                             files=[("adapter", release.identity),
                                    ("", release.folder / "metrics.json")],
                             log_model=log_model, tags={"tier": "toy"})

    return Release(name=name, folder=folder, identity=folder / "adapter", experiment=name,
                   build=build)


def test_tree_hash_follows_content_not_location(tmp_path):
    a, b = toy_release(tmp_path / "a"), toy_release(tmp_path / "b")
    assert tree_sha256(a.identity) == tree_sha256(b.identity)
    (b.identity / "weights.bin").write_bytes(b"v2")
    assert tree_sha256(a.identity) != tree_sha256(b.identity)
    assert tree_sha256(a.identity / "weights.bin") != tree_sha256(b.identity / "weights.bin")


def test_release_alias_never_displaces_a_gated_champion():
    assert release_alias(None)[0] == "champion"
    assert release_alias({RELEASE_TAG: "abc", "source": "release"})[0] == "champion"
    alias, reason = release_alias({"source": "training", "gate_reason": "beats base"})
    assert alias == "challenger" and "gate" in reason


def test_ensure_released_registers_once_per_release(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    release = toy_release(tmp_path / "release")
    first = ensure_released(release, uri)
    assert (first.created, first.version, first.alias) == (True, "1", "champion")
    again = ensure_released(release, uri)
    assert (again.created, again.version) == (False, "1")

    client = MlflowClient(uri)
    version = client.get_model_version_by_alias("yogi-toy", "champion")
    assert version.tags[RELEASE_TAG] == tree_sha256(release.identity)
    run = client.get_run(version.run_id)  # the MLflow UI shows the run that made it
    assert run.data.params["rank"] == "8" and run.data.metrics["heldout_cer"] == 0.05
    assert run.data.tags["source"] == "release"
    artefacts = {a.path for a in client.list_artifacts(version.run_id)}
    assert {"adapter", "metrics.json"} <= artefacts
    assert Path(uri.removeprefix("sqlite:///")).parent.joinpath("artifacts").is_dir()

    # New content is a new release: a new version, and champion moves from the old release.
    (release.identity / "weights.bin").write_bytes(b"v2")
    second = ensure_released(release, uri)
    assert (second.created, second.version, second.alias) == (True, "2", "champion")


def test_a_release_waits_as_challenger_behind_a_gated_champion(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    release = toy_release(tmp_path / "release")
    ensure_released(release, uri)
    client = MlflowClient(uri)
    # Pretend the training gate promoted a later version.
    trained = client.create_model_version("yogi-toy", "models:/yogi-toy/1",
                                          tags={"source": "training"})
    client.set_registered_model_alias("yogi-toy", "champion", trained.version)
    (release.identity / "weights.bin").write_bytes(b"v3")
    done = ensure_released(release, uri)
    assert done.alias == "challenger"
    assert client.get_model_version_by_alias("yogi-toy", "champion").version == trained.version


def test_ensure_all_skips_tiers_without_a_release(tmp_path, monkeypatch):
    from training import registry

    present = toy_release(tmp_path / "present", "yogi-toy")
    missing = replace(toy_release(tmp_path / "missing", "yogi-none"),
                      identity=tmp_path / "missing" / "nothing-here")
    releases = {"yogi-toy": present, "yogi-none": missing}
    monkeypatch.setattr(registry, "RELEASES", dict.fromkeys(releases, ("unused",)))
    monkeypatch.setattr(registry, "load_releases", lambda name: [releases[name]])
    done = registry.ensure_all(f"sqlite:///{tmp_path}/mlflow.db")
    assert [d.name for d in done] == ["yogi-toy"]


@pytest.mark.slow  # merges the committed adapter and exports ONNX: ~25 s
def test_the_committed_ocr_release_registers_behind_the_base(tmp_path):
    """The base recogniser is registered first and serves; the fine-tune gets the alias its
    real-page gate recorded in metrics.json (`yogi train ocr-gate`), with signature and ONNX."""
    import json

    from training.ocr.pyfunc import encode_png, text_crop
    from training.ocr.release import BASE, RELEASE, gate_tags

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    assert ensure_released(BASE, uri).alias == "champion"
    done = ensure_released(RELEASE, uri)
    recorded = gate_tags(json.loads((RELEASE.folder / "metrics.json").read_text()))
    assert done.created and done.alias == recorded["gate_alias"]
    model_uri = f"models:/yogi-ocr/{done.version}"
    info = mlflow.models.get_model_info(model_uri)
    assert info.signature is not None and info.saved_input_example_info is not None
    path = mlflow.artifacts.download_artifacts(
        artifact_uri=f"{model_uri}/artifacts/rec_merged.onnx", dst_path=str(tmp_path / "dl"))
    assert Path(path).stat().st_size > 5_000_000
    client = MlflowClient(uri)
    run = client.get_run(client.get_model_version("yogi-ocr", done.version).run_id)
    assert run.data.metrics["heldout_cer"] < run.data.metrics["base_heldout_cer"]
    assert run.data.metrics["onnx_max_abs_diff"] < 1e-3
    model = mlflow.pyfunc.load_model(model_uri)
    out = model.predict(pd.DataFrame({"image": [encode_png(text_crop("Phonics"))]}))
    assert out["text"][0] == "Phonics"
