"""The registry lookup behind every served model: `models:/NAME@ALIAS` → a local artefact. A
cold process must not pay for MLflow while the registry is unchanged, and must follow the
alias the moment it moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from inference.model_store import ModelUnavailable, registry_stamp, resolve_artefact

ARTEFACT = "artifacts/weights.txt"


class Registry:
    """A SQLite registry holding `tiny`, each version's artefact naming its version."""

    def __init__(self, root: Path) -> None:
        from mlflow import MlflowClient

        self.root = root
        self.uri = f"sqlite:///{root}/mlflow.db"
        self.client = MlflowClient(self.uri, registry_uri=self.uri)
        self.experiment = self.client.create_experiment(
            "tiny", artifact_location=(root / "artefacts").as_uri())
        self.client.create_registered_model("tiny")

    def add_version(self, text: str) -> str:
        run = self.client.create_run(self.experiment)
        source = self.root / text
        source.mkdir()
        (source / "weights.txt").write_text(text)
        self.client.log_artifact(run.info.run_id, str(source / "weights.txt"),
                                 artifact_path="model/artifacts")
        self.client.set_terminated(run.info.run_id)
        version = self.client.create_model_version(
            "tiny", source=f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
        return str(version.version)

    def point(self, alias: str, version: str) -> None:
        self.client.set_registered_model_alias("tiny", alias, version)


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "registry")


def resolve(registry: Registry, cache: Path, alias: str = "champion"):
    return resolve_artefact("tiny", ARTEFACT, alias=alias, tracking_uri=registry.uri,
                            cache_dir=cache)


def mlflow_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any registry lookup from here on fails the test."""
    import mlflow

    def refuse(*args, **kwargs):
        raise AssertionError("the registry was asked")

    monkeypatch.setattr(mlflow, "MlflowClient", refuse)


def test_an_unchanged_registry_is_not_asked_again(registry, tmp_path, monkeypatch):
    registry.point("champion", registry.add_version("first"))
    first = resolve(registry, tmp_path / "cache")
    mlflow_forbidden(monkeypatch)
    again = resolve(registry, tmp_path / "cache")
    assert again == first and again.path.read_text() == "first"


def test_a_moved_alias_is_followed(registry, tmp_path):
    registry.point("champion", registry.add_version("first"))
    assert resolve(registry, tmp_path / "cache").path.read_text() == "first"
    registry.point("champion", registry.add_version("second"))
    moved = resolve(registry, tmp_path / "cache")
    assert (moved.version, moved.path.read_text()) == ("2", "second")
    # Back to the first version: an alias moved to an older version is followed too.
    registry.point("champion", "1")
    assert resolve(registry, tmp_path / "cache").path.read_text() == "first"


def test_a_missing_alias_is_remembered_until_it_is_set(registry, tmp_path, monkeypatch):
    version = registry.add_version("first")
    with pytest.raises(ModelUnavailable, match="tiny@champion"):
        resolve(registry, tmp_path / "cache")
    with monkeypatch.context() as patched:
        mlflow_forbidden(patched)
        with pytest.raises(ModelUnavailable, match="tiny@champion"):
            resolve(registry, tmp_path / "cache")
    registry.point("champion", version)
    assert resolve(registry, tmp_path / "cache").path.read_text() == "first"


def test_a_deleted_download_is_fetched_again(registry, tmp_path):
    registry.point("champion", registry.add_version("first"))
    first = resolve(registry, tmp_path / "cache")
    first.path.unlink()
    assert resolve(registry, tmp_path / "cache").path.read_text() == "first"


def test_only_a_sqlite_file_has_a_fingerprint(registry):
    stamp = registry_stamp(registry.uri)
    assert stamp is not None and stamp == registry_stamp(registry.uri)
    registry.add_version("first")
    assert registry_stamp(registry.uri) != stamp
    assert registry_stamp("http://127.0.0.1:5000") is None
    assert registry_stamp("postgresql://127.0.0.1/mlflow") is None
    assert registry_stamp(f"sqlite:///{registry.root}/absent.db") is None
