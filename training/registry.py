"""Released models → the local MLflow registry, for every tier that commits one under `models/`.

A fresh clone has the released adapters in git but an empty registry (`mlruns/` is ignored), and
the pipeline resolves models from the registry, never from a file path. `ensure_released` closes
that gap: when no version of the registered model carries the tag `release_sha` equal to the
content hash of the release folder, it logs a run that rebuilds the release (params, held-out
metrics, the adapter and whatever serving artefacts the tier's builder makes), registers the
model with its signature and input example, and points `champion` at it.

A tier plugs in with a `Release`: its registered name, its release folder, the sub-folder whose
content identifies the release, and a `build` function returning a `ReleaseBundle`. The tiers
this module knows are listed in `RELEASES` as "module:attribute" strings (several per tier when
a base model is registered first), imported only when used, so `yogi models register` stays
fast when everything is registered already.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

# Registered model name → where its `Release`s live, registered in this order; the last is the
# tier's own trained release (the OCR tier first registers the shipped base it must beat).
RELEASES: dict[str, tuple[str, ...]] = {
    "yogi-ocr": ("training.ocr.release:BASE", "training.ocr.release:RELEASE"),
    "yogi-document": ("training.document.release:RELEASE",),
}

CHAMPION = "champion"
CHALLENGER = "challenger"
RELEASE_TAG = "release_sha"


@dataclass
class ReleaseBundle:
    """What a tier's builder hands back for one release run."""

    params: dict[str, Any]
    metrics: dict[str, float]
    # (run artefact folder, "" for the root; local file or folder to log there).
    files: list[tuple[str, Path]]
    # Logs the model inside the active run (pyfunc with signature and input example) and
    # returns its `ModelInfo`; registration is done here, not by the builder.
    log_model: Callable[[], Any]
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Release:
    name: str  # registered model name, e.g. "yogi-ocr"
    folder: Path  # the release folder, e.g. models/ocr
    identity: Path  # the files whose content names the release, e.g. models/ocr/adapter
    experiment: str  # MLflow experiment the release run goes to
    build: Callable[[Release, Path], ReleaseBundle]  # (release, scratch dir) → bundle

    def available(self) -> bool:
        return self.identity.exists()


@dataclass(frozen=True)
class Registered:
    name: str
    version: str
    created: bool  # False: the release was in the registry already
    alias: str  # the alias this call set ("" when it set none)
    reason: str


# --- pure helpers ------------------------------------------------------------------------------


def tree_sha256(path: Path) -> str:
    """Content hash of a file or folder: relative paths and bytes, in sorted order."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        rel = file.name if file == path else file.relative_to(path).as_posix()
        digest.update(rel.encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def release_alias(current_champion_tags: dict[str, str] | None) -> tuple[str, str]:
    """(alias, reason) for a newly registered release.

    A release becomes `champion` when there is none, or when the champion is itself an earlier
    release. A champion that the training gate promoted on a held-out set is not displaced by a
    release nobody re-scored here: the release waits as `challenger`."""
    if current_champion_tags is None:
        return CHAMPION, "first release in this registry"
    if RELEASE_TAG in current_champion_tags:
        return CHAMPION, "replaces an earlier release"
    return CHALLENGER, ("the current champion was promoted by the training gate; re-run the "
                        "gate to compare it with this release")


# --- MLflow plumbing ---------------------------------------------------------------------------


def default_tracking_uri() -> str:
    from inference.settings import get_settings

    return get_settings().mlflow_tracking_uri


def use_tracking(tracking_uri: str | None = None):
    """Point MLflow at `tracking_uri` (default: settings) and return a client for it."""
    import mlflow
    from mlflow import MlflowClient

    uri = tracking_uri or default_tracking_uri()
    if uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(uri, registry_uri=uri)


def start_training(experiment: str, tracking_uri: str | None, seed: int, threads: int | None
                   ) -> tuple[Any, str, Any]:
    """What every training job does first: torch threads and seeds, MLflow pointed at the
    tracking URI (default: settings) with the tier's experiment. Returns (client, uri, rng)."""
    import numpy as np
    import torch

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    uri = tracking_uri or default_tracking_uri()
    client = use_tracking(uri)
    ensure_experiment(client, experiment)
    return client, uri, np.random.default_rng(seed)


def ensure_experiment(client, name: str) -> str:
    """The experiment's id, creating it with artefacts beside a SQLite database (not in a
    `./mlruns` of whatever the working directory happens to be)."""
    import mlflow

    found = client.get_experiment_by_name(name)
    if found is not None:
        experiment_id = found.experiment_id
    else:
        uri = mlflow.get_tracking_uri()
        location = None
        if uri.startswith("sqlite:///"):
            location = (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
        experiment_id = client.create_experiment(name, artifact_location=location)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def version_by_alias(client, name: str, alias: str):
    """The model version an alias points at, or None (no such model or alias)."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


PREVIOUS_TAG = "previous_champion"


def promote(client, name: str, version: str, reason: str) -> str | None:
    """Point `champion` at `version`, remembering the version it leaves on the new one (what
    `rollback` returns to); returns that previous version."""
    previous = version_by_alias(client, name, CHAMPION)
    client.set_registered_model_alias(name, CHAMPION, version)
    client.set_model_version_tag(name, version, "gate_reason", reason)
    if previous is not None and str(previous.version) != str(version):
        client.set_model_version_tag(name, version, PREVIOUS_TAG, str(previous.version))
        return str(previous.version)
    return None


def rollback(client, name: str) -> tuple[str, str]:
    """Move `champion` back to the version the current one replaced; (from, to). The
    version left becomes `challenger`. Raises ValueError when there is nothing to return to."""
    current = version_by_alias(client, name, CHAMPION)
    if current is None:
        raise ValueError(f"{name} has no champion to roll back")
    previous = current.tags.get(PREVIOUS_TAG)
    if not previous:
        raise ValueError(f"{name} v{current.version} replaced no earlier champion")
    client.set_registered_model_alias(name, CHAMPION, previous)
    client.set_registered_model_alias(name, CHALLENGER, str(current.version))
    client.set_model_version_tag(name, str(current.version), "alias_reason", "rolled back")
    return str(current.version), previous


def versions(client, name: str) -> list:
    from mlflow.exceptions import MlflowException

    try:
        return list(client.search_model_versions(f"name = '{name}'"))
    except MlflowException:
        return []


def find_release(client, name: str, sha: str):
    """The version registered from the release with content hash `sha`, or None."""
    return next((v for v in versions(client, name) if v.tags.get(RELEASE_TAG) == sha), None)


# --- the one entry point -----------------------------------------------------------------------


@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="yogi-release-") as tmp:
        yield Path(tmp)


def ensure_released(release: Release, tracking_uri: str | None = None) -> Registered:
    """Register `release` unless a version with its content hash exists (idempotent)."""
    import mlflow

    client = use_tracking(tracking_uri)
    sha = tree_sha256(release.identity)
    existing = find_release(client, release.name, sha)
    if existing is not None:
        return Registered(release.name, str(existing.version), False, "",
                          "already registered")

    ensure_experiment(client, release.experiment)
    with _scratch() as scratch:
        bundle = release.build(release, scratch)
        with mlflow.start_run(run_name=f"release-{sha[:12]}") as run:
            mlflow.log_params(bundle.params)
            mlflow.log_metrics(bundle.metrics)
            mlflow.set_tags({**bundle.tags, RELEASE_TAG: sha, "source": "release",
                             "release_folder": str(release.folder)})
            for artefact_dir, local in bundle.files:
                if local.is_dir():
                    mlflow.log_artifacts(str(local), artefact_dir or None)
                else:
                    mlflow.log_artifact(str(local), artefact_dir or None)
            info = bundle.log_model()
            version = mlflow.register_model(info.model_uri, release.name,
                                            tags={RELEASE_TAG: sha, "source": "release"})
    current = version_by_alias(client, release.name, CHAMPION)
    alias, reason = release_alias(current.tags if current is not None else None)
    if bundle.tags.get("gate_alias") == CHALLENGER:
        # The training run's gate kept this model a challenger: releasing it changes nothing.
        alias, reason = CHALLENGER, f"training gate: {bundle.tags.get('gate_reason', '')}"
    client.set_registered_model_alias(release.name, alias, version.version)
    client.set_model_version_tag(release.name, version.version, "alias_reason", reason)
    log.info("release registered", model=release.name, version=str(version.version),
             alias=alias, reason=reason, run_id=run.info.run_id)
    return Registered(release.name, str(version.version), True, alias, reason)


def load_releases(name: str) -> list[Release]:
    """The releases registered under `name`, in registration order."""
    found = []
    for where in RELEASES[name]:
        module, _, attribute = where.partition(":")
        found.append(getattr(importlib.import_module(module), attribute))
    return found


def load_release(name: str) -> Release:
    """The tier's own trained release (the last of `load_releases`)."""
    return load_releases(name)[-1]


def ensure_all(tracking_uri: str | None = None) -> list[Registered]:
    """`ensure_released` for every known release whose files exist, in order."""
    return [ensure_released(release, tracking_uri)
            for name in RELEASES for release in load_releases(name) if release.available()]
