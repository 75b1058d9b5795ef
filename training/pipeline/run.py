"""One pipeline execution's shared state: its parent MLflow run and a working folder.

The steps run as separate processes (locally) or containers and Lambda functions (AWS); what
one step hands the next travels as artefacts of the parent run, so a Fargate task in AWS finds
the dataset the previous task built in the MLflow artefact store (S3) exactly as a local
process finds it on disk. Each step is a child run of the parent (`mlflow.parentRunId`), so the
MLflow UI shows one execution as one tree: what was trained on what, and why it was or was not
promoted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.settings import Settings

EXPERIMENT = "yogi-pipeline"
RUN_ENV = "YOGI_PIPELINE_RUN"  # the parent run id, as the state machine passes it to a task


@dataclass(frozen=True)
class PipelineRun:
    run_id: str
    settings: Settings

    @property
    def folder(self) -> Path:
        return self.settings.pipeline_dir / self.run_id

    def client(self):
        from training.registry import use_tracking

        return use_tracking(self.settings.mlflow_tracking_uri)

    @contextmanager
    def child(self, step: str) -> Iterator[Any]:
        """A child run of the parent for one step (failed runs are closed as FAILED)."""
        import mlflow

        from training.registry import ensure_experiment

        ensure_experiment(self.client(), EXPERIMENT)
        with mlflow.start_run(run_name=step, parent_run_id=self.run_id,
                              tags={"pipeline_step": step}) as run:
            yield run

    def publish(self, local: Path, artefact_dir: str | None) -> None:
        """A file or folder of this step into the parent run, for the steps after it."""
        client = self.client()
        if local.is_dir():
            client.log_artifacts(self.run_id, str(local), artefact_dir)
        else:
            client.log_artifact(self.run_id, str(local), artefact_dir)

    def fetch(self, artefact_dir: str) -> Path:
        """The parent run's `artefact_dir` under the working folder (downloaded if another
        machine's step published it)."""
        local = self.folder / artefact_dir
        if not local.exists():
            import mlflow

            self.folder.mkdir(parents=True, exist_ok=True)
            mlflow.artifacts.download_artifacts(run_id=self.run_id, artifact_path=artefact_dir,
                                                dst_path=str(self.folder),
                                                tracking_uri=self.settings.mlflow_tracking_uri)
        return local

    def write_json(self, name: str, data: dict) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1))
        parent = Path(name).parent
        self.publish(path, None if parent == Path(".") else str(parent))

    def read_json(self, name: str) -> dict | None:
        try:
            path = self.fetch(name)
        except Exception:  # noqa: BLE001 - MLflow raises several kinds for a missing artefact
            return None
        return json.loads(path.read_text()) if path.exists() else None
