"""A worker's extraction slot: one extraction at a time, a bounded queue in front of it, and
queued work dropped when its client has gone.

The OCR engine object is shared and RapidOCR keeps per-call state on it (and the runtime
already spreads one call over the cores), so a worker reads one document at a time. Without a
bound, requests would queue behind it until every client timed out; with one, a request beyond
`queue_limit` waiting documents is answered at once with 503 and a `Retry-After` estimated
from the measured time per document, and a client can come back or go to another worker.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from serving.errors import ServingError

POLL_S = 0.2  # how often a queued request checks whether its client is still there
FIRST_GUESS_S = 3.0  # time per document before any was measured


class WorkCancelled(Exception):
    """The client left while its document waited for the slot."""


class Turn:
    """Holds the slot for one stretch of work; may be entered again for the next stretch (the
    cascade decodes, then reads, holding the slot each time). Waiting gives up when
    `cancelled()` turns true."""

    def __init__(self, slot: WorkSlot, cancelled: Callable[[], bool] | None) -> None:
        self.slot = slot
        self.cancelled = cancelled or (lambda: False)
        self.held_s = 0.0  # slot time of this document so far
        self.waited_s = 0.0  # time it queued for the slot
        self._entered = 0.0

    def __enter__(self) -> Turn:
        asked = time.perf_counter()
        while not self.slot._lock.acquire(timeout=POLL_S):
            if self.cancelled():
                raise WorkCancelled()
        if self.cancelled():
            self.slot._lock.release()
            raise WorkCancelled()
        self._entered = time.perf_counter()
        self.waited_s += self._entered - asked
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.held_s += time.perf_counter() - self._entered
        self.slot._lock.release()


class WorkSlot:
    def __init__(self, queue_limit: int) -> None:
        self.capacity = queue_limit + 1  # the running document and those waiting for it
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._admitted = 0
        self.mean_s = FIRST_GUESS_S  # moving average of slot time per document

    @property
    def admitted(self) -> int:
        return self._admitted

    @contextmanager
    def admit(self, refused: Callable[[], None] = lambda: None) -> Iterator[None]:
        """A place in this worker's queue for one document's work, or 503 `overloaded` at once
        (after calling `refused`, which releases what the request holds)."""
        with self._count_lock:
            full = self._admitted >= self.capacity
            if not full:
                self._admitted += 1
        if full:
            refused()
            retry = max(1, math.ceil(self._admitted * self.mean_s))
            raise ServingError(
                503, "overloaded", f"This worker has {self._admitted} documents in hand (its "
                f"limit); try again in about {retry} s.", {"Retry-After": str(retry)},
            )
        try:
            yield
        finally:
            with self._count_lock:
                self._admitted -= 1

    def turn(self, cancelled: Callable[[], bool] | None = None) -> Turn:
        return Turn(self, cancelled)

    def record(self, turn: Turn) -> None:
        """A document's work is over: fold its slot time into the average."""
        if turn.held_s > 0:
            self.mean_s = 0.8 * self.mean_s + 0.2 * turn.held_s
