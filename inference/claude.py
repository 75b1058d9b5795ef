"""The Claude tier: page images (plus the OCR text as a hint) → TimetableData, through one tool
call whose input schema is the contract.

Failure is an ordinary outcome here: every way this can go wrong (no key, spend cap, throttling,
outage, timeout, an answer that does not validate) raises `ClaudeFailed` with a short
machine-readable reason, so the caller can route the document to review and keep its best answer.
"""

from __future__ import annotations

import base64
import math
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

import anthropic
import cv2
import numpy as np
import structlog
from pydantic import BaseModel, ValidationError

from inference.schema import DAYS, TimetableData
from inference.settings import Settings, get_settings
from inference.spend import SpendLedger, default_ledger
from inference.validate import validate

log = structlog.get_logger(__name__)

TOOL_NAME = "record_timetable"
TRACING_EXPERIMENT = "yogi-claude"

FailureReason = Literal[
    "no_api_key",
    "budget_exhausted",
    "ledger_error",
    "no_pages",
    "too_many_pages",
    "bad_image",
    "rate_limited",
    "overloaded",
    "server_error",
    "timeout",
    "connection_error",
    "auth_error",
    "bad_request",
    "api_error",
    "refused",
    "invalid_answer",
]


class ClaudeFailed(Exception):
    """The tier gave no usable answer. `reason` is one of `FailureReason`; `detail` is for
    people; `cost_usd` is what was billed before giving up (it is already in the ledger)."""

    def __init__(
        self, reason: FailureReason, detail: str = "", *, attempts: int = 0, cost_usd: float = 0.0
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: FailureReason = reason
        self.detail = detail
        self.attempts = attempts
        self.cost_usd = cost_usd


class ClaudeAnswer(BaseModel):
    timetable: TimetableData
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    attempts: int  # answers asked for (1, or 2 after a rejected answer); HTTP retries not counted
    latency_s: float


# --- Prices -------------------------------------------------------------------------------------

# USD per million tokens (input, output), list prices for the standard Messages API (no batch
# discount). Source: Anthropic's model pages at platform.claude.com/docs/en/models/<model>/overview
# and the models overview table, read 2026-11-23. Keys are model-id prefixes; the longest match
# wins, so dated ids ("claude-haiku-4-5-20251001") price as their family.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    # Sonnet class
    "claude-sonnet-4": (3.0, 15.0),  # Sonnet 4, 4.5, 4.6
    "claude-sonnet-5": (2.0, 10.0),  # Sonnet 5 and 5.5
    # Haiku class
    "claude-haiku-4-5": (1.0, 5.0),
    # Opus class
    "claude-opus-4": (15.0, 75.0),  # Opus 4 and 4.1
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4-6": (5.0, 25.0),
    "claude-opus-4-7": (5.0, 25.0),
    "claude-opus-5": (5.0, 25.0),
    "claude-opus-5-5": (4.0, 20.0),
    "claude-fable-5-1": (10.0, 50.0),
}
# An unknown model is budgeted at the dearest known price: the daily cap must err on the side of
# stopping early, never of overspending.
FALLBACK_PRICE_PER_MTOK = max(PRICES_PER_MTOK.values())
# Prompt-cache multipliers on the input price (5-minute writes, reads). This tier does not ask
# for caching, but a proxy in front of the API might, and the usage block would then say so.
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.10


def price_per_mtok(model: str) -> tuple[float, float]:
    matches = [prefix for prefix in PRICES_PER_MTOK if model.startswith(prefix)]
    if not matches:
        return FALLBACK_PRICE_PER_MTOK
    return PRICES_PER_MTOK[max(matches, key=len)]


def cost_usd(
    model: str,
    input_tokens: int,
    output_tokens: int,
    cache_write_tokens: int = 0,
    cache_read_tokens: int = 0,
) -> float:
    price_in, price_out = price_per_mtok(model)
    billed_input = (
        input_tokens
        + CACHE_WRITE_FACTOR * cache_write_tokens
        + CACHE_READ_FACTOR * cache_read_tokens
    )
    return (billed_input * price_in + output_tokens * price_out) / 1_000_000


# --- The tool -----------------------------------------------------------------------------------

_NULLABLE_STRING = {"type": ["string", "null"]}
_HHMM_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"


def timetable_tool() -> dict[str, Any]:
    """The one tool Claude may call. Written out rather than generated from the pydantic model
    because the model also carries pipeline-only fields (confidence, sourceBox, timeScored…) that
    Claude must not fill; the answer is still validated by `TimetableData` itself."""
    time_field = {
        "type": ["string", "null"],
        "pattern": _HHMM_PATTERN,
        "description": "24-hour HH:MM, or null when the document gives no time.",
    }
    block = {
        "type": "object",
        "properties": {
            "day": {"type": "string", "enum": list(DAYS)},
            "name": {"type": "string", "minLength": 1},
            "startTime": time_field,
            "endTime": time_field,
            "notes": _NULLABLE_STRING,
        },
        "required": ["day", "name", "startTime", "endTime", "notes"],
        "additionalProperties": False,
    }
    return {
        "name": TOOL_NAME,
        "description": "Record every event of the school timetable shown in the images.",
        "input_schema": {
            "type": "object",
            "properties": {
                "teacher": _NULLABLE_STRING,
                "className": _NULLABLE_STRING,
                "term": _NULLABLE_STRING,
                "year": {"type": ["integer", "null"]},
                "timeblocks": {"type": "array", "items": block},
            },
            "required": ["teacher", "className", "term", "year", "timeblocks"],
            "additionalProperties": False,
        },
    }


SYSTEM_PROMPT = """\
You transcribe school timetables (photos, scans, screenshots) into structured data by calling \
the record_timetable tool exactly once.

Rules:
- One block per event per day. An event whose cell runs across several days (for example a \
Break or Lunch column down the whole week) becomes one block for each of those days.
- day: the full English day name, Monday to Sunday.
- name: the event as the teacher wrote it, original wording and spelling kept; rejoin words \
broken over lines. A time printed in the cell is not part of the name.
- startTime, endTime: 24-hour HH:MM. Times without am/pm follow school hours: 7-11 are \
morning, 12 is noon, 1-6 are afternoon. A time printed inside a cell overrides its row or \
column header. Use null when the document does not give the time.
- notes: the rest of the cell's text (sub-lines, rooms, teachers), or null.
- Empty cells give no block. Header cells (day names, time ranges) are not blocks.
- teacher, className, term (e.g. "Autumn 2"), year (an integer): from the document's heading; \
null when absent.
The OCR text that comes with the images is only a hint for spelling: it can be wrong or \
incomplete, and the images are authoritative."""

# The OCR hint is a spelling aid, not the document: cap it so a noisy page cannot inflate cost.
MAX_OCR_HINT_CHARS = 12_000

# Models that answer a forced tool_choice with HTTP 400 (Sonnet 5.5 migration guide, Opus 5.5,
# Fable 5.1). They get tool_choice "auto" plus the system prompt's instruction instead; a
# missing tool call is then caught like any other invalid answer.
_FORCED_TOOL_REJECTED = ("claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5-1")


def _tool_choice(model: str, force: bool) -> dict[str, Any]:
    if force and not model.startswith(_FORCED_TOOL_REJECTED):
        return {"type": "tool", "name": TOOL_NAME}
    return {"type": "auto"}


# --- Images -------------------------------------------------------------------------------------

# Claude's vision guide: an image whose long edge exceeds 1568 px, or which is above ~1.15
# megapixels, is scaled down by the API before the model sees it. Doing it here sends fewer bytes
# and costs nothing in accuracy; tokens ≈ width × height / 750 after the scaling.
MAX_LONG_SIDE = 1568
MAX_PIXELS = 1_150_000
PIXELS_PER_TOKEN = 750
# Base64 grows 4/3 and the API refuses images above 5 MB; keep PNG (sharp text) while it is
# comfortably small, otherwise JPEG (photos compress far better).
MAX_PNG_BYTES = 3_500_000

PageInput = np.ndarray | bytes


@dataclass(frozen=True)
class EncodedPage:
    media_type: Literal["image/png", "image/jpeg"]
    data: bytes
    width: int
    height: int

    @property
    def estimated_tokens(self) -> int:
        return image_tokens(self.width, self.height)

    def content_block(self) -> dict[str, Any]:
        return {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": self.media_type,
                "data": base64.b64encode(self.data).decode("ascii"),
            },
        }


def fit_size(width: int, height: int) -> tuple[int, int]:
    """The size Claude would scale the image to anyway (aspect ratio kept)."""
    scale = min(1.0, MAX_LONG_SIDE / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))
    return max(1, int(width * scale)), max(1, int(height * scale))


def image_tokens(width: int, height: int) -> int:
    return math.ceil(width * height / PIXELS_PER_TOKEN)


def _sniff(data: bytes) -> Literal["image/png", "image/jpeg"] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def encode_page(page: PageInput) -> EncodedPage:
    """A BGR/grey array or encoded image bytes → PNG/JPEG no larger than `fit_size`."""
    if isinstance(page, bytes | bytearray | memoryview):
        raw = bytes(page)
        image = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError("page bytes are not a decodable image")
        height, width = image.shape[:2]
        media_type = _sniff(raw)
        # Already small and in a format the API takes: send the bytes untouched.
        if media_type and fit_size(width, height) == (width, height) and len(raw) <= MAX_PNG_BYTES:
            return EncodedPage(media_type, raw, width, height)
    else:
        image = page
    height, width = image.shape[:2]
    new_w, new_h = fit_size(width, height)
    if (new_w, new_h) != (width, height):
        image = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", image)
    if ok and len(png) <= MAX_PNG_BYTES:
        return EncodedPage("image/png", png.tobytes(), new_w, new_h)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("could not encode the page image")
    return EncodedPage("image/jpeg", jpeg.tobytes(), new_w, new_h)


# --- Answers ------------------------------------------------------------------------------------

_HEADER_KEYS = ("teacher", "className", "term", "year")
_BLOCK_KEYS = ("day", "name", "startTime", "endTime", "notes")


class InvalidAnswer(Exception):
    """The answer did not validate; the message is what Claude is told on the retry."""


def _format_validation_error(err: ValidationError, limit: int = 12) -> str:
    lines = []
    for item in err.errors()[:limit]:
        where = ".".join(str(part) for part in item["loc"])
        lines.append(f"{where}: {item['msg']}")
    more = len(err.errors()) - limit
    if more > 0:
        lines.append(f"... and {more} more")
    return "; ".join(lines)


def parse_tool_input(tool_input: object, model: str) -> TimetableData:
    """Claude's tool input → TimetableData (tier "claude"), or `InvalidAnswer`.

    Only contract content is taken from the answer: tier, confidence, modelVersions and the
    pipeline-only block fields are ours to set, not Claude's."""
    if not isinstance(tool_input, dict):
        raise InvalidAnswer("the tool input must be a JSON object")
    blocks = tool_input.get("timeblocks")
    if not isinstance(blocks, list):
        raise InvalidAnswer("timeblocks: required, must be an array of blocks")
    problems: list[str] = []
    kept_blocks = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            problems.append(f"timeblocks.{i}: must be an object")
            continue
        kept_blocks.append({key: block.get(key) for key in _BLOCK_KEYS})
    content = {key: tool_input.get(key) for key in _HEADER_KEYS} | {"timeblocks": kept_blocks}
    try:
        timetable = TimetableData.model_validate(content)
    except ValidationError as err:
        raise InvalidAnswer(_format_validation_error(err)) from err
    for i, block in enumerate(timetable.timeblocks):
        if not block.name.strip():
            problems.append(f"timeblocks.{i}.name: must not be empty")
        if block.start_time and block.end_time and block.end_time <= block.start_time:
            problems.append(
                f"timeblocks.{i}: endTime {block.end_time} is not after startTime "
                f"{block.start_time}"
            )
    if problems:
        raise InvalidAnswer("; ".join(problems[:12]))
    return timetable.model_copy(
        update={
            "tier": "claude",
            "model_versions": {"claude": model},
            # Findings a person reviewing the answer would want (school day, overlaps).
            "warnings": validate(timetable.timeblocks),
        }
    )


def find_tool_input(message: anthropic.types.Message) -> tuple[str | None, object]:
    """(tool_use id, input) of the record_timetable call, or `InvalidAnswer`."""
    calls = [
        block for block in message.content if block.type == "tool_use" and block.name == TOOL_NAME
    ]
    if not calls:
        kinds = ", ".join(block.type for block in message.content) or "nothing"
        raise InvalidAnswer(f"no {TOOL_NAME} call in the answer (got {kinds})")
    if message.stop_reason == "max_tokens":
        raise InvalidAnswer("the answer was cut off at max_tokens")
    return calls[0].id, calls[0].input


def _feedback_turns(message: anthropic.types.Message, problem: str) -> list[dict[str, Any]]:
    """The assistant's rejected answer and our reply, appended for the one retry. A tool_use
    must be answered by a tool_result for its id, so the error goes there when there is one."""
    # exclude_none: the API rejects some response-only fields echoed back as null.
    blocks = [b.model_dump(mode="json", exclude_none=True) for b in message.content]
    assistant = {"role": "assistant", "content": blocks}
    text = (
        f"That answer was rejected: {problem}. Call {TOOL_NAME} again with the whole timetable, "
        "corrected."
    )
    tool_ids = [b.id for b in message.content if b.type == "tool_use"]
    if tool_ids:
        results = [
            {"type": "tool_result", "tool_use_id": tid, "is_error": True, "content": text}
            for tid in tool_ids
        ]
        return [assistant, {"role": "user", "content": results}]
    if not message.content:
        return [{"role": "user", "content": text}]
    return [assistant, {"role": "user", "content": text}]


def failure_reason(err: anthropic.APIError) -> FailureReason:
    """An SDK error (after its own retries) → our reason."""
    if isinstance(err, anthropic.APITimeoutError):
        return "timeout"
    if isinstance(err, anthropic.APIConnectionError):
        return "connection_error"
    if isinstance(err, anthropic.APIStatusError):
        status = err.status_code
        if status == 429:
            return "rate_limited"
        if status == 529:
            return "overloaded"
        if status in (408, 504):
            return "timeout"
        if status >= 500:
            return "server_error"
        if status in (401, 403):
            return "auth_error"
        if status in (400, 404, 413, 422):
            return "bad_request"
    return "api_error"


# --- Tracing ------------------------------------------------------------------------------------

_tracing_lock = threading.Lock()
_tracing: dict[str, Any] = {"attempted": False, "enabled": False, "experiment_id": None}


def enable_tracing(settings: Settings | None = None, *, force: bool = False) -> bool:
    """Trace every Messages API call into MLflow (experiment "yogi-claude") with
    `mlflow.anthropic.autolog()`. Runs once per process; returns whether tracing is on. MLflow
    missing or its store unreachable only costs the traces, never the extraction."""
    settings = settings or get_settings()
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
def _read_span(enabled: bool, inputs: dict[str, Any]) -> Iterator[Any]:
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


def _cost_attributes(model: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
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


# --- The reader ---------------------------------------------------------------------------------


# A non-streamed answer arrives all at once, so the read timeout must cover the whole
# generation: a 100-block week is ~3,600 output tokens, about a minute at typical Sonnet speeds,
# so 60 s would cut exactly the large pages and every retry would be cut the same way. Worst
# case per document: (1 + retries) × timeout plus backoff, about 6 minutes with these defaults.
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_RETRIES = 2


@dataclass
class _Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class ClaudeReader:
    """One instance per process is enough (the SDK client is thread-safe and pooled).

    `timeout_s` bounds each HTTP attempt (see DEFAULT_TIMEOUT_S); `max_retries` is the SDK's own
    retry count for 429/529/5xx/connection errors/timeouts (exponential backoff from 0.5 s,
    capped at 8 s, or the server's retry-after when it sends one; note the SDK does not cap a
    long retry-after). An answer that does not validate is asked for again once, with the
    validation error, before giving up."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        ledger: SpendLedger | None = None,
        client: anthropic.Anthropic | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        timeout_s: float | None = None,
        max_retries: int | None = None,
        max_tokens: int = 16_384,
        max_pages: int = 20,
        tracing: bool = True,
    ) -> None:
        self.settings = settings or get_settings()
        self.model = model or self.settings.claude_model
        self.ledger: SpendLedger = ledger or default_ledger(self.settings.data_dir)
        # Optional settings fields (YOGI_CLAUDE_TIMEOUT_S, YOGI_CLAUDE_MAX_RETRIES) if the
        # settings object has them; otherwise the defaults below.
        self.timeout_s = float(
            timeout_s or getattr(self.settings, "claude_timeout_s", None) or DEFAULT_TIMEOUT_S
        )
        self.max_retries = int(
            max_retries
            if max_retries is not None
            else getattr(self.settings, "claude_max_retries", None) or DEFAULT_MAX_RETRIES
        )
        self.max_tokens = max_tokens
        self.max_pages = max_pages
        self.tracing = tracing
        self._api_key = api_key
        self._base_url = base_url
        self._client = client
        self._force_tool = True

    # The key is checked before anything is encoded or sent: with no key there is nothing to do.
    def _get_client(self) -> anthropic.Anthropic:
        if self._client is None:
            api_key = self._api_key or os.environ.get("ANTHROPIC_API_KEY")
            if not api_key and not os.environ.get("ANTHROPIC_AUTH_TOKEN"):
                raise ClaudeFailed("no_api_key", "ANTHROPIC_API_KEY is not set")
            self._client = anthropic.Anthropic(
                api_key=api_key or None,
                base_url=self._base_url,  # None → ANTHROPIC_BASE_URL or the public API
                timeout=self.timeout_s,
                max_retries=self.max_retries,
            )
        return self._client

    def _check_budget(self, attempts: int, spent: _Usage) -> None:
        try:
            today = self.ledger.spent_today()
        except Exception as err:  # cannot know the spend → cannot honour the cap
            raise ClaudeFailed(
                "ledger_error", repr(err), attempts=attempts, cost_usd=spent.cost_usd
            ) from err
        budget = self.settings.claude_daily_budget_usd
        if today >= budget:
            raise ClaudeFailed(
                "budget_exhausted",
                f"spent ${today:.2f} of ${budget:.2f} today (UTC)",
                attempts=attempts,
                cost_usd=spent.cost_usd,
            )

    def _record(
        self, message: anthropic.types.Message, spent: _Usage, document_id: str | None
    ) -> None:
        usage = message.usage
        cost = cost_usd(
            self.model,
            usage.input_tokens,
            usage.output_tokens,
            getattr(usage, "cache_creation_input_tokens", None) or 0,
            getattr(usage, "cache_read_input_tokens", None) or 0,
        )
        spent.input_tokens += usage.input_tokens
        spent.output_tokens += usage.output_tokens
        spent.cost_usd += cost
        try:
            # By keyword: the serving store's `record` takes keywords only.
            self.ledger.record(
                model=self.model,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cost_usd=cost,
                document_id=document_id,
            )
        except Exception as err:
            # The answer is paid for either way; losing it too would be worse than a gap.
            log.error("claude.ledger_record_failed", error=repr(err), cost_usd=cost)

    def _create(
        self, client: anthropic.Anthropic, messages: list[dict[str, Any]]
    ) -> anthropic.types.Message:
        def call(force: bool) -> anthropic.types.Message:
            # Plain dicts on our side; the SDK's TypedDicts only matter to type checkers.
            return client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=SYSTEM_PROMPT,
                tools=cast(Any, [timetable_tool()]),
                tool_choice=cast(Any, _tool_choice(self.model, force)),
                messages=cast(Any, messages),
            )

        try:
            return call(self._force_tool)
        except anthropic.BadRequestError as err:
            # A model that refuses forced tool choice (newer than our list): ask again with
            # "auto" once and remember it for this reader.
            if not (self._force_tool and "tool_choice" in str(err)):
                raise
            log.warning("claude.forced_tool_choice_rejected", model=self.model)
            self._force_tool = False
            return call(False)

    def read(
        self,
        pages: Sequence[PageInput],
        ocr_text: str = "",
        *,
        document_id: str | None = None,
    ) -> ClaudeAnswer:
        """Read one document (all its pages in one request). Raises `ClaudeFailed`."""
        client = self._get_client()
        if not pages:
            raise ClaudeFailed("no_pages")
        if len(pages) > self.max_pages:
            raise ClaudeFailed("too_many_pages", f"{len(pages)} > {self.max_pages}")
        spent = _Usage()
        self._check_budget(0, spent)
        # First use pays MLflow's import and store set-up; keep that out of the latency.
        traced = self.tracing and enable_tracing(self.settings)
        started = time.perf_counter()

        try:
            encoded = [encode_page(page) for page in pages]
        except (ValueError, cv2.error) as err:
            raise ClaudeFailed("bad_image", str(err)) from err
        hint = ocr_text.strip()[:MAX_OCR_HINT_CHARS]
        content: list[dict[str, Any]] = [page.content_block() for page in encoded]
        content.append(
            {
                "type": "text",
                "text": (
                    f"OCR text of the page(s), a hint only:\n<ocr>\n{hint or '(none)'}\n</ocr>\n"
                    f"Record the timetable with {TOOL_NAME}."
                ),
            }
        )
        messages: list[dict[str, Any]] = [{"role": "user", "content": content}]
        span_inputs = {
            "document_id": document_id,
            "model": self.model,
            "pages": [f"{p.width}x{p.height} {p.media_type}" for p in encoded],
            "ocr_hint_chars": len(hint),
        }

        with _read_span(traced, span_inputs) as span:
            attempts = 0
            outcome = "ok"
            try:
                while True:
                    attempts += 1
                    if attempts > 1:
                        self._check_budget(attempts - 1, spent)
                    try:
                        message = self._create(client, messages)
                    except anthropic.APIError as err:
                        raise ClaudeFailed(
                            failure_reason(err),
                            f"{type(err).__name__}: {err}"[:300],
                            attempts=attempts,
                            cost_usd=spent.cost_usd,
                        ) from err
                    self._record(message, spent, document_id)
                    if message.stop_reason == "refusal":
                        raise ClaudeFailed("refused", attempts=attempts, cost_usd=spent.cost_usd)
                    try:
                        _, tool_input = find_tool_input(message)
                        timetable = parse_tool_input(tool_input, self.model)
                        break
                    except InvalidAnswer as problem:
                        log.warning(
                            "claude.invalid_answer", attempt=attempts, problem=str(problem)[:300]
                        )
                        if attempts >= 2:
                            raise ClaudeFailed(
                                "invalid_answer",
                                str(problem)[:300],
                                attempts=attempts,
                                cost_usd=spent.cost_usd,
                            ) from problem
                        messages = messages + _feedback_turns(message, str(problem))
            except ClaudeFailed as failed:
                outcome = failed.reason
                raise
            except Exception:
                outcome = "error"
                raise
            finally:
                latency = time.perf_counter() - started
                span.set_attributes(
                    _cost_attributes(self.model, spent.input_tokens, spent.output_tokens)
                    | {
                        "yogi.claude.attempts": attempts,
                        "yogi.claude.outcome": outcome,
                        "yogi.claude.latency_s": latency,
                        "yogi.claude.cost_usd": spent.cost_usd,
                    }
                )
                log.info(
                    "claude.read",
                    document_id=document_id,
                    model=self.model,
                    outcome=outcome,
                    attempts=attempts,
                    input_tokens=spent.input_tokens,
                    output_tokens=spent.output_tokens,
                    cost_usd=round(spent.cost_usd, 6),
                    latency_s=round(latency, 3),
                )
            span.set_outputs({"blocks": len(timetable.timeblocks), "cost_usd": spent.cost_usd})

        return ClaudeAnswer(
            timetable=timetable,
            model=self.model,
            input_tokens=spent.input_tokens,
            output_tokens=spent.output_tokens,
            cost_usd=spent.cost_usd,
            attempts=attempts,
            latency_s=time.perf_counter() - started,
        )
