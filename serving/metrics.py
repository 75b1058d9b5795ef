"""Prometheus metrics of the HTTP service, served at GET /metrics (`exposition`).

Every label has a bounded set of values: routes by template (`/documents/{document_id}`, never
a requested id), methods from a fixed list, our error codes. BentoML's own HTTP metrics are off
(`serving/service.py`): they label by the raw path, so every id requested leaked into /metrics
and grew its label set without end.

`prometheus_client` is imported only when the metrics are first created, inside the running
worker: BentoML sets `PROMETHEUS_MULTIPROC_DIR` when the worker starts, after the service module
is imported, and prometheus_client picks its multi-process mode at import time.
"""

from __future__ import annotations

import os
from functools import lru_cache

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 300)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0)


class PrometheusMetrics:
    """Request latency per route, extractions per tier and status, confidence, errors.
    Also the `Observer` that `ServingApp` reports extractions and failures to."""

    def __init__(self) -> None:
        import prometheus_client as prom

        self.request_seconds = prom.Histogram(
            "yogi_http_request_duration_seconds", "HTTP request latency by route template.",
            ["method", "route", "status"], buckets=LATENCY_BUCKETS,
        )
        self.errors = prom.Counter(
            "yogi_http_errors", "HTTP error responses by error code.", ["route", "code", "status"]
        )
        self.extractions = prom.Counter(
            "yogi_extractions", "Completed extractions by tier and resulting status.",
            ["tier", "status"],
        )
        self.extraction_seconds = prom.Histogram(
            "yogi_extraction_duration_seconds", "Extraction time (queue included) by tier.",
            ["tier"], buckets=LATENCY_BUCKETS,
        )
        self.confidence = prom.Histogram(
            "yogi_extraction_confidence", "Document confidence of extractions by tier.",
            ["tier"], buckets=CONFIDENCE_BUCKETS,
        )
        self.failures = prom.Counter(
            "yogi_extraction_failures", "Refused or failed extractions by reason.", ["code"]
        )
        self.feature_reads = prom.Counter(
            "yogi_feature_reads", "Routing feature reads by online store and status "
            "(online, unavailable: routed without features, off).", ["store", "status"]
        )

    # Observer protocol (serving.app).
    def extraction(self, tier: str, status: str, confidence: float, seconds: float) -> None:
        self.extractions.labels(tier=tier, status=status).inc()
        self.extraction_seconds.labels(tier=tier).observe(seconds)
        self.confidence.labels(tier=tier).observe(confidence)

    def failure(self, code: str) -> None:
        self.failures.labels(code=code).inc()

    def features(self, store: str, status: str) -> None:
        self.feature_reads.labels(store=store, status=status).inc()

    # HTTP layer.
    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.request_seconds.labels(method=method, route=route, status=str(status)).observe(
            seconds
        )

    def error(self, route: str, code: str, status: int) -> None:
        self.errors.labels(route=route, code=code, status=str(status)).inc()


@lru_cache(maxsize=1)
def get_metrics() -> PrometheusMetrics:
    return PrometheusMetrics()


def exposition() -> tuple[bytes, str]:
    """The text /metrics answers (every worker's series when BentoML runs several) and its
    media type."""
    import prometheus_client as prom
    from prometheus_client import multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prom.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prom.REGISTRY
    return prom.generate_latest(registry), prom.CONTENT_TYPE_LATEST
