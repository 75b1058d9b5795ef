"""The processing state machine's steps (`infra/statemachine/processing.asl.json`): one
function per Lambda task, each taking the Payload its state sends and a `ServingApp`, and
returning what the state selects from. `STEPS` names them by the payload's `step`; `handler` is
the Lambda entry both processing functions run (Extract on a large one, the rest on a small
one); `serving/processing_local.py` calls `run_step` in process for a local run.

A step fails with an exception whose class name is the ASL error the definition's Retry and
Catch match (Lambda reports an unhandled exception's type as the error): `DocumentRefused`
(the upload is not a document we read: recorded, then the execution ends), `ClaudeThrottled`
(429/529: the state machine waits and retries, the function does not), `ClaudeUnavailable`
(any other Claude failure, or an empty answer: the document goes to a person),
`InvalidTimetable`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

import structlog
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from inference.errors import InputRefused
from inference.schema import TimetableData
from inference.store.intake import keep_original
from inference.store.labels import record_extraction
from inference.store.status import AWAITING_REVIEW, DONE, INTERNAL_ERROR, PROCESSING
from inference.store.task_tokens import TaskTokens
from serving.app import ServingApp
from serving.errors import ServingError

log = structlog.get_logger(__name__)

Source = Literal["tier", "claude", "review"]
THROTTLED = {"rate_limited", "overloaded"}  # Anthropic's 429 and 529


class DocumentRefused(Exception):
    """The upload is not a document the service reads (the reason is on the document)."""


class ClaudeThrottled(Exception):
    """Claude answered 429 or 529: retried by the state machine with backoff."""


class ClaudeUnavailable(Exception):
    """Claude gave no usable answer (message: the `ClaudeFailed` reason, or claude_empty)."""


class InvalidTimetable(Exception):
    """An answer that is not a TimetableData."""


class _Event(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class ExtractInput(_Event):
    """The execution's input: an upload in S3 (the S3 handler) or a kept original (local)."""

    bucket: str | None = None
    key: str | None = None
    document_id: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ExtractInput:
        if (self.bucket is None) != (self.key is None) or (self.key is None) == (
                self.document_id is None):
            raise ValueError("give either bucket and key, or documentId")
        return self


class Answer(_Event):
    result: dict
    source: Source
    cost_usd: float = 0.0


class ExtractEvent(_Event):
    input: ExtractInput


class ClaudeEvent(_Event):
    document_id: str
    ocr_hint: str = ""


class ReviewEvent(_Event):
    document_id: str
    task_token: str
    execution_id: str
    document: dict  # the execution's state as Review got it (answer, confidence, claudeError)


class AnswerEvent(_Event):
    document_id: str
    answer: Answer
    timings: dict[str, float] = {}


def _answer(result: TimetableData, source: Source, cost_usd: float = 0.0) -> dict:
    return {"result": result.to_json_dict(), "source": source, "costUsd": cost_usd}


def _original(app: ServingApp, document_id: str) -> bytes:
    row = app.store.get_document_row(document_id)
    if row is None:
        raise DocumentRefused(f"no document {document_id}")
    return app.objects.get(row.object_key)


# --- Extract ------------------------------------------------------------------------------------


def _intake(app: ServingApp, source: ExtractInput) -> tuple[str, bytes, bool]:
    """(document id, bytes, whether this execution owns the extraction)."""
    from inference.loading import sniff_format

    if source.document_id is not None:  # kept by whoever started the run (a local run)
        row = app.store.get_document_row(source.document_id)
        if row is None:
            raise DocumentRefused(f"no document {source.document_id}")
        return row.id, app.objects.get(row.object_key), row.status == PROCESSING
    assert source.bucket is not None and source.key is not None
    try:
        data = app.read_s3(source.bucket, source.key)
        fmt = sniff_format(data)
    except ServingError as error:
        if error.status >= 500:
            raise  # S3 trouble: the Lambda retry applies
        raise DocumentRefused(f"{error.code}: {error.detail}") from None
    except InputRefused as error:
        raise DocumentRefused(f"{error.reason}: {error}") from None
    uploader = _uploader(source.key)
    document_id, created = keep_original(app.store, app.objects, data,
                                         source.key.rsplit("/", 1)[-1], fmt, uploader)
    owns = created or app.store.claim(document_id, lease_s=app.settings.claim_lease_s)
    return document_id, data, owns


def _uploader(key: str) -> str | None:
    """`uploads/<uploader>/<documentId>/original.<ext>`, the seeds' layout of the bucket."""
    parts = key.split("/")
    return parts[1] if len(parts) >= 4 and parts[0] == "uploads" and parts[1] else None


def extract(event: dict, app: ServingApp) -> dict:
    """Keep the original and read it with the tier; the calibrated confidence and the
    thresholds the Choice compares it with come back."""
    from inference.cascade import ocr_hint, run_cascade

    source = ExtractEvent.model_validate(event).input
    document_id, data, owns = _intake(app, source)
    if not owns:  # done, awaiting review, or another execution is on it
        return {"documentId": document_id, "cached": True}
    started = time.perf_counter()
    # The cascade's tier and calibration alone: at an accept threshold of 0 its router takes
    # whatever the tier answers and never calls Claude; this state machine routes instead.
    tier_only = app.settings.model_copy(update={"accept_threshold": 0.0})
    try:
        outcome = run_cascade(data, settings=tier_only, ledger=app.store,
                              document_id=document_id)
    except InputRefused as error:
        app.store.fail(document_id, code=error.reason, detail=str(error),
                       latency_s=time.perf_counter() - started)
        raise DocumentRefused(f"{error.reason}: {error}") from None
    except Exception as error:
        app.store.fail(document_id, code=INTERNAL_ERROR, detail=f"{type(error).__name__}: "
                       f"{error}", latency_s=time.perf_counter() - started)
        raise
    confidence = outcome.calibration.confidence
    return {
        "documentId": document_id,
        "cached": False,
        # JSON has no NaN: no usable confidence is null, which no threshold rule matches.
        "confidence": confidence if math.isfinite(confidence) else None,
        "thresholds": {"accept": app.settings.accept_threshold,
                       "review": app.settings.review_threshold},
        "answer": _answer(outcome.result, "tier"),
        "ocrHint": ocr_hint(outcome.traces),
        "timings": {"tier": round(time.perf_counter() - started, 4)},
    }


# --- Claude ------------------------------------------------------------------------------------


def claude(event: dict, app: ServingApp) -> dict:
    """Claude reads the original's pages (the OCR text as a hint), once: throttling is the
    state machine's to retry, so the SDK does not wait inside a billed Lambda."""
    from inference.claude import ClaudeFailed, ClaudeReader
    from inference.loading import load_pages, page_limits

    request = ClaudeEvent.model_validate(event)
    pages = load_pages(_original(app, request.document_id), **page_limits(app.settings))
    reader = ClaudeReader(app.settings, ledger=app.store, tracing=app.settings.claude_tracing,
                          max_retries=0)
    try:
        answer = reader.read([page.image for page in pages], request.ocr_hint,
                             document_id=request.document_id)
    except ClaudeFailed as failed:
        if failed.reason in THROTTLED:
            raise ClaudeThrottled(failed.reason) from None
        raise ClaudeUnavailable(failed.reason) from None
    if not answer.timetable.timeblocks:  # the tier saw a timetable: a disagreement
        raise ClaudeUnavailable("claude_empty")
    return _answer(answer.timetable, "claude", answer.cost_usd)


# --- Review ------------------------------------------------------------------------------------


def review_reason(state: dict) -> str:
    """Why the document waits for a person, in the router's words."""
    error = state.get("claudeError")
    if error:
        cause = error.get("Cause") or ""
        try:  # Lambda's error output: {"errorMessage": reason, "errorType": ...}
            detail = json.loads(cause).get("errorMessage") or error.get("Error")
        except (ValueError, AttributeError):
            detail = error.get("Error")
        return f"claude_failed:{detail}"
    return "no_confidence" if state.get("confidence") is None else "low_confidence"


def review(event: dict, app: ServingApp) -> dict:
    """Put the best answer so far before a person and record the task token; the execution
    then waits until their correction hands the token back (serving/step_functions.py)."""
    request = ReviewEvent.model_validate(event)
    reason = review_reason(request.document)
    answer = Answer.model_validate(request.document["answer"])
    tier = TimetableData.model_validate(answer.result)
    shown = tier.model_copy(update={"warnings": [*tier.warnings, f"awaiting review ({reason})"]})
    timings = request.document.get("timings", {})
    record_extraction(app.store, request.document_id, shown, status=AWAITING_REVIEW,
                      route_reason=reason, timings=timings,
                      latency_s=sum(timings.values()), cost_usd=answer.cost_usd,
                      settings=app.settings)
    TaskTokens(app.store).wait(request.document_id, request.task_token, request.execution_id,
                               "Review")
    log.info("document awaits review", document_id=request.document_id, reason=reason)
    return {"documentId": request.document_id, "status": AWAITING_REVIEW, "reason": reason}


# --- Validate, Save ----------------------------------------------------------------------------


def validate(event: dict, app: ServingApp) -> dict:
    """The answer against the contract; the timetable checks added as warnings."""
    from inference.validate import validate as check_blocks

    request = AnswerEvent.model_validate(event)
    try:
        timetable = TimetableData.model_validate(request.answer.result)
    except ValidationError as error:
        raise InvalidTimetable(f"{request.answer.source} answer: {error.error_count()} "
                               "contract violations") from None
    found = [w for w in check_blocks(timetable.timeblocks) if w not in timetable.warnings]
    checked = timetable.model_copy(update={"warnings": [*timetable.warnings, *found]})
    return _answer(checked, request.answer.source, request.answer.cost_usd)


ROUTE_REASONS: dict[Source, str] = {"tier": "high_confidence", "claude": "claude_answer"}


def _save_extraction(app: ServingApp, request: AnswerEvent) -> None:
    result = TimetableData.model_validate(request.answer.result)
    record_extraction(app.store, request.document_id, result, status=DONE,
                      route_reason=ROUTE_REASONS[request.answer.source],
                      timings=request.timings, latency_s=sum(request.timings.values()),
                      cost_usd=request.answer.cost_usd, settings=app.settings)


def _close_review(app: ServingApp, request: AnswerEvent) -> None:
    # The reviewer's PUT already stored the gold label; the document is done.
    app.store.set_status(request.document_id, DONE)


SAVERS: dict[Source, Callable[[ServingApp, AnswerEvent], None]] = {
    "tier": _save_extraction, "claude": _save_extraction, "review": _close_review,
}


def save(event: dict, app: ServingApp) -> dict:
    """The final answer into the store, and the message Notify publishes."""
    request = AnswerEvent.model_validate(event)
    SAVERS[request.answer.source](app, request)
    result = request.answer.result
    notification = {"documentId": request.document_id, "status": DONE,
                    "source": request.answer.source, "blocks": len(result["timeblocks"]),
                    "path": f"/documents/{request.document_id}"}
    return {"status": DONE, "notification": json.dumps(notification)}


# --- dispatch ------------------------------------------------------------------------------------

STEPS: dict[str, Callable[[dict, ServingApp], dict]] = {
    "extract": extract, "claude": claude, "review": review, "validate": validate, "save": save,
}


def run_step(event: dict, app: ServingApp) -> dict:
    step = event.get("step")
    if step not in STEPS:
        raise ValueError(f"unknown processing step {step!r}; known: {', '.join(STEPS)}")
    return STEPS[step](event, app)


@lru_cache(maxsize=1)
def _app() -> ServingApp:
    app = ServingApp.from_settings()
    app.start(warm=False)  # models load on first use; migrations are idempotent
    return app


def handler(event: dict, context: Any) -> dict:
    """Lambda entry of the processing functions (serving.processing_handlers.handler)."""
    return run_step(event, _app())
