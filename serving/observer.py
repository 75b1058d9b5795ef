"""What the serving app reports to metrics: the `Observer` protocol (Prometheus in the
service, EMF on Lambda) and the `NullObserver` that reports nothing."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    """Receives the events metrics are made of (Prometheus in the service, EMF on Lambda)."""

    def extraction(self, tier: str, status: str, confidence: float, seconds: float) -> None: ...

    def failure(self, code: str) -> None: ...

    # How the feature store answered a document's routing read (`online`, `unavailable`, `off`).
    def features(self, store: str, status: str) -> None: ...


class NullObserver:
    def extraction(self, tier: str, status: str, confidence: float, seconds: float) -> None:
        pass

    def failure(self, code: str) -> None:
        pass

    def features(self, store: str, status: str) -> None:
        pass
