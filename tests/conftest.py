"""Shared fixtures: where the project's own sample and the shared dev set live; no test leaks
its MLflow tracking URI into the next.

The suite runs in two pytest-xdist workers (`-n 2 --dist loadfile` in pyproject.toml): each
test process gets a data folder of its own, a test file runs whole on one worker (files that
share a session service run on the same one), and files with slow tests are handed out first,
so the two workers end together rather than one waiting on a long file picked up last."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "tests" / "data" / "sample"
DEV_DIR = ROOT.parent / "shared" / "dev"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, ... under pytest-xdist
_DATA_DIR = pytest.StashKey[str]()
# A file that uses a session fixture of another runs on that file's worker: test_bench.py
# uses the two `yogi serve` processes of tests/serving/conftest.py's `service`, which
# test_http.py starts; on the other worker it would start both again.
SAME_WORKER_AS = {"tests/serving/test_bench.py": "tests/serving/test_http.py"}


def pytest_configure(config: pytest.Config) -> None:
    """YOGI_DATA_DIR of this test process (each worker's own; `yogi` processes the tests start
    inherit it): the registry's model cache, the Claude spend ledger and the local feature
    store are written there, not into the checkout's `.yogi`, which another worker or a
    developer's `yogi` may be writing at the same moment."""
    folder = tempfile.mkdtemp(prefix=f"yogi-tests-{WORKER}-")
    config.stash[_DATA_DIR] = folder
    os.environ["YOGI_DATA_DIR"] = folder
    if WORKER != "main":
        # The workers share the machine's cores: a model thread each, where the default (the
        # cores of a lone process) would run twice as many threads as there are cores.
        os.environ.setdefault("YOGI_ONNX_THREADS", "1")


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_DATA_DIR, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding a `slow` test come first (the order is otherwise kept): under
    `--no-loadscope-reorder` xdist hands files out in this order."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """`--dist loadfile`, with the files of SAME_WORKER_AS on their partner's worker (xdist's
    own `loadgroup` marks do not take under pytest 9: it renames node ids pytest no longer
    reads)."""
    from xdist.scheduler import LoadScopeScheduling

    if config.getvalue("dist") != "loadfile":
        return None

    class FilesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return SAME_WORKER_AS.get(path, path)

    return FilesTogether(config, log)


@pytest.fixture
def sample_png() -> Path:
    return SAMPLE_DIR / "timetable.png"


@pytest.fixture
def dev_dir() -> Path:
    if not (DEV_DIR / "images").is_dir():
        pytest.skip("../shared/dev is not beside this checkout")
    return DEV_DIR


@pytest.fixture(autouse=True)
def _own_tracking_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    """`mlflow.set_tracking_uri` / `set_registry_uri` also set MLFLOW_TRACKING_URI /
    MLFLOW_REGISTRY_URI in os.environ: a test that logs to a temporary registry would hand it
    to every later `yogi` subprocess, which then finds no champion there. Undoing the
    variables after each test keeps registries apart."""
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        monkeypatch.delenv(name, raising=False)
