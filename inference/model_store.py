"""Serving artefacts resolved from the MLflow registry (`models:/NAME@ALIAS`), cached locally.

The pipeline never reads a model from a path in the repo: it asks the registry which version
the alias names, then downloads that version's artefact once into
`<data_dir>/models/<name>/v<version>-<run>/` (the run id is in the key because version numbers
restart in every registry, e.g. a test's temporary one). Committed releases are put into the
registry at set-up time (`make setup` runs `yogi models register`), never on the serving path:
a missing alias is a `ModelUnavailable` saying so.

What an alias named is also remembered on disk (`<cache_dir>/aliases.json`) beside a
fingerprint of a SQLite registry's file (`registry_stamp`): while the registry has not been
written to, a cold process takes the version from there and does not import MLflow at all
(about a second of every `yogi extract`); any write, an alias moved or a version added, changes
the fingerprint and the registry is asked again.
"""

from __future__ import annotations

import json
import os
import tempfile
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


ALIAS_CACHE = "aliases.json"
SQLITE = "sqlite:///"


def registry_stamp(tracking_uri: str) -> str | None:
    """A fingerprint of a SQLite registry that every committed write changes: its path, SQLite's
    own change counter (header bytes 24-27), and the modification time and size of the file and
    of its write-ahead log (a write in WAL mode leaves the counter alone). None for any other
    registry (a tracking server, PostgreSQL): those are asked every time."""
    if not tracking_uri.startswith(SQLITE) or "?" in tracking_uri:
        return None
    database = Path(tracking_uri.removeprefix(SQLITE))
    parts = [str(database.resolve())]  # a relative path names another file in another folder
    try:
        with database.open("rb") as file:
            parts.append(file.read(28)[24:].hex())
    except OSError:
        return None
    for path in (database, database.with_name(f"{database.name}-wal")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            parts.append("-")
            continue
        parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
    return "/".join(parts)


def _alias_key(tracking_uri: str, name: str, alias: str) -> str:
    return f"{tracking_uri}|{name}@{alias}"


def _remembered(cache_dir: Path) -> dict[str, dict]:
    try:
        return json.loads((cache_dir / ALIAS_CACHE).read_text())
    except (OSError, ValueError):
        return {}


def _recall(cache_dir: Path, key: str, stamp: str | None) -> dict | None:
    """What the alias named when the registry last had this fingerprint, if remembered."""
    if stamp is None:
        return None
    entry = _remembered(cache_dir).get(key)
    return entry if entry is not None and entry.get("stamp") == stamp else None


def _remember(cache_dir: Path, key: str, stamp: str | None, version: str | None,
              run_id: str | None) -> None:
    """Keep what the registry said (None: no such alias) under the fingerprint taken before
    asking it, so a write while it was asked makes the next process ask again. The file is
    replaced whole: a reader never sees half of it, and a lost race only costs a lookup."""
    if stamp is None:
        return
    entries = _remembered(cache_dir)
    entries[key] = {"stamp": stamp, "version": version, "runId": run_id}
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=cache_dir, prefix=f".{ALIAS_CACHE}.")
    with os.fdopen(handle, "w") as file:
        json.dump(entries, file, indent=1)
    os.replace(partial, cache_dir / ALIAS_CACHE)


def _not_registered(name: str, alias: str, uri: str) -> ModelUnavailable:
    return ModelUnavailable(f"models:/{name}@{alias} is not in the registry at {uri} "
                            "(run `yogi models register`)")


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
    `cache_dir` (`Settings.model_cache_dir`). MLflow is asked only when the registry changed
    since the alias was last resolved here or the artefact is not downloaded yet."""
    uri = tracking_uri
    key = _alias_key(uri, name, alias)
    stamp = registry_stamp(uri)  # before the lookup: see `_remember`
    known = _recall(cache_dir, key, stamp)
    if known is not None:
        if known["version"] is None:
            raise _not_registered(name, alias, uri)
        local = cache_dir / name / cache_key(known["version"], known["runId"]) / artefact
        if local.exists():
            return ResolvedArtefact(name, known["version"], local, f"models:/{name}@{alias}")

    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(uri, registry_uri=uri)
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        _remember(cache_dir, key, stamp, None, None)
        raise _not_registered(name, alias, uri) from None
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
    _remember(cache_dir, key, stamp, str(version.version), version.run_id)
    return ResolvedArtefact(name, str(version.version), local, f"models:/{name}@{alias}")
