"""The OCR tier's gate on real pages: a recogniser serves only if it reads real pages better.

Synthetic crops alone promoted a fine-tune that misread a real page's header times, so the
registry's `champion` (what serves) is compared with a `challenger` on three figures, each
measured on the same inputs through the same RapidOCR detection:

* **real text**: on labelled real pages, the share of gold event names found in the page's OCR
  text (`measure.name_recall`; fuzzy and exact, averaged) must be higher;
* **real extraction**: the pipeline's micro strict F1 on those pages, with each recogniser, must
  not be lower;
* **synthetic crops**: CER on separate held-out generated sets must be lower.

`decide` is the rule; `measure` runs both aliases; `judge` measures, decides, tags the
challenger's version and moves `champion` when it wins. `yogi train ocr-gate` judges a
registered challenger and records the verdict in a release's metrics.json, which `yogi models
register` honours on a fresh machine; `yogi train ocr` judges what it trained whenever its
synthetic gate passes, so no recogniser takes `champion` on synthetic crops alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel


class GateFigures(BaseModel):
    """One recogniser's figures on the gate's inputs."""

    version: str
    text: float  # mean of the fuzzy and exact name shares on the real pages
    names_fuzzy: float
    names_exact: float
    strict_f1: float  # micro, on the real pages
    synthetic_cer: float


class Verdict(BaseModel):
    promote: bool
    reason: str
    champion: GateFigures
    challenger: GateFigures


def decide(champion: GateFigures, challenger: GateFigures) -> Verdict:
    """Promote only when the challenger reads the real pages' text better, extracts them no
    worse and reads synthetic crops better (a tie on text is not a win)."""
    figures = (f"real text {challenger.text:.4f} vs {champion.text:.4f}, real strict F1 "
               f"{challenger.strict_f1:.4f} vs {champion.strict_f1:.4f}, synthetic CER "
               f"{challenger.synthetic_cer:.4f} vs {champion.synthetic_cer:.4f}")
    if not challenger.text > champion.text:
        why = "does not read the real pages' names better"
    elif challenger.strict_f1 < champion.strict_f1:
        why = "extracts the real pages worse"
    elif not challenger.synthetic_cer < champion.synthetic_cer:
        why = "does not read synthetic crops better"
    else:
        return Verdict(promote=True, reason=f"beats v{champion.version}: {figures}",
                       champion=champion, challenger=challenger)
    return Verdict(promote=False, reason=f"{why} than v{champion.version}: {figures}",
                   champion=champion, challenger=challenger)


def measure(aliases: Sequence[str], images: Path, labels: Path, heldout: Sequence[Path],
            settings, progress=None) -> dict[str, GateFigures]:
    """Each alias's figures (see the module docstring), reading with `settings` otherwise."""
    from inference.evaluation import labelled_documents, score_set
    from inference.model_store import resolve_artefact
    from inference.ocr import ModelOcrEngine, get_engine
    from inference.pipeline import extract_file
    from training.ocr.measure import heldout_report, name_recall

    documents = labelled_documents(images, labels)
    aliased = {alias: settings.model_copy(update={"ocr_alias": alias, "ocr_engine": "model"})
               for alias in aliases}
    engines = {alias: get_engine("model", aliased[alias]) for alias in aliases}
    # Both recognisers on the same pages and crops, each loaded or cut once.
    names = name_recall(images, labels, engines)["engines"]
    onnx = {alias: resolve_artefact(ModelOcrEngine.MODEL, ModelOcrEngine.ARTEFACT, alias=alias,
                                    tracking_uri=settings.mlflow_tracking_uri,
                                    cache_dir=settings.model_cache_dir).path
            for alias in aliases}
    crops = heldout_report(heldout, onnx)["models"]
    out: dict[str, GateFigures] = {}
    for alias in aliases:
        pairs = {}
        for document in documents:
            prediction, _ = extract_file(document.path, "model", None, settings=aliased[alias])
            pairs[document.path.stem] = (prediction, document.gold)
            if progress:
                progress()
        found = names[alias]
        out[alias] = GateFigures(
            version=engines[alias].model_versions["ocr"],
            text=(found["fuzzy_share"] + found["exact_share"]) / 2,
            names_fuzzy=found["fuzzy_share"], names_exact=found["exact_share"],
            strict_f1=score_set(pairs).micro.strict_f1, synthetic_cer=crops[alias]["cer"])
    return out


def judge(real: Path, heldout: Sequence[Path], settings, challenger: str = "challenger",
          progress=None) -> Verdict:
    """Champion vs `challenger` on the real pages of `real` (images/, labels/) and the crops of
    `heldout`; the challenger's version is tagged with the verdict and promoted when it wins."""
    from inference.ocr import ModelOcrEngine
    from training.registry import CHAMPION, promote, use_tracking

    figures = measure([CHAMPION, challenger], real / "images", real / "labels", heldout,
                      settings, progress)
    verdict = decide(figures[CHAMPION], figures[challenger])
    client = use_tracking(settings.mlflow_tracking_uri)
    name, version = ModelOcrEngine.MODEL, verdict.challenger.version
    client.set_model_version_tag(name, version, "real_gate_reason", verdict.reason)
    if verdict.promote:
        promote(client, name, version, verdict.reason)
    return verdict
