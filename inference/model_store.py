"""Serving artefacts resolved from the MLflow registry (`models:/NAME@ALIAS`), cached locally.

The pipeline never reads a model from a path in the repo: it asks the registry which version
the alias names, then downloads that version's artefact once into
`<data_dir>/models/<name>/v<version>-<run>/` (the run id is in the key because version numbers
restart in every registry, e.g. a test's temporary one). Committed releases are put into the
registry at set-up time (`make setup` runs `yogi models register`), never on the serving path:
a missing alias is a `ModelUnavailable` saying so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


class ModelUnavailable(RuntimeError):
    """The registry has no version under the alias, or that version lacks the artefact."""


@dataclass(frozen=True)
class ResolvedArtefact:
    name: str
    version: str
    path: Path
    uri: str  # what was resolved, e.g. models:/yogi-ocr@champion


def cache_key(version: str, run_id: str | None) -> str:
    return f"v{version}-{(run_id or 'norun')[:12]}"


def alias_version(name: str, alias: str, *, tracking_uri: str) -> str | None:
    """The version `name@alias` names in the registry now, or None (no such model or alias)."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        client = MlflowClient(tracking_uri, registry_uri=tracking_uri)
        return str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def resolve_artefact(
    name: str,
    artefact: str,
    alias: str = "champion",
    *,
    tracking_uri: str,
    cache_dir: Path,
) -> ResolvedArtefact:
    """Local path of `artefact` (a path inside the model, e.g. `artifacts/rec_merged.onnx`) of
    the version `name@alias` names in the registry at `tracking_uri`, downloaded once under
    `cache_dir` (`Settings.model_cache_dir`)."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    uri = tracking_uri
    client = MlflowClient(uri, registry_uri=uri)
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        raise ModelUnavailable(f"models:/{name}@{alias} is not in the registry at {uri} "
                               "(run `yogi models register`)") from None
    folder = cache_dir / name / cache_key(
        str(version.version), version.run_id)
    local = folder / artefact
    if not local.exists():
        # A progress bar would be stray stderr output in a CLI whose stderr carries JSON logs.
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        try:
            # From the version's own storage location, which this client's registry names: a
            # `models:/` URI would be resolved in whatever registry MLFLOW_REGISTRY_URI says.
            source = client.get_model_version_download_uri(name, str(version.version))
            got = Path(mlflow.artifacts.download_artifacts(
                artifact_uri=f"{source.rstrip('/')}/{artefact}", dst_path=str(folder),
                tracking_uri=uri))
        except (MlflowException, OSError) as error:
            raise ModelUnavailable(f"models:/{name}/{version.version} has no {artefact}: "
                                   f"{error}") from None
        if got != local:
            local.parent.mkdir(parents=True, exist_ok=True)
            got.replace(local)
        log.info("model artefact downloaded", model=name, version=str(version.version),
                 path=str(local))
    return ResolvedArtefact(name, str(version.version), local, f"models:/{name}@{alias}")
