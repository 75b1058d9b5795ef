"""The release gate of the document model: which alias (`champion` or `challenger`) a new model
gets, and why, against the classical rules and the current champion re-scored on the same
held-out pages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from inference.document.tier import MODEL_NAME
from training.document.data import Example
from training.document.evaluate import evaluate


def gate(new: dict, rules: dict, champion: dict | None, champion_error: str | None = None,
         real: tuple[dict, dict] | None = None, champion_real: dict | None = None
         ) -> tuple[str, str]:
    """(alias, reason): `champion` only when strict F1 on the same held-out pages beats the
    classical rules and the current champion (an unmeasured champion is never assumed beaten),
    and, when labelled real pages are given as `real` = (model scores, rules scores), the model
    is not worse than the rules on them either, nor than the champion (`champion_real`, its
    scores on the same real pages): synthetic pages alone do not make a default."""
    f1 = new["strictF1"]
    if not f1 > rules["strictF1"]:
        return "challenger", (f"held-out strict F1 {f1:.4f} does not beat the classical rules' "
                              f"{rules['strictF1']:.4f}")
    if real is not None and real[0]["strictF1"] < real[1]["strictF1"]:
        return "challenger", (f"strict F1 on the real pages {real[0]['strictF1']:.4f} is below "
                              f"the classical rules' {real[1]['strictF1']:.4f}")
    if real is not None and champion_real is not None and \
            real[0]["strictF1"] < champion_real["strictF1"]:
        return "challenger", (f"strict F1 on the real pages {real[0]['strictF1']:.4f} is below "
                              f"the current champion's {champion_real['strictF1']:.4f}")
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
    from inference.settings import Settings
    from training.registry import use_tracking, version_by_alias

    if version_by_alias(use_tracking(tracking_uri), MODEL_NAME, "champion") is None:
        return None, None, None
    try:
        model, version = load_champion(tracking_uri=tracking_uri,
                                       cache_dir=Settings().model_cache_dir)
    except (ModelUnavailable, ValueError, OSError) as error:
        return None, None, str(error)
    return evaluate(model, examples, {"document": version}, cached=False).scores, version, None


def champion_real_scores(real_dir: Path, tracking_uri: str) -> dict | None:
    """The current champion's scores on the labelled real pages of `real_dir`; None without a
    champion (or one that cannot be loaded: `rescore_champion` already blocks promotion)."""
    from inference.document.tier import load_champion
    from inference.model_store import ModelUnavailable
    from inference.settings import Settings
    from training.document.evaluate import real_page_scores
    from training.registry import use_tracking, version_by_alias

    if version_by_alias(use_tracking(tracking_uri), MODEL_NAME, "champion") is None:
        return None
    try:
        model, _ = load_champion(tracking_uri=tracking_uri, cache_dir=Settings().model_cache_dir)
    except (ModelUnavailable, ValueError, OSError):
        return None
    return real_page_scores(model, real_dir)[0]
