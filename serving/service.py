"""The BentoML service: `bentoml serve serving.service:Yogi` (what `yogi serve` runs).

Each worker builds one `ServingApp` and, in a background thread, migrates the database and
loads and exercises the extraction models, so /livez answers at once and /readyz turns 200
only when the worker can extract (BentoML calls `__is_ready__`). Until then the routes
answer 503.
The HTTP routes are the FastAPI app of `serving/http.py`, mounted at /.
"""

from __future__ import annotations

import threading
import time

import bentoml
import structlog

from inference.logs import configure
from inference.settings import get_settings
from serving.app import ServingApp
from serving.errors import ServingError
from serving.http import JsonRoutingErrors, create_api
from serving.supervision import end_with_parent

log = structlog.get_logger(__name__)


def _core() -> ServingApp:
    service = bentoml.get_current_service()
    core = getattr(service, "core", None)
    if core is None or not core.ready.is_set():
        problem = getattr(service, "start_error", None)
        raise ServingError(503, "not_ready", f"The service cannot start: {problem} (retrying)."
                           if problem else "The service is starting (models loading).",
                           {"Retry-After": "5"})
    return core


def _metrics():  # type: ignore[no-untyped-def]
    service = bentoml.get_current_service()
    return getattr(service, "metrics", None)


api = create_api(_core, _metrics, get_settings())


@bentoml.service(
    name="yogi",
    workers=get_settings().serve_workers,
    # Each worker bounds its own queue (YOGI_QUEUE_LIMIT → 503); this is the outer backstop.
    traffic={"timeout": 900, "max_concurrency": 128},
    # BentoML's HTTP metrics label by raw path (ids leak, labels grow without end); ours are
    # by route template and served by serving/http.py at /metrics.
    metrics={"enabled": False},
)
@bentoml.mount_asgi_app(api, path="/")
class Yogi:
    """School timetable documents → TimetableData (the cascade of
    `serving.extraction.run_extraction`)."""

    def __init__(self) -> None:
        from serving.metrics import get_metrics

        configure("INFO")
        end_with_parent()
        self.metrics = get_metrics()
        self.start_error: str | None = None
        self.core = ServingApp.from_settings(observer=self.metrics)
        self.started = time.monotonic()
        threading.Thread(target=self._start, name="yogi-start", daemon=True).start()

    def _start(self) -> None:
        delay = 1.0
        while True:
            try:
                self.core.start()
            except Exception as error:
                # A database that is not up yet, typically: stay alive, not ready, and retry;
                # /readyz and every route say why.
                self.start_error = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
                log.exception("start-up failed; retrying", retry_in_s=delay)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            self.start_error = None
            log.info("ready", seconds=round(time.monotonic() - self.started, 2))
            return

    @bentoml.on_shutdown
    def shutdown(self) -> None:
        """BentoML's shutdown hook: the worker's background threads end with it."""
        self.core.close()

    def __is_ready__(self) -> bool:
        # Ready = models loaded and the database answering now (a sick database turns /readyz
        # 503 so a load balancer stops sending work here).
        return self.core.ready.is_set() and self.core.database_ready()


Yogi.add_asgi_middleware(JsonRoutingErrors)  # type: ignore[attr-defined]  # a bentoml Service
