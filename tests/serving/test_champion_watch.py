"""The service follows the registry: a moved `champion` is swapped in without a restart, a
request already holding the old model finishes with it, and results name the new version."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from inference.settings import Settings
from serving.champion_watch import ChampionWatcher

NAME = "yogi-document"


@pytest.fixture
def registry(tmp_path: Path) -> str:
    """A fresh registry holding the committed document release as v1 `champion`."""
    from training.registry import ensure_released, load_release

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    assert ensure_released(load_release(NAME), uri).version == "1"
    return uri


def new_champion(uri: str) -> str:
    """A second version of the same model (as the training pipeline's Promote leaves it)."""
    from training.registry import use_tracking

    client = use_tracking(uri)
    first = client.get_model_version(NAME, "1")
    second = client.create_model_version(NAME, first.source, run_id=first.run_id)
    client.set_registered_model_alias(NAME, "champion", second.version)
    return str(second.version)


def test_a_moved_champion_is_swapped_in_and_named_in_results(registry: str, tmp_path: Path,
                                                             sample_png: Path) -> None:
    from inference.pipeline import extract_bytes
    from inference.tiers import get_tier

    settings = Settings(mlflow_tracking_uri=registry, data_dir=tmp_path / "state",
                        ocr_engine="rapid")  # this registry holds no yogi-ocr
    watcher = ChampionWatcher(settings)
    assert watcher.check() is False  # nothing moved: v1 is what is loaded
    in_flight = get_tier("document", settings)
    assert in_flight.version == "1"

    version = new_champion(registry)
    assert watcher.check() is True
    assert get_tier("document", settings).version == version
    assert in_flight.version == "1"  # the request that held it is not disturbed
    result = extract_bytes(sample_png.read_bytes(), settings=settings)
    assert result.model_versions["document"] == version


def test_the_watch_thread_notices_the_alias_within_a_few_polls(registry: str,
                                                               tmp_path: Path) -> None:
    from inference.tiers import get_tier

    settings = Settings(mlflow_tracking_uri=registry, data_dir=tmp_path / "state",
                        registry_poll_s=0.2)
    assert get_tier("document", settings).version == "1"
    watcher = ChampionWatcher(settings)
    watcher.start()
    try:
        version = new_champion(registry)
        deadline = time.monotonic() + 60
        while get_tier("document", settings).version != version:
            assert time.monotonic() < deadline, "the watcher never swapped the model in"
            time.sleep(0.2)
    finally:
        watcher.stop()
    assert watcher.swaps == 1
