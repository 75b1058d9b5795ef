"""The serving layer's request logic, independent of BentoML and Lambda.

`ServingApp` takes bytes (or an S3 object), stores the original durably, records the document,
runs the extraction once per distinct content and keeps every answer; it reads documents back,
takes reviewers' corrections and lists labels for training. The BentoML service
(`serving/service.py`) and the Lambda handlers (`serving/lambda_handlers.py`) only translate
HTTP/events to these calls and `ServingError` to 4xx/5xx responses. Its bodies are the
`serving/views.py` models, dumped to JSON-ready dicts.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError

from inference.errors import InputRefused
from inference.schema import TimetableData
from inference.store.diff import label_diff
from inference.store.intake import MAX_UPLOADER, keep_original
from inference.store.labels import record_extraction
from inference.store.objects import (
    ORIGINALS_PREFIX,
    ObjectStore,
    object_store_from_settings,
    parse_s3_uri,
)
from inference.store.repository import DocumentView, Store
from inference.store.review import ClaimedByOther, StaleVersion
from inference.store.status import (
    CANCELLED,
    FAILED,
    INTERNAL_ERROR,
    LABEL_SOURCES,
    PROCESSING,
    RETRYABLE_ERRORS,
)
from serving import review_desk
from serving.champion_watch import ChampionWatcher
from serving.claims import Heartbeat, Recovery
from serving.errors import REFUSAL_STATUS, ServingError, refusal_error
from serving.extraction import run_extraction
from serving.features import ServingFeatures
from serving.observer import NullObserver, Observer
from serving.requests import (
    ENVELOPE_BYTES,
    describe_validation,
    extract_body_kind,
    multipart_file,
    parse_json_body,
    s3_uri_in,
    storable_json,
)
from serving.retrain_trigger import RetrainTrigger
from serving.step_functions import resume_review
from serving.timestamps import parse_since
from serving.views import (
    best_result,
    correction_body,
    corrections_page,
    document_body,
    extract_body,
)
from serving.warmup import warmup_page
from serving.workslot import WorkCancelled, WorkSlot

log = structlog.get_logger(__name__)

_DOCUMENT_ID = re.compile(r"^[0-9a-f]{64}$")
MAX_LABEL_ID = 2**31 - 1  # label ids are 32-bit integers (PostgreSQL `integer`)
# The upload bucket's layout: uploads/<uploader>/<file> (the uploader's account).
_UPLOADER_KEY = re.compile(rf"^uploads/([^/]{{1,{MAX_UPLOADER}}})/[^/]")


def uploader_from_key(key: str) -> str | None:
    match = _UPLOADER_KEY.match(key)
    return match.group(1) if match else None


class ServingApp:
    def __init__(
        self,
        settings: Any,
        store: Store,
        objects: ObjectStore,
        observer: Observer | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.objects = objects
        self.observer: Observer = observer or NullObserver()
        self.max_bytes = int(settings.max_upload_mb * 1024 * 1024)
        # One extraction at a time per process, a bounded queue in front (serving/workslot.py).
        # More throughput = more processes (YOGI_SERVE_WORKERS).
        self.slot = WorkSlot(settings.queue_limit)
        self.lease_s = settings.claim_lease_s
        # Documents a dead worker left `processing` are extracted again (serving/claims.py).
        self.recovery = Recovery(store, self.lease_s, self._recover)
        self.ready = threading.Event()
        self.watcher = ChampionWatcher(settings)  # follows the registry's champion
        self.retrain = RetrainTrigger(settings, store)  # N new corrections → a training run
        self.review = review_desk.ReviewDesk(settings, store, objects)  # queue, claims, pages
        self.features = ServingFeatures(settings, store, self.observer)  # Feast (issue 17)

    @classmethod
    def from_settings(cls, settings: Any | None = None, observer: Observer | None = None
                      ) -> ServingApp:
        if settings is None:
            from inference.settings import get_settings

            settings = get_settings()
        return cls(settings, Store.from_settings(settings),
                   object_store_from_settings(settings), observer)

    # --- start-up ------------------------------------------------------------------------

    def start(self, warm: bool = True) -> None:
        """Migrate the database to head, open the feature store and load (and exercise) the
        models; then ready. The feature store opens on a thread of its own while the models
        load: the two share nothing, and each is about half of a start-up (Feast's imports;
        compiling the graphs and reading the warm-up page, much of it outside the GIL)."""
        self.store.migrate()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="yogi-features") as side:
            features = side.submit(self.features.start)
            if warm:
                self.warm()
            features.result()
        self.watcher.start()
        self.recovery.start()
        self.ready.set()

    def close(self) -> None:
        """Stop the background threads (recovery sweep, champion watch) and release the
        database's connections: a sweep left running after its database is dropped only
        logs failures. An extraction still running ends its own heartbeat."""
        self.ready.clear()
        self.recovery.stop()
        self.watcher.stop()
        self.store.dispose()

    def warm(self) -> None:
        """Load every model the extraction tier uses and run it once, on a small generated
        timetable, so that ready means ready and the first request pays no loading."""
        from inference.pipeline import extract_bytes

        start = time.perf_counter()
        result = extract_bytes(warmup_page(), settings=self.settings)
        log.info("models warm", seconds=round(time.perf_counter() - start, 2),
                 blocks=len(result.timeblocks), model_versions=result.model_versions)

    # --- POST /extract -----------------------------------------------------------------------

    def extract(self, data: bytes, filename: str | None = None, uploader: str | None = None,
                cancelled: Callable[[], bool] | None = None) -> tuple[int, dict]:
        """Store and extract one document: (HTTP status, body). The same bytes are processed
        once; a duplicate that arrives while the first is running waits for its answer (up to
        `YOGI_DUPLICATE_WAIT_S`, then 202). `uploader`: the account that sent it (kept with the
        document). `cancelled()` true: the client left; queued work is dropped."""
        if len(data) > self.max_bytes:
            raise self.too_large(len(data))
        if uploader is not None and len(uploader) > MAX_UPLOADER:
            raise ServingError(422, "invalid_uploader",
                               f"`uploader` is at most {MAX_UPLOADER} characters.")
        try:
            from inference.loading import sniff_format

            source_format = sniff_format(data)
        except InputRefused as error:  # not a document at all: nothing to keep
            self.observer.failure(error.reason)
            raise refusal_error(error) from None
        document_id, created = keep_original(self.store, self.objects, data, filename,
                                             source_format, uploader)
        if created or self.store.claim(document_id, lease_s=self.lease_s):
            return self._process(document_id, data, cached=False, cancelled=cancelled)
        return self._await(document_id, data, cancelled)

    def extract_request(self, body: bytes, content_type: str | None) -> tuple[int, dict]:
        """POST /extract from a whole request body (the Lambda adapter's way; the HTTP
        service streams multipart itself): multipart field `file`, or JSON {"s3Uri": ...}."""
        if len(body) > self.max_bytes + ENVELOPE_BYTES:
            raise self.too_large(len(body))
        if extract_body_kind(content_type) == "multipart":
            filename, data = multipart_file(body, content_type or "", "file")
            return self.extract(data, filename)
        return self.extract_s3_uri(s3_uri_in(body))

    def too_large(self, size: int | None = None) -> ServingError:
        limit = self.settings.max_upload_mb
        got = f" ({size / 1024 / 1024:.1f} MB)" if size is not None else ""
        return ServingError(413, "upload_too_large",
                            f"The document is too large{got}; the limit is {limit:g} MB.")

    def _process(self, document_id: str, data: bytes, *, cached: bool,
                 cancelled: Callable[[], bool] | None = None) -> tuple[int, dict]:
        """Extract a document this request has claimed, if the worker's queue has room (else
        503, the document kept and marked so that the next upload or a reprocess runs it)."""
        start = time.perf_counter()
        turn = self.slot.turn(cancelled)
        try:
            with self.slot.admit(lambda: self.store.fail(
                    document_id, code=CANCELLED, detail="The worker's queue was full; the next "
                    "upload or a reprocess extracts it.")), \
                    Heartbeat(self.store, document_id, self.lease_s):
                outcome = run_extraction(data, self.settings, tier_lock=turn,
                                         features=self.features.client,
                                         uploader=self.features.uploader(document_id))
        except WorkCancelled:
            self.store.fail(document_id, code=CANCELLED, detail="The client left before the "
                            "extraction started; the next upload or reprocess runs it.")
            raise ServingError(503, "cancelled", "The client left; nothing was extracted."
                               ) from None
        except ServingError:  # the queue is full (the document is marked already)
            self.observer.failure("overloaded")
            raise
        except InputRefused as error:
            self.store.fail(document_id, code=error.reason, detail=str(error),
                            latency_s=time.perf_counter() - start)
            self.observer.failure(error.reason)
            raise refusal_error(error) from None
        except Exception as error:
            log.exception("extraction failed", document_id=document_id)
            self.store.fail(document_id, code=INTERNAL_ERROR,
                            detail=f"{type(error).__name__}: {error}",
                            latency_s=time.perf_counter() - start)
            self.observer.failure("extraction_failed")
            raise ServingError(
                500, "extraction_failed",
                f"The extraction failed; the document is kept as {document_id} and is retried "
                "when it is sent again.",
            ) from None
        latency = time.perf_counter() - start
        self.slot.record(turn)
        result = outcome.result
        timings = {"queue": round(turn.waited_s, 4), **outcome.timings,
                   "total": round(latency, 4)}
        extraction = record_extraction(
            self.store, document_id, result, status=outcome.status,
            route_reason=outcome.route_reason, timings=timings, latency_s=latency,
            cost_usd=outcome.cost_usd, settings=self.settings)
        self.features.after_extraction(document_id, extraction.id, outcome.features)
        self.observer.extraction(result.tier, outcome.status, result.confidence, latency)
        log.info("document extracted", document_id=document_id, tier=result.tier,
                 status=outcome.status, seconds=round(latency, 3))
        return 200, self._extract_body(document_id, cached=cached)

    def _await(self, document_id: str, data: bytes, cancelled: Callable[[], bool] | None
               ) -> tuple[int, dict]:
        """A duplicate: wait for the first request's answer, or take the document over when
        its owner is dead (claim not renewed) or its extraction crashed."""
        deadline = time.monotonic() + self.settings.duplicate_wait_s
        delay = 0.1
        while True:
            row = self.store.get_document_row(document_id)
            if row is None:  # pragma: no cover - rows are never deleted
                raise ServingError(500, "document_lost", "The document row disappeared.")
            if row.status == FAILED and row.error_code not in RETRYABLE_ERRORS:
                raise ServingError(REFUSAL_STATUS.get(row.error_code or "", 422),
                                   row.error_code or "refused", row.error_detail or "")
            if row.status not in (PROCESSING, FAILED):
                return 200, self._extract_body(document_id, cached=True)
            if self.store.claim(document_id, lease_s=self.lease_s):
                return self._process(document_id, data, cached=False, cancelled=cancelled)
            if row.status == FAILED:  # retryable, but it failed too often: say so
                raise ServingError(500, "extraction_failed", "The extraction keeps failing; "
                                   f"the document is kept as {document_id}.")
            if time.monotonic() >= deadline or (cancelled and cancelled()):
                return 202, extract_body(document_id, row.status, cached=True, result=None)
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def _extract_body(self, document_id: str, *, cached: bool) -> dict:
        view = self.store.get_document(document_id)
        assert view is not None
        return extract_body(document_id, view.document.status, cached=cached,
                            result=best_result(view))

    # --- recovery and POST /documents/{id}/reprocess -------------------------------------------

    def _recover(self, document_id: str) -> None:
        """Extract, from its stored original, a document a dead worker left (Recovery)."""
        row = self.store.get_document_row(document_id)
        assert row is not None
        try:
            data = self.objects.get(row.object_key)
        except Exception as error:
            self.store.fail(document_id, code=INTERNAL_ERROR,
                            detail=f"The original cannot be read: {type(error).__name__}")
            raise
        self._process(document_id, data, cached=False)

    def reprocess(self, document_id: str, authorization: str | None) -> tuple[int, dict]:
        """Extract a stored document again (with today's models), whatever its status, unless
        a live worker is extracting it now (409)."""
        self.authorize(authorization)
        view = self.view(document_id)
        if not self.store.claim_for_reprocess(view.document.id, lease_s=self.lease_s):
            raise ServingError(409, "processing", "This document is being extracted now; "
                               "GET /documents/{id} gives its answer when it is done.")
        return self._process(view.document.id, self.objects.get(view.document.object_key),
                             cached=False)

    def database_ready(self) -> bool:
        """True when the database answers (bounded by the connect and statement timeouts)."""
        try:
            self.store.ping()
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            log.warning("database not answering", error=repr(error)[:200])
            return False
        return True

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
        """Extract an object from S3 (the bucket is trusted by the caller); a key
        `uploads/<uploader>/…` names its uploader."""
        return self.extract(self.read_s3(bucket, key), filename=key.rsplit("/", 1)[-1],
                            uploader=uploader_from_key(key))

    def read_s3(self, bucket: str, key: str) -> bytes:
        """An object's bytes from S3, refused (ServingError) when missing, too large or
        forbidden (the processing state machine's Extract reads uploads through here too)."""
        from botocore.exceptions import BotoCoreError, ClientError

        from inference.store.objects import s3_client

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
        return data

    # --- GET /documents/{id} -----------------------------------------------------------------

    def view(self, document_id: str) -> DocumentView:
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
        """Reads of documents and labels and every write need `Authorization: Bearer
        <YOGI_API_TOKEN>`; with no token configured the server refuses them all."""
        challenge = {"WWW-Authenticate": 'Bearer realm="yogi"'}
        token = self.settings.api_token
        if not token:
            raise ServingError(401, "no_api_token", "This server has no API token configured "
                               "(YOGI_API_TOKEN): it shows no documents or labels and accepts "
                               "no corrections.", challenge)
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
        if_match: str | None = None,
    ) -> dict:
        """Store a reviewer's corrected timetable (a JSON body, or its parsed value) as a gold
        label, with its diff against the model's answer; history is kept. `if_match`: the
        version the reviewer corrected (`GET /documents/{id}`'s ETag); another one now → 409
        `stale_version`. While another reviewer holds the document → 409 `claimed`."""
        self.authorize(authorization)
        view = self.view(document_id)
        author = review_desk.reviewer_name(reviewer)
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
        try:
            label = self.store.add_gold_label(
                view.document.id, body, author=author,
                corrects_extraction_id=basis.id if basis else None,
                diff=label_diff(basis.result if basis else None, body),
                made_on=review_desk.if_match(if_match),
            )
        except ClaimedByOther as error:
            raise review_desk.claimed_error(error.reviewer, error.expires_at) from None
        except StaleVersion as error:
            raise ServingError(409, "stale_version", f"The document changed since you opened "
                               f"it (it is at version {error.current} now); reload it and "
                               "correct that.") from None
        try:  # a processing execution waiting on this document's review goes on
            resume_review(self.store, view.document.id, {
                "result": body, "source": "review", "costUsd": 0.0, "labelId": label.id,
                "reviewer": author})
        except Exception:  # noqa: BLE001 - the correction is stored; the next one resumes it
            log.exception("resuming the review task failed", document_id=view.document.id)
        self.features.after_correction(view.document.id)
        try:
            self.retrain.note_gold()
        except Exception:  # noqa: BLE001 - the correction is stored; training can start later
            log.exception("retraining trigger failed")
        return correction_body(label)

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
        return corrections_page(rows, self.objects.describe, after)
