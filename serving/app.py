"""The serving layer's request logic, independent of BentoML and Lambda.

`ServingApp` takes bytes (or an S3 object), stores the original durably, records the document,
runs the extraction once per distinct content and keeps every answer; it reads documents back,
takes reviewers' corrections and lists labels for training. The BentoML service
(`serving/service.py`) and the Lambda handlers (`serving/lambda_handlers.py`) only translate
HTTP/events to these calls and `ServingError` to 4xx/5xx responses.

The extraction itself goes through one function, `run_extraction` (the cascade). Its
`ExtractionOutcome` carries the route status (`awaiting_review` for the review queue), the
reason and the cost; an accepted Claude answer is stored as a silver label here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from pydantic import ValidationError

from inference.errors import InputRefused
from inference.schema import TimetableData
from serving import store as st
from serving.objects import (
    ORIGINALS_PREFIX,
    ObjectStore,
    object_key,
    object_store_from_settings,
    parse_s3_uri,
)

log = structlog.get_logger(__name__)

CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "pdf": "application/pdf",
}

# InputRefused.reason → HTTP status. Anything not named is a 422 (the document is unusable).
REFUSAL_STATUS = {
    "unsupported_format": 415,
    "too_large": 413,
    "empty": 422,
    "corrupt": 422,
    "encrypted_pdf": 422,
}

# How long a duplicate request waits for the first one's answer before it gets a 202, and after
# how long a `processing` claim counts as abandoned (its owner died) and may be taken over.
WAIT_TIMEOUT_S = 300.0
CLAIM_LEASE_S = 900.0

_DOCUMENT_ID = re.compile(r"^[0-9a-f]{64}$")
LABEL_SOURCES = (st.GOLD, st.SILVER)
MAX_LABEL_ID = 2**31 - 1  # label ids are 32-bit integers (PostgreSQL `integer`)


class ServingError(Exception):
    """A request that cannot be served: `status` (HTTP), `code` (machine) and `detail`
    (one line for a person). Adapters render it as {"error": code, "detail": detail}."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.code, "detail": self.detail}


def refusal_error(error: InputRefused) -> ServingError:
    return ServingError(REFUSAL_STATUS.get(error.reason, 422), error.reason, str(error))


# --- the extraction seam ------------------------------------------------------------------------


@dataclass
class ExtractionOutcome:
    """What one extraction produced. `status` is the document's next status: `done`, or
    `awaiting_review` when the router sends it to the human review queue."""

    result: TimetableData
    status: str = st.DONE
    route_reason: str | None = None
    cost_usd: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def run_extraction(data: bytes) -> ExtractionOutcome:
    """THE extraction used by every entry point: the cascade (tier, calibrated confidence,
    Claude for the uncertain ones, review queue), with the store as Claude's spend ledger."""
    from inference.cascade import run_cascade
    from inference.settings import get_settings

    settings = get_settings()
    store = st.Store.from_settings(settings)
    try:
        outcome = run_cascade(data, settings=settings, ledger=store,
                              document_id=hashlib.sha256(data).hexdigest())
    finally:
        store.dispose()
    return ExtractionOutcome(
        result=outcome.result,
        status=st.AWAITING_REVIEW if outcome.status == "awaiting_review" else st.DONE,
        route_reason=outcome.reason,
        cost_usd=outcome.cost_usd,
        timings=outcome.timings,
    )


# --- observability hook -------------------------------------------------------------------------


class Observer(Protocol):
    """Receives the events metrics are made of (Prometheus in the service, EMF on Lambda)."""

    def extraction(self, tier: str, status: str, confidence: float, seconds: float) -> None: ...

    def failure(self, code: str) -> None: ...


class NullObserver:
    def extraction(self, tier: str, status: str, confidence: float, seconds: float) -> None:
        pass

    def failure(self, code: str) -> None:
        pass


# --- helpers ------------------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def clean_text(value: str | None, limit: int) -> str | None:
    """Printable text only (no control characters, no lone surrogates), at most `limit`."""
    if value is None:
        return None
    kept = "".join(
        ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cs", "Cn")
    ).strip()
    return kept[:limit] or None


def clean_filename(name: str | None) -> str | None:
    if not name:
        return None
    return clean_text(re.split(r"[\\/]", name)[-1], 255)


def _clean_strings(value: Any) -> Any:
    """Strings every database stores: NUL removed (PostgreSQL refuses it), lone surrogates
    replaced (they are not Unicode)."""
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, dict):
        return {_clean_strings(k): _clean_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_strings(item) for item in value]
    return value


def storable_json(value: Any, what: str) -> Any:
    """`value` cleaned so that every database accepts it as JSON; NaN and Infinity (not JSON)
    are refused."""
    value = _clean_strings(value)
    try:
        json.dumps(value, allow_nan=False)
    except ValueError as error:
        raise ServingError(422, f"invalid_{what}", f"The {what} is not storable JSON: "
                           "numbers must be finite.") from error
    return value


_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def is_json_media(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def require_json(content_type: str | None, what: str) -> None:
    if not is_json_media(content_type):
        raise ServingError(415, "unsupported_media_type", f"Send {what} as application/json.")


def describe_validation(problems: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's errors as one line: `field.path: message; ...` (the first five)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in p.get('loc', ())) or 'body'}: {p.get('msg', '')}"
        for p in problems[:5]
    )[:2000]


def parse_json_body(body: bytes | str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ServingError(400, "malformed_json", "The body is not valid JSON.") from None


def multipart_file(body: bytes, content_type: str, field_name: str) -> tuple[str | None, bytes]:
    """The file in form field `field_name` of a whole multipart/form-data body."""
    from python_multipart.multipart import File, FormParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ServingError(400, "malformed_multipart", "The multipart body has no boundary.")
    files: list[File] = []
    try:
        parser = FormParser("multipart/form-data", None, files.append, boundary=boundary,
                            config={"MAX_MEMORY_FILE_SIZE": len(body) + 1})
        parser.write(body)
        parser.finalize()
    except Exception as error:  # python_multipart.exceptions.FormParserError and friends
        raise ServingError(400, "malformed_multipart",
                           f"The multipart body cannot be read: {error}") from None
    for file in files:
        if file.field_name == field_name.encode():
            handle = file.file_object
            handle.seek(0)
            name = file.file_name.decode("utf-8", "replace") if file.file_name else None
            return name, handle.read()
    raise ServingError(422, "missing_file", "Send the document in the multipart field `file`.")


def parse_since(value: str | datetime | None) -> datetime | None:
    """An RFC 3339 time (ISO 8601 with a zone, e.g. 2026-01-31T12:00:00Z) in UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        match = _RFC3339.match(value.strip())
        if match is None:
            raise ServingError(422, "invalid_since", "`since` must be an RFC 3339 time, e.g. "
                               "2026-01-31T12:00:00Z.")
        day, hour_minute, seconds, fraction, zone = match.groups()
        seconds = min(int(seconds), 59)  # a leap second reads as :59
        zone = "+00:00" if zone in ("Z", "z") else zone
        try:
            moment = datetime.fromisoformat(
                f"{day}T{hour_minute}:{seconds:02d}{(fraction or '')[:7]}{zone}"
            )
        except ValueError:
            raise ServingError(422, "invalid_since", "`since` is not a real time.") from None
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise ServingError(422, "invalid_since", "`since` is out of range.") from error


def warmup_page() -> bytes:
    """A two-day, two-period ruled timetable as PNG bytes (drawn, so no file is needed)."""
    import cv2
    import numpy as np

    image = np.full((300, 640, 3), 255, np.uint8)
    for x in (20, 160, 400, 620):
        cv2.line(image, (x, 20), (x, 280), (0, 0, 0), 2)
    for y in (20, 100, 190, 280):
        cv2.line(image, (20, y), (620, y), (0, 0, 0), 2)
    for text, origin in [("Monday", (180, 70)), ("Tuesday", (420, 70)), ("09:00", (40, 150)),
                         ("Maths", (200, 150)), ("10:00", (40, 240)), ("English", (420, 240))]:
        cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    return cv2.imencode(".png", image)[1].tobytes()


# --- the application ----------------------------------------------------------------------------


class ServingApp:
    def __init__(
        self,
        settings: Any,
        store: st.Store,
        objects: ObjectStore,
        observer: Observer | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.objects = objects
        self.observer: Observer = observer or NullObserver()
        self.max_bytes = int(settings.max_upload_mb * 1024 * 1024)
        # One extraction at a time per process: the OCR engine object is shared and RapidOCR
        # keeps per-call state on it; onnxruntime already spreads one call over the cores.
        # More throughput = more processes (YOGI_SERVE_WORKERS).
        self._extract_lock = threading.Lock()
        self.ready = threading.Event()

    @classmethod
    def from_settings(cls, settings: Any | None = None, observer: Observer | None = None
                      ) -> ServingApp:
        if settings is None:
            from inference.settings import get_settings

            settings = get_settings()
        return cls(settings, st.Store.from_settings(settings),
                   object_store_from_settings(settings), observer)

    # --- start-up ------------------------------------------------------------------------

    def start(self, warm: bool = True) -> None:
        """Migrate the database to head and load (and exercise) the models; then ready."""
        self.store.migrate()
        if warm:
            self.warm()
        self.ready.set()

    def warm(self) -> None:
        """Load every model the extraction tier uses and run it once, on a small generated
        timetable, so that ready means ready and the first request pays no loading."""
        from inference.pipeline import extract_bytes

        start = time.perf_counter()
        result = extract_bytes(warmup_page())
        log.info("models warm", seconds=round(time.perf_counter() - start, 2),
                 blocks=len(result.timeblocks), model_versions=result.model_versions)

    # --- POST /extract -----------------------------------------------------------------------

    def extract(self, data: bytes, filename: str | None = None) -> tuple[int, dict]:
        """Store and extract one document: (HTTP status, body). The same bytes are processed
        once; a duplicate that arrives while the first is running waits for its answer."""
        if len(data) > self.max_bytes:
            raise self.too_large(len(data))
        try:
            from inference.loading import sniff_format

            source_format = sniff_format(data)
        except InputRefused as error:  # not a document at all: nothing to keep
            self.observer.failure(error.reason)
            raise refusal_error(error) from None
        document_id = hashlib.sha256(data).hexdigest()
        key = object_key(document_id)
        content_type = CONTENT_TYPES[source_format]
        # Durable first: the original, then the row that points at it.
        self.objects.put(key, data, content_type)
        _, created = self.store.get_or_create_document(
            document_id, filename=clean_filename(filename), content_type=content_type,
            size=len(data), object_key=key,
        )
        if created or self.store.claim(document_id, lease_s=CLAIM_LEASE_S):
            return self._process(document_id, data, cached=False)
        return self._await(document_id, data)

    def extract_request(self, body: bytes, content_type: str | None) -> tuple[int, dict]:
        """POST /extract from a whole request body (the Lambda adapter's way; the HTTP
        service streams multipart itself): multipart field `file`, or JSON {"s3Uri": ...}."""
        if len(body) > self.max_bytes + 64 * 1024:
            raise self.too_large(len(body))
        media = (content_type or "").split(";")[0].strip().lower()
        if media == "multipart/form-data":
            filename, data = multipart_file(body, content_type or "", "file")
            return self.extract(data, filename)
        if is_json_media(content_type):
            payload = parse_json_body(body)
            if not isinstance(payload, dict) or "s3Uri" not in payload:
                raise ServingError(422, "missing_s3_uri",
                                   'JSON bodies name an S3 object: {"s3Uri": "s3://bucket/key"}.')
            return self.extract_s3_uri(payload["s3Uri"])
        raise ServingError(415, "unsupported_media_type", "Send multipart/form-data (field "
                           '`file`) or application/json ({"s3Uri": ...}).')

    def too_large(self, size: int | None = None) -> ServingError:
        limit = self.settings.max_upload_mb
        got = f" ({size / 1024 / 1024:.1f} MB)" if size is not None else ""
        return ServingError(413, "upload_too_large",
                            f"The document is too large{got}; the limit is {limit:g} MB.")

    def _process(self, document_id: str, data: bytes, *, cached: bool) -> tuple[int, dict]:
        start = time.perf_counter()
        try:
            with self._extract_lock:
                waited = time.perf_counter() - start
                outcome = run_extraction(data)
        except InputRefused as error:
            self.store.fail(document_id, code=error.reason, detail=str(error),
                            latency_s=time.perf_counter() - start)
            self.observer.failure(error.reason)
            raise refusal_error(error) from None
        except Exception as error:
            log.exception("extraction failed", document_id=document_id)
            self.store.fail(document_id, code=st.INTERNAL_ERROR,
                            detail=f"{type(error).__name__}: {error}",
                            latency_s=time.perf_counter() - start)
            self.observer.failure("extraction_failed")
            raise ServingError(
                500, "extraction_failed",
                f"The extraction failed; the document is kept as {document_id} and is retried "
                "when it is sent again.",
            ) from None
        latency = time.perf_counter() - start
        result = outcome.result
        timings = {"queue": round(waited, 4), **outcome.timings, "total": round(latency, 4)}
        extraction = self.store.finish(
            document_id,
            status=outcome.status,
            result=result.to_json_dict(),
            tier=result.tier,
            confidence=result.confidence,
            route_reason=outcome.route_reason,
            model_versions=dict(result.model_versions),
            timings=timings,
            latency_s=latency,
            cost_usd=outcome.cost_usd,
        )
        if result.tier == "claude" and outcome.status == st.DONE:
            # An accepted Claude answer is training data (silver), with its model and cost.
            author = result.model_versions.get("claude") or self.settings.claude_model
            self.store.add_label(document_id, result.to_json_dict(), source=st.SILVER,
                                 author=author, corrects_extraction_id=extraction.id,
                                 cost_usd=outcome.cost_usd)
        self.observer.extraction(result.tier, outcome.status, result.confidence, latency)
        log.info("document extracted", document_id=document_id, tier=result.tier,
                 status=outcome.status, seconds=round(latency, 3))
        return 200, self._extract_body(document_id, cached=cached)

    def _await(self, document_id: str, data: bytes) -> tuple[int, dict]:
        for _ in range(3):
            row = self.store.wait_while_processing(document_id, timeout_s=WAIT_TIMEOUT_S)
            if row is None:  # pragma: no cover - rows are never deleted
                raise ServingError(500, "document_lost", "The document row disappeared.")
            if row.status == st.PROCESSING:
                return 202, {"documentId": document_id, "status": row.status, "cached": True,
                             "result": None}
            if row.status != st.FAILED:
                return 200, self._extract_body(document_id, cached=True)
            if row.error_code != st.INTERNAL_ERROR:
                raise ServingError(REFUSAL_STATUS.get(row.error_code or "", 422),
                                   row.error_code or "refused", row.error_detail or "")
            # The first attempt crashed: take it over (one caller wins) or wait again.
            if self.store.claim(document_id, lease_s=CLAIM_LEASE_S):
                return self._process(document_id, data, cached=False)
        raise ServingError(500, "extraction_failed",
                           f"The extraction keeps failing; the document is kept as {document_id}.")

    def _extract_body(self, document_id: str, *, cached: bool) -> dict:
        view = self.store.get_document(document_id)
        assert view is not None
        return {"documentId": document_id, "status": view.document.status, "cached": cached,
                "result": best_result(view)}

    # --- POST /extract {"s3Uri": ...} and the S3 event -----------------------------------------

    def allowed_buckets(self) -> set[str]:
        buckets = set(self.settings.s3_input_buckets or [])
        if self.settings.s3_bucket:
            buckets.add(self.settings.s3_bucket)
        return buckets

    def is_own_original(self, bucket: str, key: str) -> bool:
        """True for the originals this service writes itself (an S3 trigger on the whole
        bucket must not extract them a second time)."""
        return bucket == self.settings.s3_bucket and key.startswith(ORIGINALS_PREFIX)

    def extract_s3_uri(self, uri: Any) -> tuple[int, dict]:
        if not isinstance(uri, str):
            raise ServingError(422, "invalid_s3_uri", "`s3Uri` must be a string s3://bucket/key.")
        try:
            bucket, key = parse_s3_uri(uri)
        except ValueError as error:
            raise ServingError(422, "invalid_s3_uri", f"`s3Uri`: {error}.") from None
        if bucket not in self.allowed_buckets():
            raise ServingError(403, "s3_bucket_not_allowed",
                               f"This service does not read from bucket {bucket!r}; allowed: "
                               f"{sorted(self.allowed_buckets()) or 'none configured'}.")
        return self.extract_s3(bucket, key)

    def extract_s3(self, bucket: str, key: str) -> tuple[int, dict]:
        """Extract an object from S3 (the bucket is trusted by the caller)."""
        from botocore.exceptions import BotoCoreError, ClientError

        from serving.objects import s3_client

        client = s3_client()
        try:
            head = client.head_object(Bucket=bucket, Key=key)
            if head.get("ContentLength", 0) > self.max_bytes:
                raise self.too_large(head["ContentLength"])
            data = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
                raise ServingError(404, "s3_object_not_found",
                                   f"There is no object s3://{bucket}/{key}.") from None
            if code in ("403", "AccessDenied", "Forbidden"):
                raise ServingError(403, "s3_access_denied",
                                   f"This service may not read s3://{bucket}/{key}.") from None
            raise ServingError(502, "s3_unavailable", f"S3 answered {code}.") from None
        except BotoCoreError as error:
            raise ServingError(502, "s3_unavailable", f"S3 cannot be reached: {error}.") from None
        return self.extract(data, filename=key.rsplit("/", 1)[-1])

    # --- GET /documents/{id} -----------------------------------------------------------------

    def view(self, document_id: str) -> st.DocumentView:
        document_id = (document_id or "").strip().lower()
        view = self.store.get_document(document_id) if _DOCUMENT_ID.match(document_id) else None
        if view is None:
            raise ServingError(404, "document_not_found",
                               "No document has this id (the sha256 of its bytes).")
        return view

    def get_document(self, document_id: str) -> dict:
        return document_body(self.view(document_id))

    # --- PUT /documents/{id}/timetable -------------------------------------------------------

    def authorize(self, authorization: str | None) -> None:
        """Writes need `Authorization: Bearer <YOGI_API_TOKEN>`; with no token configured the
        server refuses every write."""
        challenge = {"WWW-Authenticate": 'Bearer realm="yogi"'}
        token = self.settings.api_token
        if not token:
            raise ServingError(401, "writes_disabled", "This server has no API token "
                               "configured (YOGI_API_TOKEN), so it accepts no corrections.",
                               challenge)
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8", "replace"), token.encode("utf-8")
        ):
            raise ServingError(401, "unauthorized",
                               "Send the API token as `Authorization: Bearer <token>`.",
                               challenge)

    def put_correction(
        self,
        document_id: str,
        timetable: dict | bytes | str,
        reviewer: str | None,
        authorization: str | None,
    ) -> dict:
        """Store a reviewer's corrected timetable (a JSON body, or its parsed value) as a gold
        label; history is kept."""
        self.authorize(authorization)
        view = self.view(document_id)
        author = clean_text(reviewer, 200)
        if not author:
            raise ServingError(422, "missing_reviewer",
                               "Name the reviewer in the `X-Reviewer` header.")
        payload = parse_json_body(timetable) if isinstance(timetable, bytes | str) else timetable
        try:
            # Strict: JSON types as the schema says (no true for a number, "1" for 1).
            parsed = TimetableData.model_validate(payload, strict=True)
        except ValidationError as error:
            raise ServingError(422, "invalid_timetable", "The body is not a TimetableData: "
                               + describe_validation(error.errors())) from None
        corrected = parsed.model_copy(update={"tier": "human", "confidence": 1.0})
        body = storable_json(corrected.to_json_dict(), "timetable")
        basis = view.latest_result
        label = self.store.add_label(
            view.document.id, body, source=st.GOLD, author=author,
            corrects_extraction_id=basis.id if basis else None,
        )
        if view.document.status == st.AWAITING_REVIEW:
            self.store.set_status(view.document.id, st.DONE)
        return {"labelId": label.id, "documentId": view.document.id, "source": st.GOLD,
                "author": author, "correctsExtractionId": label.corrects_extraction_id,
                "createdAt": iso(label.created_at), "timetable": body}

    # --- GET /corrections ----------------------------------------------------------------------

    def list_corrections(
        self,
        since: str | datetime | None = None,
        after: int | None = None,
        source: str | None = None,
        limit: int = 100,
    ) -> dict:
        moment = parse_since(since)
        if source not in (None, "", "all", *LABEL_SOURCES):
            raise ServingError(422, "invalid_source", "`source` is gold, silver or all.")
        if not 1 <= limit <= 1000:
            raise ServingError(422, "invalid_limit", "`limit` is between 1 and 1000.")
        if after is not None and not 0 <= after <= MAX_LABEL_ID:
            raise ServingError(422, "invalid_after", "`after` is a label id.")
        rows = self.store.corrections_since(
            moment, after_id=after, source=source if source in LABEL_SOURCES else None,
            limit=limit,
        )
        items = [
            {
                "labelId": label.id,
                "documentId": label.document_id,
                "source": label.source,
                "author": label.author,
                "correctsExtractionId": label.corrects_extraction_id,
                "costUsd": label.cost_usd,
                "createdAt": iso(label.created_at),
                "contentType": document.content_type,
                "object": self.objects.describe(document.object_key),
                "timetable": label.timetable,
            }
            for label, document in rows
        ]
        return {"corrections": items, "count": len(items),
                "nextAfter": items[-1]["labelId"] if items else after}


# --- JSON views ---------------------------------------------------------------------------------


def best_result(view: st.DocumentView) -> dict | None:
    """The best answer known for a document: the latest reviewer correction, else the latest
    extraction's."""
    gold = view.latest_gold
    if gold is not None:
        return gold.timetable
    extraction = view.latest_result
    return extraction.result if extraction else None


def extraction_body(extraction: st.Extraction) -> dict:
    return {
        "id": extraction.id,
        "status": extraction.status,
        "tier": extraction.tier,
        "confidence": extraction.confidence,
        "routeReason": extraction.route_reason,
        "modelVersions": extraction.model_versions or {},
        "timings": extraction.timings or {},
        "latencyS": extraction.latency_s,
        "costUsd": extraction.cost_usd,
        "error": extraction.error_code,
        "createdAt": iso(extraction.created_at),
    }


def document_body(view: st.DocumentView) -> dict:
    document = view.document
    latest = view.latest_result
    return {
        "documentId": document.id,
        "status": document.status,
        "filename": document.filename,
        "contentType": document.content_type,
        "size": document.size,
        "attempts": document.attempts,
        "createdAt": iso(document.created_at),
        "updatedAt": iso(document.updated_at),
        "result": best_result(view),
        "resultSource": "gold" if view.latest_gold else ("extraction" if latest else None),
        "tier": latest.tier if latest else None,
        "confidence": latest.confidence if latest else None,
        "modelVersions": (latest.model_versions or {}) if latest else {},
        "timings": (latest.timings or {}) if latest else {},
        "latencyS": latest.latency_s if latest else None,
        "costUsd": sum(e.cost_usd or 0.0 for e in view.extractions),
        "routeReason": latest.route_reason if latest else None,
        "error": ({"error": document.error_code, "detail": document.error_detail}
                  if document.status == st.FAILED else None),
        "extractions": [extraction_body(e) for e in view.extractions],
        "labels": [
            {"labelId": label.id, "source": label.source, "author": label.author,
             "correctsExtractionId": label.corrects_extraction_id, "costUsd": label.cost_usd,
             "createdAt": iso(label.created_at)}
            for label in view.labels
        ],
    }
