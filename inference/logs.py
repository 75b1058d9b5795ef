"""Structured logs (JSON lines on stderr, so stdout stays clean for `--format json`)."""

from __future__ import annotations

import logging
import sys

import structlog


def configure(level: str = "WARNING") -> None:
    # MLflow's own INFO chatter ("Creating initial MLflow database tables…") is not ours to print.
    logging.getLogger("mlflow").setLevel(max(getattr(logging, level), logging.WARNING))
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        # Whatever sys.stderr is when a line is written (not when configured): a test runner or
        # a CLI harness may swap it, and a closed stream must never break extraction.
        logger_factory=lambda *_: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )
