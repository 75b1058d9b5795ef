"""The release gate of the document model: which alias (`champion` or `challenger`) a new model
gets, and why, against the classical rules and the current champion re-scored on the same
held-out pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inference.document.runtime import PageModel
from inference.document.tier import MODEL_NAME
from training.document.data import Example
from training.document.evaluate import evaluate, real_page_scores


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


@dataclass(frozen=True)
class Champion:
    """The registry's current champion, loaded once and scored on every set the gate reads
    (held-out synthetic pages, real pages). `error`: there is one but it could not be loaded,
    which blocks promotion (an unmeasured champion is never assumed beaten)."""

    model: PageModel | None = None
    version: str | None = None
    error: str | None = None

    def scores(self, examples: Sequence[Example]) -> dict | None:
        if self.model is None:
            return None
        return evaluate(self.model, examples, {"document": str(self.version)},
                        cached=False).scores

    def real_scores(self, real_dir: Path | None) -> dict | None:
        return None if self.model is None or real_dir is None else \
            real_page_scores(self.model, real_dir)[0]


def current_champion(tracking_uri: str) -> Champion:
    """The champion of `yogi-document` in the registry at `tracking_uri` (empty without one)."""
    from inference.document.tier import load_champion
    from inference.model_store import ModelUnavailable
    from inference.settings import Settings
    from training.registry import use_tracking, version_by_alias

    if version_by_alias(use_tracking(tracking_uri), MODEL_NAME, "champion") is None:
        return Champion()
    try:
        model, version = load_champion(tracking_uri=tracking_uri,
                                       cache_dir=Settings().model_cache_dir)
    except (ModelUnavailable, ValueError, OSError) as error:
        return Champion(error=str(error))
    return Champion(model, version)
