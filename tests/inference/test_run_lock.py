"""One training run per machine: the run lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inference.run_lock import RunLock, alive


def test_a_live_holder_keeps_the_lock_and_a_dead_one_frees_it(tmp_path: Path) -> None:
    lock = RunLock(tmp_path / "running.pid")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert lock.acquire(sleeper.pid)
        assert lock.holder() == sleeper.pid
        assert not lock.acquire()  # this process may not take it
    finally:
        sleeper.kill()
        sleeper.wait()
    assert lock.holder() is None  # its process ended: free
    assert lock.acquire() and lock.holder() == os.getpid()
    lock.release()
    assert not lock.path.exists()


def test_a_finished_unreaped_child_counts_as_ended() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped by Popen here; a zombie elsewhere is read from /proc
    assert not alive(child.pid)
