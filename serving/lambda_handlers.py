"""AWS Lambda entry points over the same `ServingApp` as the HTTP service.

- `api_handler`: API Gateway REST proxy events (base64 bodies for binary media types), the same
  routes as the service: POST /extract, GET /documents/{id}, PUT /documents/{id}/timetable,
  POST /documents/{id}/reprocess, GET /corrections, GET /livez, GET /readyz (the reviewers'
  routes and /metrics are the HTTP service's own; Lambda reports metrics to CloudWatch).
- `s3_handler`: S3 ObjectCreated notifications: extract each new object and store the result,
  or, with `YOGI_PROCESSING_STATE_MACHINE_ARN` set (AWS), start the processing state machine on
  it (`serving/step_functions.py`; its steps are `serving/processing_handlers.py`).
- `authorizer_handler`: the API's TOKEN authorizer (API token or JWT, `serving/authorizer.py`).

Powertools gives the event parsing, the structured JSON logger and CloudWatch metrics (EMF).
Production settings come from the environment as everywhere (YOGI_DATABASE_URL,
YOGI_S3_BUCKET, YOGI_API_TOKEN); the app and its models load once per cold start.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source

from serving.app import ServingApp
from serving.authorizer import Unauthorized, authorize
from serving.errors import ServingError
from serving.requests import require_json
from serving.step_functions import start_processing

NAMESPACE = "Yogi"
logger = Logger(service="yogi")
metrics = Metrics(namespace=NAMESPACE, service="yogi")
api = APIGatewayRestResolver()


class EmfObserver:
    """ServingApp events as CloudWatch metrics, one dimension (tier or reason) each."""

    def extraction(self, tier: str, status: str, confidence: float, seconds: float) -> None:
        with single_metric(name="Extractions", unit=MetricUnit.Count, value=1,
                           namespace=NAMESPACE) as metric:
            metric.add_dimension(name="tier", value=tier)
            metric.add_metric(name="ExtractionSeconds", unit=MetricUnit.Seconds, value=seconds)
            metric.add_metric(name="Confidence", unit=MetricUnit.NoUnit, value=confidence)
        metrics.add_metric(name=f"Status_{status}", unit=MetricUnit.Count, value=1)

    def failure(self, code: str) -> None:
        with single_metric(name="Failures", unit=MetricUnit.Count, value=1,
                           namespace=NAMESPACE) as metric:
            metric.add_dimension(name="reason", value=code)

    def features(self, store: str, status: str) -> None:
        with single_metric(name="FeatureReads", unit=MetricUnit.Count, value=1,
                           namespace=NAMESPACE) as metric:
            metric.add_dimension(name="status", value=status)


@lru_cache(maxsize=1)
def core() -> ServingApp:
    app = ServingApp.from_settings(observer=EmfObserver())
    app.start(warm=False)  # models load on first use; migrations are idempotent
    return app


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, "application/json", json.dumps(body), headers=headers)


def _body() -> bytes:
    event = api.current_event
    raw = event.body or ""
    return base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ServingError(422, "invalid_request", f"{value!r} is not an integer.") from None


@api.exception_handler(ServingError)
def _serving_error(error: ServingError) -> Response:
    logger.info("request refused", error=error.code, status=error.status)
    return _json(error.status, error.body(), error.headers)


@api.not_found
def _not_found(_: Exception) -> Response:
    return _json(404, ServingError(404, "not_found", "No such route.").body())


@api.post("/extract")
def extract() -> Response:
    status, body = core().extract_request(_body(), api.current_event.headers.get("content-type"))
    return _json(status, body)


@api.get("/documents/<document_id>")
def get_document(document_id: str) -> Response:
    app = core()
    app.authorize(api.current_event.headers.get("authorization"))  # reads need the token too
    return _json(200, app.get_document(document_id))


@api.put("/documents/<document_id>/timetable")
def put_timetable(document_id: str) -> Response:
    app, headers = core(), api.current_event.headers
    app.authorize(headers.get("authorization"))  # as the HTTP service: 401 before anything
    require_json(headers.get("content-type"), "the corrected timetable")
    return _json(200, app.put_correction(document_id, _body(), headers.get("x-reviewer"),
                                         headers.get("authorization")))


@api.post("/documents/<document_id>/reprocess")
def reprocess(document_id: str) -> Response:
    status, body = core().reprocess(document_id, api.current_event.headers.get("authorization"))
    return _json(status, body)


@api.get("/corrections")
def corrections() -> Response:
    app, query = core(), api.current_event.query_string_parameters
    app.authorize(api.current_event.headers.get("authorization"))
    limit = _int(query.get("limit"))
    return _json(200, app.list_corrections(query.get("since"), _int(query.get("after")),
                                              query.get("source"), 100 if limit is None else limit))


@api.get("/livez")
@api.get("/readyz")
def health() -> Response:
    core().store.ping()
    return _json(200, {"status": "ok"})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
def api_handler(event: dict, context: Any) -> dict:
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    return api.resolve(event, context)


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def s3_handler(event: S3Event, context: Any) -> dict:
    app, results = core(), []
    metrics.add_metric(name="S3Objects", unit=MetricUnit.Count, value=len(event["Records"]))
    for record in event.records:
        bucket, key = record.s3.bucket.name, unquote_plus(record.s3.get_object.key)
        if app.is_own_original(bucket, key):
            continue
        if app.settings.processing_state_machine_arn:  # AWS: the state machine processes it
            results.append(start_processing(app.settings.processing_state_machine_arn, bucket,
                                            key, record.s3.get_object.sequencer))
            continue
        try:
            status, body = app.extract_s3(bucket, key)
            results.append({"bucket": bucket, "key": key, "documentId": body["documentId"],
                            "status": body["status"]})
        except ServingError as error:
            if error.status >= 500:
                raise  # let Lambda retry, then the dead-letter queue
            logger.warning("object refused", bucket=bucket, key=key, error=error.code)
            results.append({"bucket": bucket, "key": key, "error": error.code,
                            "detail": error.detail})
    return {"results": results}


@logger.inject_lambda_context
def authorizer_handler(event: dict, context: Any) -> dict:
    """API Gateway TOKEN authorizer: an allow policy, or 401 (serving/authorizer.py)."""
    from inference.settings import get_settings

    try:
        return authorize(event, get_settings())
    except Unauthorized as refused:
        logger.info("request not authorized", reason=refused.reason)
        raise
