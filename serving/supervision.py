"""A service worker ends when the server process that started it ends, by any signal.

BentoML runs each worker in its own process group, so `kill -9` of `yogi serve` used to leave
the worker alive, adopted by PID 1 and still holding the port: a restart failed with "Address
already in use". On Linux the kernel ends the worker at once (parent-death signal); a watchdog
thread that notices the parent is gone covers other systems and the moment before the signal
was armed. Work cut short is not lost: its document's claim goes stale and is taken over
(`serving/claims.py`).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

import structlog

log = structlog.get_logger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_S = 1.0


def end_with_parent() -> None:
    """Arm the parent-death signal (Linux) and start the watchdog; call once, in the worker."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.warning("parent-death signal not armed", errno=ctypes.get_errno())

    def watch() -> None:
        while not stop.wait(WATCH_S):
            if os.getppid() != parent:
                log.error("server process gone; worker exiting", parent=parent)
                os._exit(1)

    stop = threading.Event()
    if os.getppid() != parent:  # pragma: no cover - the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=watch, name="yogi-parent-watch", daemon=True).start()
