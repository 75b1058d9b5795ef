"""The training graph's steps (`infra/statemachine/training.asl.json`), one function each.

Every step takes the event the state machine hands it (the parent run id at least) and the
settings, and returns a JSON-able dict. Heavy steps (prepare, train-document, train-ocr,
evaluate) are what the training container runs (`yogi pipeline step NAME`, the run id in
`YOGI_PIPELINE_RUN`); light ones (start, promote, keep-challenger, record-failure) are the
pipeline Lambda's (`lambda_handler.py`). Locally `yogi pipeline run` starts each as its own
process with that same command.

What the gate asks of a new document model: strict F1 on the held-out real gold pages (the
gate's share of corrected uploads plus the dev pages) above the serving champion's on the same
pages, nothing lost on the dev pages alone, and no loss beyond `GATE_SYNTHETIC_TOLERANCE` on
held-out synthetic pages. Otherwise
it is registered as `challenger` with the reason; a worse model is never promoted.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import structlog

from inference.settings import Settings
from training.pipeline.dataset import DatasetManifest, log_dataset_input
from training.pipeline.run import EXPERIMENT, PipelineRun

log = structlog.get_logger(__name__)

Step = Callable[[dict, Settings], dict]
DOCUMENT = "yogi-document"
OCR = "yogi-ocr"
GATE_SYNTHETIC_TOLERANCE = 0.01  # strict F1 a new model may drop on replayed layouts
GATE_OCR_TOLERANCE = 0.005  # CER a new recogniser may lose on replayed synthetic lines
CANDIDATE = "candidates/document"
OCR_CANDIDATE = "candidates/ocr"
OCR_REPLAY_HELD_OUT = 0.25
OCR_REPLAY_LINES = 400


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
        "train_lr", "gate_real_dir")}
    for key, value in params.items():
        client.log_param(run.info.run_id, key, str(value))
    log.info("pipeline started", run_id=run.info.run_id, experiment=mlflow.get_tracking_uri())
    return {"run_id": run.info.run_id}


def prepare_data(event: dict, settings: Settings) -> dict:
    """Build the dataset (see dataset.py) and hand it to the next steps."""
    import mlflow

    from inference.store.objects import object_store_from_settings
    from inference.store.repository import Store
    from training.pipeline.dataset import build_dataset

    run = _run(event, settings)
    store = Store.from_settings(settings)
    store.migrate()  # the service may not have run since the schema moved on
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


def _dataset(run: PipelineRun) -> tuple[DatasetManifest, Path]:
    """The dataset's manifest and its folder, fetched (replay pages regenerated if absent)."""
    from training.pipeline.dataset import read_manifest, replay_set

    folder = run.fetch("dataset")
    manifest = read_manifest(folder)
    if manifest.settings["replay_pages"] and not (folder / "replay").exists():
        (folder / "replay").symlink_to(replay_set(run.settings, lambda _: None).resolve())
    return manifest, folder


def _sides(folder: Path, manifest: DatasetManifest, part: str) -> dict[str, list]:
    """The examples of one part of the dataset by side ("train", "gate"), read once."""
    from training.document.data import load_examples

    sides: dict[str, list] = {"train": [], "gate": []}
    if not (folder / part).exists():
        return sides
    side_of = {d.id: d.split for d in manifest.documents if d.part == part}
    for example in load_examples(folder / part, weights=manifest.weights(part)):
        side = side_of.get(example.id.split("/", 1)[1])
        if side is not None:
            sides[side].append(example)
    return sides


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
    real = _sides(folder, manifest, "real")
    train = real["train"] + _sides(folder, manifest, "replay")["train"]
    real_train = sum(e.id.startswith("real/") for e in train)
    with run.child("train-document") as child:
        log_dataset_input(manifest, folder, "training")
        if not real_train:
            reason = "no corrected or silver page on the training side: nothing new to learn"
            mlflow.set_tag("skipped", reason)
            return {"candidate": False, "reason": reason}
        served = resolve_artefact(DOCUMENT, RELEASE_ARTEFACT,
                                  tracking_uri=settings.mlflow_tracking_uri,
                                  cache_dir=settings.model_cache_dir)
        model, champion = load_release(served.path), served.version
        watch = real["gate"][:8]
        mlflow.log_params({"warm_start": f"{DOCUMENT}@champion v{champion}",
                           "pages_real": real_train, "pages_replay": len(train) - real_train,
                           "budget_s": settings.train_budget_s, "lr": settings.train_lr,
                           "max_epochs": settings.train_max_epochs})
        started = time.perf_counter()
        records = fit(model, train, watch, epochs=settings.train_max_epochs, lr=settings.train_lr,
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
    """Warm-start the recogniser from its champion on the name lines of the corrected pages
    (`training/ocr/corrections.py`) plus replayed synthetic crops; nothing to do when no
    corrected name differs from what OCR read."""
    import mlflow
    import numpy as np

    from inference.model_store import resolve_artefact
    from training.ocr.corrections import correction_crops, fine_tune
    from training.ocr.crops import extract_crops
    from training.ocr.pyfunc import log_ocr_model

    run = _run(event, settings)
    manifest, folder = _dataset(run)
    with run.child("train-ocr") as child:
        log_dataset_input(manifest, folder, "training")
        found = correction_crops(_sides(folder, manifest, "real")["train"])
        mlflow.log_metrics({"crops_real": float(len(found.crops)),
                            "crops_corrected": float(found.corrected)})
        if not found.corrected:
            reason = "no corrected name differs from what OCR read: nothing new to learn"
            mlflow.set_tag("skipped", reason)
            return {"candidate": False, "reason": reason}
        replay = (extract_crops(folder / "replay", held_out=OCR_REPLAY_HELD_OUT,
                                max_lines=OCR_REPLAY_LINES)[0]
                  if (folder / "replay").exists() else [])
        served = resolve_artefact(OCR, "artifacts/adapter",
                                  tracking_uri=settings.mlflow_tracking_uri,
                                  cache_dir=settings.model_cache_dir)
        mlflow.log_params({"warm_start": f"{OCR}@champion v{served.version}",
                           "crops_replay": len(replay), "budget_s": settings.train_budget_s})
        started = time.perf_counter()
        out = run.folder / OCR_CANDIDATE / "model"
        adapter, onnx, _ = fine_tune(
            served.path, found.crops + replay, budget_s=settings.train_budget_s,
            max_epochs=settings.train_max_epochs, lr=2e-4, batch_size=16,
            rng=np.random.default_rng(0), out_dir=out,
            on_epoch=lambda epoch, record: mlflow.log_metrics(record, step=epoch))
        mlflow.log_metric("train_wall_s", time.perf_counter() - started)
        info = log_ocr_model(adapter, onnx, [c.image for c in found.crops[:2]])
        candidate = {"model_uri": info.model_uri, "train_run": child.info.run_id,
                     "warm_start_version": served.version}
    run.publish(out, f"{OCR_CANDIDATE}/model")
    run.write_json(f"{OCR_CANDIDATE}/candidate.json", candidate)
    return {"candidate": True, **candidate}


def _part_scores(model, parts: dict[str, list]) -> dict[str, dict]:
    """`model`'s scores on each part (empty dict for an empty part); each page is read once,
    though the dev pages sit both in "real" and in "dev"."""
    from training.document.evaluate import evaluate, scores_of

    pages = {e.id: e for examples in parts.values() for e in examples}
    read = evaluate(model, list(pages.values()), {}, cached=False).predictions if pages else {}
    return {part: scores_of({e.id: (read[e.id], e.label) for e in examples}) if examples else {}
            for part, examples in parts.items()}


def decide(new: dict[str, dict], champion: dict[str, dict]) -> tuple[bool, str]:
    """The document gate (see the module). `new`/`champion` hold scores on "real" (the
    held-out corrected pages and the dev pages together), "dev" (the dev pages alone) and
    "synthetic"; a part with no pages is an empty dict."""
    if not new.get("real"):
        return False, "no held-out real gold page to judge on"
    a, b = new["real"]["strictF1"], champion["real"]["strictF1"]
    if not a > b:
        return False, f"real held-out strict F1 {a:.4f} does not beat the champion's {b:.4f}"
    if new.get("dev") and new["dev"]["strictF1"] < champion["dev"]["strictF1"]:
        return False, (f"real {a:.4f} > {b:.4f}, but it loses on the dev pages: "
                       f"{new['dev']['strictF1']:.4f} < {champion['dev']['strictF1']:.4f}")
    if new.get("synthetic"):
        s, t = new["synthetic"]["strictF1"], champion["synthetic"]["strictF1"]
        if s < t - GATE_SYNTHETIC_TOLERANCE:
            return False, (f"real {a:.4f} > {b:.4f}, but synthetic held-out strict F1 {s:.4f} "
                           f"loses to the champion's {t:.4f}")
        return True, f"real held-out strict F1 {a:.4f} > champion {b:.4f}; synthetic {s:.4f} " \
                     f"vs {t:.4f}"
    return True, f"real held-out strict F1 {a:.4f} > champion {b:.4f}"


def decide_ocr(new: dict[str, float], champion: dict[str, float]) -> tuple[bool, str]:
    """The recogniser's gate: lower CER than the champion on the held-out real name crops,
    and no more than `GATE_OCR_TOLERANCE` higher on held-out synthetic crops."""
    a, b = new["real"], champion["real"]
    if math.isnan(a):
        return False, "no held-out real crop to judge the recogniser on"
    if not a < b:
        return False, f"real held-out CER {a:.4f} does not beat the champion's {b:.4f}"
    s, t = new["synthetic"], champion["synthetic"]
    if not math.isnan(s) and s > t + GATE_OCR_TOLERANCE:
        return False, f"real CER {a:.4f} < {b:.4f}, but synthetic CER {s:.4f} > {t:.4f}"
    return True, f"real held-out CER {a:.4f} < champion {b:.4f}; synthetic {s:.4f} vs {t:.4f}"


def _gate_document(run: PipelineRun, real: list, dev: list, synthetic: list) -> dict:
    import mlflow

    from inference.document.model import load_release
    from inference.document.tier import load_champion

    settings = run.settings
    new_model = load_release(run.fetch(f"{CANDIDATE}/release"))
    champion_model, version = load_champion(tracking_uri=settings.mlflow_tracking_uri,
                                            cache_dir=settings.model_cache_dir)
    parts = {"real": real, "dev": dev, "synthetic": synthetic}
    new, old = _part_scores(new_model, parts), _part_scores(champion_model, parts)
    for who, scores in (("candidate", new), ("champion", old)):
        for part, values in scores.items():
            mlflow.log_metrics({f"document_{who}_{part}_{k}": float(v)
                                for k, v in values.items() if isinstance(v, float)})
    promote, reason = decide(new, old)
    return {"promote": promote, "reason": reason, "champion_version": version}


def _gate_ocr(run: PipelineRun, real: list, folder: Path) -> dict:
    import mlflow

    from inference.model_store import resolve_artefact
    from training.ocr.corrections import cer_of, correction_crops
    from training.ocr.crops import extract_crops
    from training.ocr.pyfunc import ONNX_ARTEFACT

    settings = run.settings
    crops = correction_crops(real).crops
    synthetic = (extract_crops(folder / "replay", held_out=OCR_REPLAY_HELD_OUT,
                               max_lines=OCR_REPLAY_LINES)[1]
                 if (folder / "replay").exists() else [])
    served = resolve_artefact(OCR, f"artifacts/{ONNX_ARTEFACT}",
                              tracking_uri=settings.mlflow_tracking_uri,
                              cache_dir=settings.model_cache_dir)
    new_onnx = run.fetch(f"{OCR_CANDIDATE}/model") / ONNX_ARTEFACT
    new = {"real": cer_of(new_onnx, crops), "synthetic": cer_of(new_onnx, synthetic)}
    old = {"real": cer_of(served.path, crops), "synthetic": cer_of(served.path, synthetic)}
    mlflow.log_metrics({f"ocr_{who}_{part}_cer": value for who, scores in
                        (("candidate", new), ("champion", old))
                        for part, value in scores.items() if not math.isnan(value)})
    mlflow.log_params({"gate_ocr_real_crops": len(crops),
                       "gate_ocr_synthetic_crops": len(synthetic)})
    promote, reason = decide_ocr(new, old)
    return {"promote": promote, "reason": reason, "champion_version": served.version}


def evaluate_candidates(event: dict, settings: Settings) -> dict:
    """Score each new version and its champion on the same held-out pages; decide per tier.
    The execution promotes when any tier does (each tier's alias moves on its own verdict)."""
    import mlflow

    run = _run(event, settings)
    candidates = {tier: run.read_json(f"{where}/candidate.json")
                  for tier, where in (("document", CANDIDATE), ("ocr", OCR_CANDIDATE))}
    tiers: dict[str, dict] = {}
    with run.child("evaluate"):
        if any(candidates.values()):
            manifest, folder = _dataset(run)
            log_dataset_input(manifest, folder, "evaluation")
            dev = _sides(folder, manifest, "dev")["gate"]
            real = _sides(folder, manifest, "real")["gate"] + dev
            mlflow.log_params({"gate_real_pages": len(real), "gate_dev_pages": len(dev)})
            if candidates["document"]:
                synthetic = _sides(folder, manifest, "replay")["gate"]
                mlflow.log_params({"gate_synthetic_pages": len(synthetic)})
                tiers["document"] = _gate_document(run, real, dev, synthetic)
            if candidates["ocr"]:
                tiers["ocr"] = _gate_ocr(run, real, folder)
        reasons = [f"{tier}: {verdict['reason']}" for tier, verdict in tiers.items()]
        decision = {"promote": any(v["promote"] for v in tiers.values()),
                    "reason": "; ".join(reasons) or "no new model was trained", "tiers": tiers}
        mlflow.set_tags({"gate_promote": str(decision["promote"]),
                         "gate_reason": decision["reason"]})
    run.write_json("gate.json", decision)
    return decision


def _finish(event: dict, settings: Settings) -> dict:
    """Register each tier's candidate as `champion` or `challenger` as the gate said, close
    the parent run. `versions`: each tier's new version, or its unchanged champion."""
    import mlflow

    from training.registry import CHALLENGER, CHAMPION, use_tracking, version_by_alias
    from training.registry import promote as promote_version

    run = _run(event, settings)
    client = use_tracking(settings.mlflow_tracking_uri)
    gate = event.get("gate") or run.read_json("gate.json") or {}
    versions = {}
    for tier, name, where in (("document", DOCUMENT, CANDIDATE), ("ocr", OCR, OCR_CANDIDATE)):
        verdict = gate.get("tiers", {}).get(tier)
        candidate = run.read_json(f"{where}/candidate.json")
        if verdict is None or candidate is None:
            continue
        registered = mlflow.register_model(candidate["model_uri"], name,
                                           tags={"source": "pipeline",
                                                 "pipeline_run": run.run_id})
        if verdict["promote"]:
            promote_version(client, name, registered.version, verdict["reason"])
        else:
            client.set_registered_model_alias(name, CHALLENGER, registered.version)
            client.set_model_version_tag(name, registered.version, "gate_reason",
                                         verdict["reason"])
        versions[tier] = str(registered.version)
    for tier, name in (("document", DOCUMENT), ("ocr", OCR)):
        if tier not in versions:
            current = version_by_alias(client, name, CHAMPION)
            versions[tier] = str(current.version) if current else ""
    promoted, reason = bool(gate.get("promote")), gate.get("reason", "")
    client.set_tag(run.run_id, "gate_promoted", str(promoted))
    client.set_tag(run.run_id, "gate_reason", reason)
    client.set_terminated(run.run_id, "FINISHED")
    return {"promoted": promoted, "reason": reason, "versions": versions}


def promote(event: dict, settings: Settings) -> dict:
    """At least one tier won its gate: its champion moves (the others become challengers)."""
    return _finish(event, settings)


def keep_challenger(event: dict, settings: Settings) -> dict:
    """No tier won: every new version waits as a challenger with its reason."""
    return _finish(event, settings)


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
