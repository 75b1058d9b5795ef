"""The learning loop's automatic trigger: enough new reviewer corrections start a training run.

After each gold label the service counts the gold labels written since the last run it
started (`retrain_after_gold`; 0 turns this off). At the threshold it starts `yogi pipeline
run --trigger gold-labels` as a detached background process and returns at once: a request
never waits for training. One run at a time per machine: a lock file holding the run's pid,
taken with O_EXCL (so two service workers cannot both start one) and treated as free once that
process has ended. The mark (the newest label counted) lives beside the pipeline's runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import structlog

from inference.store.repository import Store

log = structlog.get_logger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A finished child of this process stays a zombie until reaped; reaping it is harmless.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not our child: it exists
    return done == 0


class RetrainTrigger:
    def __init__(self, settings: Any, store: Store) -> None:
        self.every = settings.retrain_after_gold
        self.folder: Path = settings.pipeline_dir
        self.store = store

    @property
    def _mark(self) -> Path:
        return self.folder / "trigger.json"

    @property
    def _lock(self) -> Path:
        return self.folder / "running.pid"

    def _after(self) -> int | None:
        if self._mark.exists():
            return json.loads(self._mark.read_text()).get("after_label_id")
        return None

    def new_gold(self) -> tuple[int, int | None]:
        """(gold labels since the mark, the newest one's id)."""
        rows = self.store.corrections_since(after_id=self._after(), source="gold",
                                            limit=max(self.every, 1) * 100)
        return len(rows), (rows[-1][0].id if rows else None)

    def _take_lock(self) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._lock.exists():
            try:
                pid = int(self._lock.read_text() or 0)
            except ValueError:
                pid = 0
            if pid and _alive(pid):
                return False
            self._lock.unlink(missing_ok=True)  # the last run ended (or died): free
        try:
            fd = os.open(self._lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        os.close(fd)
        return True

    def note_gold(self) -> int | None:
        """Called after a gold label is stored; the pid of a run it started, else None."""
        if not self.every:
            return None
        count, newest = self.new_gold()
        if count < self.every or not self._take_lock():
            return None
        logs = self.folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        yogi = Path(sys.executable).parent / "yogi"
        with (logs / f"triggered-{newest}.log").open("w") as out:
            process = subprocess.Popen(
                [str(yogi), "pipeline", "run", "--trigger", "gold-labels"], stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self._lock.write_text(str(process.pid))
        self._mark.write_text(json.dumps({"after_label_id": newest, "pid": process.pid}))
        log.info("training pipeline started", trigger="gold-labels", new_gold=count,
                 pid=process.pid)
        return process.pid
