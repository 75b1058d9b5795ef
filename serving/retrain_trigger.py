"""The learning loop's automatic trigger: enough new reviewer corrections start a training run.

After each gold label the service counts the gold labels written since the last run it
started (`retrain_after_gold`; 0 turns this off). At the threshold it starts `yogi pipeline
run --trigger gold-labels` as a detached background process and returns at once: a request
never waits for training. One run at a time per machine: a lock file holding the run's pid,
shared with `yogi pipeline run` (`inference/run_lock.py`), so a run by hand and a triggered
one never overlap. The mark (the newest label counted) lives beside the pipeline's runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import structlog

from inference.run_lock import RUN_LOCK, RunLock
from inference.store.repository import Store

log = structlog.get_logger(__name__)


class RetrainTrigger:
    def __init__(self, settings: Any, store: Store) -> None:
        self.every = settings.retrain_after_gold
        self.folder: Path = settings.pipeline_dir
        self.store = store

    @property
    def _mark(self) -> Path:
        return self.folder / "trigger.json"


    def _after(self) -> int | None:
        if self._mark.exists():
            return json.loads(self._mark.read_text()).get("after_label_id")
        return None

    def new_gold(self) -> tuple[int, int | None]:
        """(gold labels since the mark, the newest one's id)."""
        rows = self.store.corrections_since(after_id=self._after(), source="gold",
                                            limit=max(self.every, 1) * 100)
        return len(rows), (rows[-1][0].id if rows else None)

    def note_gold(self) -> int | None:
        """Called after a gold label is stored; the pid of a run it started, else None."""
        if not self.every:
            return None
        count, newest = self.new_gold()
        lock = RunLock(self.folder / RUN_LOCK)
        if count < self.every or not lock.acquire():
            return None
        logs = self.folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        yogi = Path(sys.executable).parent / "yogi"
        with (logs / f"triggered-{newest}.log").open("w") as out:
            process = subprocess.Popen(
                [str(yogi), "pipeline", "run", "--trigger", "gold-labels"], stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        lock.hand_over(process.pid)
        self._mark.write_text(json.dumps({"after_label_id": newest, "pid": process.pid}))
        log.info("training pipeline started", trigger="gold-labels", new_gold=count,
                 pid=process.pid)
        return process.pid
