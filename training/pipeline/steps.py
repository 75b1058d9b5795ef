"""The training graph's steps (`infra/statemachine/training.asl.json`), one function each.

Every step takes the event the state machine hands it (the parent run id at least) and the
settings, and returns a JSON-able dict. Heavy steps (prepare, train-document, train-ocr,
evaluate) are what the training container runs (`yogi pipeline step NAME`, the run id in
`YOGI_PIPELINE_RUN`); light ones (start, promote, keep-challenger, record-failure) are the
pipeline Lambda's (`lambda_handler.py`). Locally `yogi pipeline run` starts each as its own
process with that same command.

What the gate asks of a new document model: strict F1 on the held-out real gold pages (the
gate's share of corrected uploads plus the dev pages) above the serving champion's on the same
pages, and no loss beyond `GATE_SYNTHETIC_TOLERANCE` on held-out synthetic pages. Otherwise
it is registered as `challenger` with the reason; a worse model is never promoted.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import structlog

from inference.settings import Settings
from training.pipeline.run import EXPERIMENT, PipelineRun

log = structlog.get_logger(__name__)

Step = Callable[[dict, Settings], dict]
DOCUMENT = "yogi-document"
OCR = "yogi-ocr"
GATE_SYNTHETIC_TOLERANCE = 0.01  # strict F1 a new model may drop on replayed layouts
CANDIDATE = "candidates/document"


def _run(event: dict, settings: Settings) -> PipelineRun:
    run_id = event.get("run_id") or os.environ.get("YOGI_PIPELINE_RUN")
    if not run_id:
        raise ValueError("no pipeline run id (event run_id or YOGI_PIPELINE_RUN)")
    return PipelineRun(run_id, settings)


def start(event: dict, settings: Settings) -> dict:
    """Open the parent run: the trigger and the learning-loop settings as its params."""
    import mlflow

    from training.registry import ensure_experiment, use_tracking

    client = use_tracking(settings.mlflow_tracking_uri)
    experiment = ensure_experiment(client, EXPERIMENT)
    given = event.get("input") or {}
    run = client.create_run(experiment, run_name=given.get("name") or "pipeline",
                            tags={"trigger": str(given.get("trigger", "manual")),
                                  "mlflow.runName": given.get("name") or "pipeline"})
    params = {key: getattr(settings, key) for key in (
        "silver_weight", "gate_share", "replay_pages", "train_budget_s", "train_max_epochs",
        "gate_real_dir")}
    for key, value in params.items():
        client.log_param(run.info.run_id, key, str(value))
    log.info("pipeline started", run_id=run.info.run_id, experiment=mlflow.get_tracking_uri())
    return {"run_id": run.info.run_id}


def prepare_data(event: dict, settings: Settings) -> dict:
    """Build the dataset (see dataset.py) and hand it to the next steps."""
    import mlflow

    from inference.store.objects import object_store_from_settings
    from inference.store.repository import Store
    from training.pipeline.dataset import build_dataset, log_dataset_input

    run = _run(event, settings)
    store = Store.from_settings(settings)
    with run.child("prepare"):
        folder = run.folder / "dataset"
        manifest = build_dataset(store, object_store_from_settings(settings), settings, folder,
                                 progress=lambda what: log.info("prepare", step=what))
        counts = manifest.counts()
        mlflow.log_params({"dataset_version": manifest.version[:16],
                           "excluded": len(manifest.excluded)})
        mlflow.log_metrics({f"pages_{k}": float(v) for k, v in counts.items()})
        mlflow.log_dict(manifest.model_dump(), "manifest.json")
        log_dataset_input(manifest, folder, "training")
    for part in ("real", "dev"):
        if (folder / part).is_dir():
            run.publish(folder / part, f"dataset/{part}")
    run.publish(folder / "manifest.json", "dataset")
    return {"version": manifest.version, "counts": counts}


def _dataset(run: PipelineRun):
    """The dataset's manifest and its folder, fetched (replay pages regenerated if absent)."""
    from training.pipeline.dataset import read_manifest, replay_set

    folder = run.fetch("dataset")
    manifest = read_manifest(folder)
    if manifest.settings["replay_pages"] and not (folder / "replay").exists():
        (folder / "replay").symlink_to(replay_set(run.settings, lambda _: None).resolve())
    return manifest, folder


def _examples(folder: Path, manifest, part: str, split: str) -> list:
    from training.document.data import load_examples

    if not (folder / part).exists():
        return []
    wanted = set(manifest.ids(part, split))
    return [e for e in load_examples(folder / part, weights=manifest.weights(part))
            if e.id.split("/", 1)[1] in wanted]


def train_document(event: dict, settings: Settings) -> dict:
    """Warm-start the document model from the champion on the dataset's training side, in
    `train_budget_s` of wall time; the result waits as a candidate for the gate."""
    import mlflow
    import numpy as np

    from inference.document.model import load_release, save_release
    from inference.document.tier import RELEASE_ARTEFACT
    from inference.model_store import resolve_artefact
    from training.document.artefacts import draw_roles
    from training.document.evaluate import evaluate
    from training.document.fit import fit
    from training.document.pyfunc import log_document_model

    run = _run(event, settings)
    manifest, folder = _dataset(run)
    train = (_examples(folder, manifest, "real", "train")
             + _examples(folder, manifest, "replay", "train"))
    real_train = sum(e.id.startswith("real/") for e in train)
    with run.child("train-document") as child:
        if not real_train:
            reason = "no corrected or silver page on the training side: nothing new to learn"
            mlflow.set_tag("skipped", reason)
            return {"candidate": False, "reason": reason}
        served = resolve_artefact(DOCUMENT, RELEASE_ARTEFACT,
                                  tracking_uri=settings.mlflow_tracking_uri,
                                  cache_dir=settings.model_cache_dir)
        model, champion = load_release(served.path), served.version
        watch = _examples(folder, manifest, "real", "gate")[:8]
        mlflow.log_params({"warm_start": f"{DOCUMENT}@champion v{champion}",
                           "pages_real": real_train, "pages_replay": len(train) - real_train,
                           "budget_s": settings.train_budget_s,
                           "max_epochs": settings.train_max_epochs})
        started = time.perf_counter()
        records = fit(model, train, watch, epochs=settings.train_max_epochs, lr=5e-4,
                      accumulate=2, merge_share=0.3, rng=np.random.default_rng(0),
                      time_budget_s=settings.train_budget_s,
                      on_epoch=lambda epoch, record: mlflow.log_metrics(record, step=epoch))
        mlflow.log_metrics({"train_wall_s": time.perf_counter() - started,
                            "epochs_done": float(len(records))})
        release = run.folder / CANDIDATE / "release"
        save_release(model, release, json.loads((served.path / "config.json").read_text()))
        (run.folder / "samples").mkdir(parents=True, exist_ok=True)
        for example in watch[:3]:
            predicted = evaluate(model, [example], {}).roles[example.id]
            drawn = draw_roles(example.page, example, predicted,
                               run.folder / "samples" / f"{example.id.replace('/', '-')}.png")
            mlflow.log_artifact(str(drawn), "sample_pages")
        info = log_document_model(release, [train[0].reading])
        candidate = {"model_uri": info.model_uri, "train_run": child.info.run_id,
                     "warm_start_version": champion}
    run.publish(release, f"{CANDIDATE}/release")
    run.write_json(f"{CANDIDATE}/candidate.json", candidate)
    return {"candidate": True, **candidate}


def train_ocr(event: dict, settings: Settings) -> dict:
    """The recogniser's branch. Learning from corrections needs line crops whose corrected
    text differs from what OCR read; cutting and training on those is not built yet, so this
    branch records that it trained nothing and the OCR champion stays."""
    import mlflow

    run = _run(event, settings)
    with run.child("train-ocr"):
        reason = "OCR fine-tuning from corrections is not built yet: the champion stays"
        mlflow.set_tag("skipped", reason)
    return {"candidate": False, "reason": reason}


def _scores(model, examples: list) -> dict:
    from training.document.evaluate import evaluate

    return evaluate(model, examples, {}, cached=False).scores if examples else {}


def decide(new: dict[str, dict], champion: dict[str, dict]) -> tuple[bool, str]:
    """The gate (see the module): `new`/`champion` hold scores on "real" and "synthetic"."""
    if not new.get("real"):
        return False, "no held-out real gold page to judge on"
    a, b = new["real"]["strictF1"], champion["real"]["strictF1"]
    if not a > b:
        return False, f"real held-out strict F1 {a:.4f} does not beat the champion's {b:.4f}"
    if new.get("synthetic"):
        s, t = new["synthetic"]["strictF1"], champion["synthetic"]["strictF1"]
        if s < t - GATE_SYNTHETIC_TOLERANCE:
            return False, (f"real {a:.4f} > {b:.4f}, but synthetic held-out strict F1 {s:.4f} "
                           f"loses to the champion's {t:.4f}")
        return True, f"real held-out strict F1 {a:.4f} > champion {b:.4f}; synthetic {s:.4f} " \
                     f"vs {t:.4f}"
    return True, f"real held-out strict F1 {a:.4f} > champion {b:.4f}"


def evaluate_candidates(event: dict, settings: Settings) -> dict:
    """Score the candidate and the champion on the same held-out pages; decide."""
    import mlflow

    from inference.document.model import load_release
    from inference.document.tier import load_champion

    run = _run(event, settings)
    candidate = run.read_json(f"{CANDIDATE}/candidate.json")
    with run.child("evaluate"):
        if candidate is None:
            decision = {"promote": False, "reason": "no new document model was trained",
                        "tiers": {}}
        else:
            manifest, folder = _dataset(run)
            real = (_examples(folder, manifest, "real", "gate")
                    + _examples(folder, manifest, "dev", "gate"))
            synthetic = _examples(folder, manifest, "replay", "gate")
            new_model = load_release(run.fetch(f"{CANDIDATE}/release"))
            champion_model, version = load_champion(
                tracking_uri=settings.mlflow_tracking_uri, cache_dir=settings.model_cache_dir)
            new = {"real": _scores(new_model, real), "synthetic": _scores(new_model, synthetic)}
            old = {"real": _scores(champion_model, real),
                   "synthetic": _scores(champion_model, synthetic)}
            for who, scores in (("candidate", new), ("champion", old)):
                for part, values in scores.items():
                    mlflow.log_metrics({f"{who}_{part}_{k}": float(v) for k, v in values.items()
                                        if isinstance(v, float)})
            mlflow.log_params({"gate_real_pages": len(real),
                               "gate_synthetic_pages": len(synthetic),
                               "champion_version": version})
            promote, reason = decide(new, old)
            decision = {"promote": promote, "reason": reason,
                        "tiers": {"document": {"promote": promote, "reason": reason,
                                               "champion_version": version}}}
        mlflow.set_tags({"gate_promote": str(decision["promote"]),
                         "gate_reason": decision["reason"]})
    run.write_json("gate.json", decision)
    return decision


def _finish(event: dict, settings: Settings, promote: bool) -> dict:
    """Register the candidate (if any), move the aliases, close the parent run."""
    import mlflow

    from training.registry import CHALLENGER, CHAMPION, use_tracking, version_by_alias
    from training.registry import promote as promote_version

    run = _run(event, settings)
    client = use_tracking(settings.mlflow_tracking_uri)
    gate = event.get("gate") or run.read_json("gate.json") or {}
    reason = gate.get("reason", "")
    candidate = run.read_json(f"{CANDIDATE}/candidate.json")
    versions = {}
    if candidate is not None:
        registered = mlflow.register_model(candidate["model_uri"], DOCUMENT,
                                           tags={"source": "pipeline",
                                                 "pipeline_run": run.run_id})
        if promote:
            promote_version(client, DOCUMENT, registered.version, reason)
        else:
            client.set_registered_model_alias(DOCUMENT, CHALLENGER, registered.version)
            client.set_model_version_tag(DOCUMENT, registered.version, "gate_reason", reason)
        versions["document"] = str(registered.version)
    for name, key in ((DOCUMENT, "document"), (OCR, "ocr")):
        if key not in versions:
            current = version_by_alias(client, name, CHAMPION)
            versions[key] = str(current.version) if current else ""
    client.set_tag(run.run_id, "gate_promoted", str(promote))
    client.set_tag(run.run_id, "gate_reason", reason)
    client.set_terminated(run.run_id, "FINISHED")
    return {"promoted": promote, "reason": reason, "versions": versions}


def promote(event: dict, settings: Settings) -> dict:
    return _finish(event, settings, True)


def keep_challenger(event: dict, settings: Settings) -> dict:
    return _finish(event, settings, False)


def record_failure(event: dict, settings: Settings) -> dict:
    """Close the parent run as FAILED with the state machine's error."""
    from training.registry import use_tracking

    run_id = event.get("run_id")
    error = event.get("error") or {}
    if run_id:
        client = use_tracking(settings.mlflow_tracking_uri)
        client.set_tag(run_id, "error", str(error.get("Error", "")))
        client.set_tag(run_id, "error_cause", str(error.get("Cause", ""))[:4000])
        client.set_terminated(run_id, "FAILED")
    return {"recorded": bool(run_id)}


def send_result(result: dict) -> None:
    """A `.waitForTaskToken` task in AWS hands its result to the state machine itself; run by
    `yogi pipeline run` (YOGI_PIPELINE_LOCAL set), its stdout is the result instead."""
    token = os.environ.get("YOGI_TASK_TOKEN")
    if token and not os.environ.get("YOGI_PIPELINE_LOCAL"):
        import boto3

        boto3.client("stepfunctions").send_task_success(taskToken=token,
                                                        output=json.dumps(result))


STEPS: dict[str, Step] = {
    "start": start,
    "prepare": prepare_data,
    "train-document": train_document,
    "train-ocr": train_ocr,
    "evaluate": evaluate_candidates,
    "promote": promote,
    "keep-challenger": keep_challenger,
    "record-failure": record_failure,
}
