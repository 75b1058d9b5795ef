"""Who is extracting a document, kept true across crashes.

A worker that takes a document (`processing`) renews its claim every third of the lease while
it works (`Heartbeat`). A claim that is not renewed within the lease belongs to a dead worker:
`Recovery`, a thread in every worker, finds such documents and extracts them again from their
stored originals, and a re-upload of one takes it over at once. So a crash mid-extraction costs
at most one lease, never a document, and nothing waits the old 15 minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

import structlog

from inference.store.repository import Store

log = structlog.get_logger(__name__)


class Heartbeat:
    """`with Heartbeat(store, document_id, lease_s):` keeps the document's claim fresh."""

    def __init__(self, store: Store, document_id: str, lease_s: float) -> None:
        self.store = store
        self.document_id = document_id
        self.every_s = lease_s / 3
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="yogi-claim", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.store.renew_claim(self.document_id)
            except Exception as error:  # noqa: BLE001 - the database may be down a moment
                log.warning("claim renewal failed", document_id=self.document_id,
                            error=repr(error)[:200])

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


class Recovery:
    """Every half lease: documents whose claim went stale are taken over (one worker wins each)
    and handed to `extract(document_id)`, one at a time."""

    def __init__(self, store: Store, lease_s: float, extract: Callable[[str], None]) -> None:
        self.store = store
        self.lease_s = lease_s
        self.extract = extract
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> list[str]:
        """One pass; the documents this worker took over and extracted."""
        taken = []
        for document_id in self.store.abandoned(lease_s=self.lease_s):
            if not self.store.claim(document_id, lease_s=self.lease_s):
                continue  # another worker was faster, or it failed too often
            log.warning("taking over an abandoned extraction", document_id=document_id)
            taken.append(document_id)
            try:
                self.extract(document_id)
            except Exception as error:  # noqa: BLE001 - recorded on the document by `extract`
                log.warning("recovered extraction failed", document_id=document_id,
                            error=repr(error)[:200])
        return taken

    def _loop(self) -> None:
        while True:
            try:
                self.sweep()
            except Exception as error:  # noqa: BLE001 - keep sweeping; the database may be back
                log.warning("recovery sweep failed", error=repr(error)[:200])
            if self._stop.wait(max(self.lease_s / 2, 0.5)):
                return

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="yogi-recovery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
