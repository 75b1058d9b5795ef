"""`inference.tiers`: the tiers by name, and what `auto` chooses."""

from __future__ import annotations

import threading
import time
from typing import get_args

import pytest

from inference import tiers
from inference.model_store import ModelUnavailable
from inference.ocr import ENGINES
from inference.runtimes import RUNTIMES
from inference.settings import OcrEngineName, OnnxRuntimeName, Settings, TierName
from inference.tiers import get_tier, read_document, tier_names
from inference.trace import PageTrace


def test_the_settings_name_exactly_the_registered_engines_tiers_and_runtimes():
    # Settings sit below the registries; this keeps their Literals, and so the CLI choices,
    # equal to what is registered.
    assert set(get_args(OcrEngineName)) == set(ENGINES)
    assert set(get_args(OnnxRuntimeName)) == set(RUNTIMES)
    assert list(get_args(TierName)) == tier_names()


def test_an_unknown_tier_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="auto, classical, document"):
        get_tier("oracle", Settings())


def test_auto_falls_back_to_the_rules_without_a_document_champion(tmp_path):
    import numpy as np

    from inference.assembly import Assembly

    settings = Settings(mlflow_tracking_uri=f"sqlite:///{tmp_path / 'empty.db'}",
                        data_dir=tmp_path)
    with pytest.raises(ModelUnavailable):
        get_tier("document", settings)
    blank = PageTrace(image=np.zeros((10, 10, 3), np.uint8), lines=[], tables=[],
                      assembly=Assembly())
    result = read_document([blank], settings)
    assert result.tier == "classical" and result.timeblocks == []


class SlowTier:
    """A tier whose model takes a while to load, counting its builds."""

    builds = 0

    def __init__(self, settings: Settings) -> None:
        SlowTier.builds += 1
        time.sleep(0.3)

    def read(self, traces: list[PageTrace]):
        raise NotImplementedError


def test_a_tier_asked_for_by_two_threads_at_once_is_built_once(monkeypatch, tmp_path):
    # The CLI builds the tier on a second thread while the page is read; the reading may ask
    # for it before that build ends, and must wait for it rather than load a second model.
    monkeypatch.setitem(tiers.TIERS, "slow", f"{__name__}:SlowTier")
    settings = Settings(data_dir=tmp_path)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(get_tier("slow", settings)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SlowTier.builds == 1
    assert got[0] is got[1]
