"""Serving artefacts resolved from the MLflow registry (`models:/NAME@ALIAS`), cached locally.

The pipeline never reads a model from a path in the repo: it asks the registry which version
the alias names, then downloads that version's artefact once into
`<data_dir>/models/<name>/v<version>-<run>/` (the run id is in the key because version numbers
restart in every registry, e.g. a test's temporary one). When the alias is missing, `first_use`
gets one chance to register the released model (a fresh clone that skipped `make setup`); it
returns whether it registered one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


class ModelUnavailable(RuntimeError):
    """The registry has no version under the alias (and first use could not register one)."""


@dataclass(frozen=True)
class ResolvedArtefact:
    name: str
    version: str
    path: Path
    uri: str  # what was resolved, e.g. models:/yogi-ocr@champion


def register_release(name: str) -> bool:
    """First use on a fresh clone: put the committed release of `name` (`models/*`) into the
    registry (only that one: resolving one model must not re-register another). True when
    this call registered it."""
    from training.registry import RELEASES, ensure_released, load_release

    if name in RELEASES and (release := load_release(name)).available():
        return ensure_released(release).created
    return False


def cache_key(version: str, run_id: str | None) -> str:
    return f"v{version}-{(run_id or 'norun')[:12]}"


def resolve_artefact(
    name: str,
    artefact: str,
    alias: str = "champion",
    tracking_uri: str | None = None,
    cache_dir: Path | None = None,
    first_use: Callable[[], bool] | None = None,
) -> ResolvedArtefact:
    """Local path of `artefact` (a path inside the model, e.g. `artifacts/rec_merged.onnx`) of
    the version `name@alias` names."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from inference.settings import get_settings

    settings = get_settings()
    uri = tracking_uri or settings.mlflow_tracking_uri
    client = MlflowClient(uri, registry_uri=uri)

    def lookup():
        try:
            return client.get_model_version_by_alias(name, alias)
        except MlflowException:
            return None

    version = lookup()
    # Said once, when the release is actually registered: a release its gate kept a
    # challenger stays without `champion`, and every later lookup is quietly the same.
    if version is None and first_use is not None and first_use():
        log.warning("no registered model under alias; registered the released model first",
                    model=name, alias=alias, tracking_uri=uri)
        version = lookup()
    if version is None:
        raise ModelUnavailable(f"models:/{name}@{alias} is not in the registry at {uri} "
                               "(run `yogi models register`)")
    folder = (cache_dir or settings.data_dir / "models") / name / cache_key(
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
