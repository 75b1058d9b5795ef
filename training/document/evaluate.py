"""Scoring the document model: strict F1 of the assembled timetables, per-role F1 and the
gold × predicted role confusion on held-out examples, the classical rules' scores on the same
readings, and both on labelled real pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.document.inputs import ROLES
from inference.document.runtime import PageModel
from inference.document.tier import document_result, read_page
from inference.evaluation import score_set
from inference.schema import TimetableData
from training.document.data import Example


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


def evaluate(model: PageModel, examples: Sequence[Example], versions: dict[str, str],
             cached: bool = True) -> Evaluation:
    """Scores, per-role F1 and confusion on `examples` (the model in eval mode); `cached`
    reads the examples' cached tensors (a torch model whose frozen layers made them),
    `cached=False` builds each page's inputs afresh (any runtime of the model)."""
    confusion = np.zeros((len(ROLES), len(ROLES)), dtype=np.int64)
    predictions, roles = {}, {}
    for example in examples:
        page = read_page(model, example.reading,
                         model.predict_tensors(example.tensors) if cached else None)
        predictions[example.id] = document_result([page], versions)
        predicted = page.decisions.roles.argmax(1) if len(page.decisions.roles) else np.zeros(0)
        roles[example.id] = predicted
        for gold, guess in zip(example.targets.roles, predicted, strict=False):
            if gold >= 0:  # a line the alignment of a real page's label left unplaced
                confusion[gold, int(guess)] += 1
    scores = scores_of({e.id: (predictions[e.id], e.label) for e in examples})
    return Evaluation(scores, role_f1(confusion), confusion, predictions, roles)


def real_page_scores(model: PageModel, real_dir: Path) -> tuple[dict, dict]:
    """(model, rules) scores on labelled real pages (`images/`, `labels/` with the same stems),
    both reading the same OCR of each page: the wheel's recogniser, as `document-prepare` reads
    the training pages, so the gate scores the model on the reading it learnt from."""
    from inference.classical import assemble_document
    from inference.document.features import page_reading
    from inference.evaluation import labelled_documents
    from inference.loading import load_path
    from inference.ocr import get_engine
    from inference.pipeline import extract_page
    from inference.settings import Settings

    engine = get_engine("rapid", Settings())
    model_pairs, rules_pairs = {}, {}
    for document in labelled_documents(real_dir / "images", real_dir / "labels"):
        traces = [extract_page(page.image, engine) for page in load_path(document.path)]
        pages = [read_page(model, page_reading(trace)) for trace in traces]
        model_pairs[document.path.stem] = (document_result(pages, {}), document.gold)
        rules_pairs[document.path.stem] = (assemble_document(traces), document.gold)
    if not model_pairs:
        raise ValueError(f"{real_dir}: no image in images/ has a label in labels/")
    return scores_of(model_pairs), scores_of(rules_pairs)


def classical_scores(examples: Sequence[Example]) -> dict:
    return scores_of({e.id: (e.classical, e.label) for e in examples})
