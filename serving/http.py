"""The HTTP routes (FastAPI), mounted at / inside the BentoML service.

BentoML's own `@bentoml.api` cannot express these routes (path parameters, PUT, one route that
takes multipart or JSON, status codes chosen per error), so they live in a FastAPI app that
`serving/service.py` mounts; BentoML keeps serving /livez, /readyz and /metrics itself and merges
these routes into its OpenAPI. FastAPI serves Swagger at /docs and the spec at /openapi.json.

Every error is JSON: {"error": code, "detail": one line}.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

import structlog
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inference.store.intake import MAX_UPLOADER
from serving.app import MAX_LABEL_ID, ServingApp
from serving.errors import ErrorBody, ServingError, database_unavailable
from serving.requests import (
    ENVELOPE_BYTES,
    describe_validation,
    extract_body_kind,
    require_json,
    s3_uri_in,
)
from serving.review_desk import etag
from serving.views import CorrectionResponse, CorrectionsPage, DocumentResponse, ExtractResponse

log = structlog.get_logger(__name__)

S3_URI = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$"
# The contract's times (inference.schema validates them; its JSON schema does not say so).
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


bearer = HTTPBearer(auto_error=False, scheme_name="apiToken",
                    description="The server's API token (YOGI_API_TOKEN); needed for writes.")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


def _route(scope: Scope) -> str:
    route = getattr(scope.get("route"), "path", None)
    if route:
        return route
    # Plain Starlette routes (/docs, /openapi.json) name no route object; their paths are fixed.
    return str(scope.get("path", "")) if scope.get("endpoint") else "unmatched"


async def _core(request: Request) -> ServingApp:
    return request.app.state.get_app()


App = Annotated[ServingApp, Depends(_core)]
DocumentId = Annotated[str, Path(description="The document's id (sha256 of its bytes).")]


class UploadTooLarge(HTTPException):
    """Raised by the body counter; an HTTPException so FastAPI's body reader lets it through."""

    def __init__(self) -> None:
        super().__init__(413, "upload too large")


class HttpGuard:
    """ASGI middleware: refuses bodies over the upload limit (by Content-Length at once, by
    counting otherwise) and records latency per route template."""

    def __init__(self, app: ASGIApp, max_body: Callable[[], int], metrics: Callable[[], Any]
                 ) -> None:
        self.app = app
        self.max_body = max_body
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        limit = self.max_body()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        length = dict(scope.get("headers") or []).get(b"content-length")
        try:
            if length is not None and length.isdigit() and int(length) > limit:
                error = ServingError(413, "upload_too_large", "The request body is larger "
                                     f"than the upload limit ({limit // 1024 // 1024} MB).")
                await JSONResponse(error.body(), 413)(scope, receive, send_wrapper)
                return
            received = 0

            async def limited_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise UploadTooLarge()
                return message

            await self.app(scope, limited_receive, send_wrapper)
        finally:
            metrics = self.metrics()
            if metrics is not None:
                metrics.request(scope.get("method", ""), _route(scope), status,
                                time.perf_counter() - start)


class ClientWatch:
    """`async with ClientWatch(request) as gone:` — `gone` (a threading.Event, readable from
    the worker thread) is set when the client disconnects, so queued work can be dropped."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.gone = threading.Event()
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while not await self.request.is_disconnected():
            await asyncio.sleep(0.5)
        self.gone.set()

    async def __aenter__(self) -> threading.Event:
        self._task = asyncio.create_task(self._watch())
        return self.gone

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


PLAIN_ERRORS = {
    404: ("not_found", "No such route."),
    405: ("method_not_allowed", "This route does not take this method."),
    503: ("not_ready", "The service is not ready (starting, or its database does not answer)."),
}


class JsonRoutingErrors:
    """ASGI middleware for the whole server: the outer router's plain-text 404/405 (paths no
    route matches, e.g. with a newline inside) and BentoML's plain-text 503 from /readyz
    become the same JSON error as everywhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced: dict[str, Any] = {}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in PLAIN_ERRORS:
                headers = dict(message.get("headers") or [])
                if headers.get(b"content-type", b"").startswith(b"text/plain"):
                    replaced["start"] = message
                    return
            if message["type"] == "http.response.body" and "start" in replaced:
                if message.get("more_body"):
                    return
                status = replaced["start"]["status"]
                error = ServingError(status, *PLAIN_ERRORS[status])
                body = json.dumps(error.body()).encode()
                keep = [(k, v) for k, v in replaced["start"].get("headers", [])
                        if k.lower() not in (b"content-type", b"content-length")]
                await send({"type": "http.response.start", "status": status, "headers": [
                    *keep, (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)


def create_api(get_app: Callable[[], ServingApp], get_metrics: Callable[[], Any],
               settings: Any) -> FastAPI:
    """The FastAPI app. `get_app` returns the ready `ServingApp` (or raises a 503
    ServingError); `get_metrics` the Prometheus metrics (or None); `settings` the server's
    (read before the app is ready: /metrics answers while models load)."""
    api = FastAPI(
        title="yogi",
        version="0.1.0",
        description="School timetable documents → TimetableData. Health: GET /livez, "
        "GET /readyz; Prometheus: GET /metrics (served by BentoML).",
    )

    def max_body() -> int:
        try:
            return get_app().max_bytes + ENVELOPE_BYTES
        except ServingError:
            return 2**62

    api.state.get_app = get_app
    api.add_middleware(HttpGuard, max_body=max_body, metrics=get_metrics)

    def respond(request: Request, error: ServingError) -> JSONResponse:
        metrics = get_metrics()
        if metrics is not None:
            metrics.error(_route(request.scope), error.code, error.status)
        return JSONResponse(error.body(), error.status, headers=error.headers)

    @api.exception_handler(ServingError)
    async def serving_error(request: Request, error: ServingError) -> JSONResponse:
        return respond(request, error)

    @api.exception_handler(UploadTooLarge)
    async def upload_too_large(request: Request, _: UploadTooLarge) -> JSONResponse:
        try:
            error = get_app().too_large()
        except ServingError as not_ready:
            error = not_ready
        return respond(request, error)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = list(error.errors())
        if any(p.get("type") == "json_invalid" for p in problems):
            return respond(request, ServingError(400, "malformed_json",
                                                 "The body is not valid JSON."))
        return respond(request, ServingError(422, "invalid_request",
                                             describe_validation(problems)))

    # A database error is handled here, not by the catch-all below: Starlette re-raises what
    # reaches the catch-all after answering, and the server then drops the connection.
    @api.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, error: SQLAlchemyError) -> JSONResponse:
        if database_unavailable(error):
            log.warning("database unavailable", route=_route(request.scope),
                        error=repr(error)[:300])
            return respond(request, ServingError(
                503, "database_unavailable", "The database does not answer; nothing was lost "
                "or changed, try again shortly.", {"Retry-After": "5"}))
        return await unexpected(request, error)

    @api.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # A bug, not a refusal: logged with its traceback, answered as JSON like the rest.
        log.exception("unhandled error", route=_route(request.scope), exc_info=error)
        return respond(request, ServingError(500, "internal_error", "The server failed on "
                                             "this request; it is logged."))

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code,
                                                                  f"http_{error.status_code}")
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names only the first route on the path; a path can have several
            # (POST and DELETE /documents/{id}/claim).
            headers["Allow"] = ", ".join(sorted({
                method for route in api.routes if isinstance(route, APIRoute)
                and route.path_regex.match(request.url.path) for method in route.methods}))
        return respond(request, ServingError(error.status_code, code, str(error.detail),
                                             headers))

    async def require_token(
        app: App,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> None:
        app.authorize(f"Bearer {credentials.credentials}" if credentials else None)

    @api.post(
        "/extract",
        summary="Extract the timetable from a document",
        description="Multipart form with the document in the field `file` (and optionally "
        "the `uploader` account), or JSON "
        '`{"s3Uri": "s3://bucket/key"}`. The same bytes always give the same `documentId` and '
        "are processed once. 202 means an identical upload is still being processed.",
        response_model=ExtractResponse,
        responses={202: {"model": ExtractResponse},
                   **_errors(400, 403, 404, 413, 415, 422, 502)},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                # The teacher's or school account; it keeps the learning
                                # loop's train/gate split per uploader.
                                "uploader": {"type": "string", "maxLength": MAX_UPLOADER},
                            },
                        }
                    },
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["s3Uri"],
                            "properties": {"s3Uri": {"type": "string", "pattern": S3_URI}},
                        }
                    },
                },
            }
        },
    )
    async def extract(request: Request, app: App) -> JSONResponse:
        if extract_body_kind(request.headers.get("content-type")) == "multipart":
            try:
                form = await request.form(max_files=1, max_fields=16)
            except UploadTooLarge:
                raise
            except Exception as error:  # MultiPartException / HTTPException(400)
                raise ServingError(400, "malformed_multipart",
                                   f"The multipart body cannot be read: "
                                   f"{getattr(error, 'detail', error)}") from None
            try:
                upload = form.get("file")
                if not isinstance(upload, UploadFile):
                    raise ServingError(422, "missing_file",
                                       "Send the document in the multipart field `file`.")
                data = await upload.read()
                filename = upload.filename
                uploader = form.get("uploader")
            finally:
                await form.close()
            async with ClientWatch(request) as gone:
                status, body = await run_in_threadpool(
                    app.extract, data, filename, uploader if isinstance(uploader, str) else None,
                    gone.is_set)
        else:
            status, body = await run_in_threadpool(app.extract_s3_uri,
                                                   s3_uri_in(await request.body()))
        return JSONResponse(body, status)

    @api.post(
        "/documents/{document_id}/reprocess",
        summary="Extract a stored document again (after a crash, or with newer models)",
        response_model=ExtractResponse,
        responses=_errors(401, 404, 409, 503),
        dependencies=[Depends(require_token)],
    )
    async def reprocess(document_id: DocumentId, request: Request, app: App) -> JSONResponse:
        status, body = await run_in_threadpool(app.reprocess, document_id,
                                               request.headers.get("authorization"))
        return JSONResponse(body, status)

    @api.get(
        "/documents/{document_id}",
        summary="A document: status, best result, tier, model versions, timings, history",
        response_model=DocumentResponse,
        responses=_errors(401, 404),
        dependencies=[Depends(require_token)],
    )
    async def get_document(document_id: DocumentId, app: App) -> JSONResponse:
        body = await run_in_threadpool(app.get_document, document_id)
        return JSONResponse(body, headers=etag(body["version"]))

    @api.put(
        "/documents/{document_id}/timetable",
        summary="Store a reviewer's corrected timetable (a gold label; history is kept)",
        description="The body is a TimetableData; JSON types are checked strictly (no `true` "
        "for a number, no `\"1\"` for 1). `tier` becomes `human`, `confidence` 1.",
        response_model=CorrectionResponse,
        responses=_errors(400, 401, 404, 409, 413, 415, 422),
        dependencies=[Depends(require_token)],
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/TimetableData"}}}}},
    )
    async def put_timetable(
        document_id: DocumentId,
        request: Request,
        app: App,
        reviewer: Annotated[str, Header(alias="X-Reviewer", min_length=1, max_length=200,
                                        pattern=r"[^\s]",
                                        description="Who made the correction.")],
        if_match: Annotated[str | None, Header(
            alias="If-Match", max_length=400, description="The document's ETag (`version`) "
            "the correction was made on; another one now → 409 `stale_version`.")] = None,
    ) -> JSONResponse:
        require_json(request.headers.get("content-type"), "the corrected timetable")
        body = await request.body()
        label = await run_in_threadpool(
            app.put_correction, document_id, body, reviewer,
            request.headers.get("authorization"), if_match,
        )
        return JSONResponse(label, headers=etag(label["version"]))

    @api.get(
        "/corrections",
        summary="Labels for training: reviewers' corrections (gold) and Claude answers (silver)",
        response_model=CorrectionsPage,
        responses=_errors(401, 422),
        dependencies=[Depends(require_token)],
    )
    async def corrections(
        app: App,
        since: Annotated[str | None, Query(description="RFC 3339 time; labels written after "
                                           "it.", examples=["2026-01-31T12:00:00Z"],
                                           json_schema_extra={"format": "date-time"})] = None,
        after: Annotated[int | None, Query(ge=0, le=MAX_LABEL_ID,
                                           description="Label id; the next page after it.")
                         ] = None,
        source: Annotated[Literal["gold", "silver", "all"], Query()] = "all",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> JSONResponse:
        return JSONResponse(
            await run_in_threadpool(app.list_corrections, since, after, source, limit)
        )

    # The reviewers' routes and page (a local import: serving/review_routes.py builds on this
    # module's `App` and `DocumentId`).
    from serving.review_routes import mount_review_page, review_router

    api.include_router(review_router(require_token))
    mount_review_page(api)

    @api.get("/metrics", include_in_schema=False)
    async def metrics(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> Response:
        # Its own token when one is set (a scraper need not hold the API's), else the API's.
        token = settings.metrics_token or settings.api_token
        if not token or credentials is None or not hmac.compare_digest(
                credentials.credentials.encode("utf-8", "replace"), token.encode("utf-8")):
            raise ServingError(401, "unauthorized", "Send the metrics token (or the API token) "
                               "as `Authorization: Bearer <token>`.",
                               {"WWW-Authenticate": 'Bearer realm="yogi"'})
        from serving.metrics import exposition

        content, media_type = await run_in_threadpool(exposition)
        return Response(content, media_type=media_type)

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=api.title, version=api.version,
                                 description=api.description, routes=api.routes)
            for name, component in schema.get("components", {}).get("schemas", {}).items():
                if re.fullmatch(r"TimeBlock(-Input|-Output)?", name):
                    for field_name in ("startTime", "endTime"):
                        for option in component["properties"][field_name].get("anyOf", []):
                            if option.get("type") == "string":
                                option["pattern"] = HHMM
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    return api
