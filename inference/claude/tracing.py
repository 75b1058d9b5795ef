"""MLflow tracing of the Claude tier: every Messages API call autologged into the "yogi-claude"
experiment, and a parent span per read carrying what the autologged spans cannot know (cost,
attempts, outcome). Tracing trouble only ever costs the traces, never the extraction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from inference.claude.prices import price_per_mtok
from inference.settings import Settings

log = structlog.get_logger(__name__)

TRACING_EXPERIMENT = "yogi-claude"

_tracing_lock = threading.Lock()
_tracing: dict[str, Any] = {"attempted": False, "enabled": False, "experiment_id": None}


def enable_tracing(settings: Settings, *, force: bool = False) -> bool:
    """Trace every Messages API call into MLflow (experiment "yogi-claude") with
    `mlflow.anthropic.autolog()`. Runs once per process; returns whether tracing is on. MLflow
    missing or its store unreachable only costs the traces, never the extraction."""
    with _tracing_lock:
        if _tracing["attempted"] and not force:
            return bool(_tracing["enabled"])
        _tracing["attempted"] = True
        try:
            import mlflow
            import mlflow.anthropic
            from mlflow.entities.trace_location import MlflowExperimentLocation

            mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
            client = mlflow.MlflowClient(settings.mlflow_tracking_uri)
            experiment = client.get_experiment_by_name(TRACING_EXPERIMENT)
            if experiment is None:
                try:
                    experiment_id = client.create_experiment(TRACING_EXPERIMENT)
                except Exception:  # another process created it first
                    experiment = client.get_experiment_by_name(TRACING_EXPERIMENT)
                    if experiment is None:
                        raise
                    experiment_id = experiment.experiment_id
            else:
                experiment_id = experiment.experiment_id
            # Traces go to "yogi-claude" without changing the process's active experiment,
            # which training code in the same process may be using.
            mlflow.tracing.set_destination(MlflowExperimentLocation(experiment_id=experiment_id))
            mlflow.anthropic.autolog(log_traces=True, silent=True)
        except Exception as err:
            log.warning("claude.tracing_unavailable", error=repr(err))
            _tracing["enabled"] = False
            return False
        _tracing["enabled"] = True
        _tracing["experiment_id"] = experiment_id
        log.info("claude.tracing_enabled", experiment_id=experiment_id)
        return True


def disable_tracing() -> None:
    """Undo `enable_tracing` (tests; a process switching tracking stores)."""
    with _tracing_lock:
        if _tracing["enabled"]:
            try:
                import mlflow
                import mlflow.anthropic

                mlflow.anthropic.autolog(disable=True)
                mlflow.tracing.reset()
            except Exception as err:
                log.warning("claude.tracing_disable_failed", error=repr(err))
        _tracing.update(attempted=False, enabled=False, experiment_id=None)


class _SpanLike:
    def set_attributes(self, attributes: dict[str, Any]) -> None: ...

    def set_outputs(self, outputs: Any) -> None: ...


@contextmanager
def read_span(enabled: bool, inputs: dict[str, Any]) -> Iterator[Any]:
    """A parent span around one `read` (its Messages calls nest under it) carrying what the
    autologged spans cannot know: cost, attempts, outcome. Tracing trouble is never fatal."""
    if not enabled:
        yield _SpanLike()
        return
    try:
        import mlflow

        manager = mlflow.start_span(name="ClaudeReader.read", span_type="CHAIN")
        span = manager.__enter__()
        span.set_inputs(inputs)
    except Exception as err:
        log.warning("claude.span_failed", error=repr(err))
        yield _SpanLike()
        return
    try:
        yield span
    finally:
        try:
            manager.__exit__(None, None, None)
        except Exception as err:
            log.warning("claude.span_failed", error=repr(err))


def cost_attributes(model: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
    price_in, price_out = price_per_mtok(model)
    input_cost = input_tokens * price_in / 1_000_000
    output_cost = output_tokens * price_out / 1_000_000
    return {
        # MLflow's own cost attribute: the UI sums it into the trace's cost.
        "mlflow.llm.cost": {
            "input_cost": input_cost,
            "output_cost": output_cost,
            "total_cost": input_cost + output_cost,
        },
        "yogi.claude.cost_usd": input_cost + output_cost,
        "yogi.claude.input_tokens": input_tokens,
        "yogi.claude.output_tokens": output_tokens,
    }
