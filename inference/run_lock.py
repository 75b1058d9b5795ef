"""One training run at a time per machine: a lock file holding the running process's pid.

Taken with O_EXCL, so two processes (two service workers, a trigger and a person typing
`yogi pipeline run`) cannot both take it; a lock whose process has ended is free (a run that
was killed leaves its file behind, and that must not block the next run forever). The
process that starts a run may take the lock for it (`pid=`): the run then finds the lock
already its own.
"""

from __future__ import annotations

import os
from pathlib import Path

RUN_LOCK = "running.pid"  # the training pipeline's lock, in `Settings.pipeline_dir`


def alive(pid: int) -> bool:
    """Whether process `pid` is running. A finished process whose parent has not reaped it
    yet (a zombie: the service that started a run never waits for it) counts as ended."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)  # our own finished child: reap it
        if done:
            return False
    except ChildProcessError:
        pass  # not our child
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


class RunLock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def holder(self) -> int | None:
        """The pid of the live process holding the lock, or None."""
        try:
            pid = int(self.path.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return None
        return pid if pid and alive(pid) else None

    def acquire(self, pid: int | None = None) -> bool:
        """Take the lock for `pid` (default: this process); False when another live process
        holds it. Already held for `pid`: True."""
        pid = pid or os.getpid()
        held = self.holder()
        if held == pid:
            return True
        if held is not None:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)  # free: its process ended
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as out:
            out.write(str(pid))
        return True

    def hand_over(self, pid: int) -> None:
        """Give a held lock to the process started for the run."""
        self.path.write_text(str(pid))

    def release(self) -> None:
        if self.holder() in (os.getpid(), None):
            self.path.unlink(missing_ok=True)
