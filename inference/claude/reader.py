"""`ClaudeReader`: one document's pages in one Messages request, with one retry when the answer
does not validate; every failure becomes `ClaudeFailed`. Each request first reserves its maximum
cost against the daily spend cap and settles it with the real usage afterwards."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import anthropic
import cv2
import structlog

from inference.claude.answer import InvalidAnswer, find_tool_input, parse_tool_input
from inference.claude.images import EncodedPage, PageInput, encode_page
from inference.claude.outcome import ClaudeAnswer, ClaudeFailed, FailureReason
from inference.claude.prices import cost_usd
from inference.claude.prompt import SYSTEM_PROMPT, feedback_turns, first_turn, ocr_hint
from inference.claude.tool import timetable_tool, tool_choice
from inference.claude.tracing import cost_attributes, enable_tracing, read_span
from inference.settings import Settings
from inference.spend import Reservation, SpendLedger, SqliteLedger

log = structlog.get_logger(__name__)

# A non-streamed answer arrives all at once, so the read timeout must cover the whole
# generation: a 100-block week is ~3,600 output tokens, about a minute at typical Sonnet speeds.
# Every attempt is further cut to what is left of the document's deadline
# (`YOGI_CLAUDE_DEADLINE_S`), which bounds the whole step, retries and waits included.
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_RETRIES = 2
# Our own retries (the SDK's would not stop at the deadline, nor cap a long Retry-After).
RETRYABLE = (anthropic.RateLimitError, anthropic.InternalServerError,
             anthropic.APIConnectionError)  # APITimeoutError is an APIConnectionError
BACKOFF_S, MAX_BACKOFF_S = 0.5, 8.0
DEFAULT_LEDGER_FILE = "claude_spend.sqlite"
# The input-token estimate behind each reservation (no count-tokens request: one more round trip
# per call, for a figure the `max_tokens` of output dominates anyway). Images: width × height /
# 750 tokens each (Anthropic's vision guide), at the size `encode_page` already scaled them to.
# Text: one token per 3 characters of the system prompt, the tool schema and the turns, where
# English averages about 4: the margin covers the API's own tool-use prompt (a few hundred).
CHARS_PER_TOKEN = 3


def max_cost_usd(
    model: str, max_tokens: int, pages: Sequence[EncodedPage], messages: list[dict[str, Any]]
) -> float:
    """The most one request can cost: its estimated input plus `max_tokens` of output."""
    turns = [m["content"] if isinstance(m["content"], list) else [m["content"]] for m in messages]
    blocks = [
        b for turn in turns for b in turn if not (isinstance(b, dict) and b["type"] == "image")
    ]
    chars = len(SYSTEM_PROMPT) + len(json.dumps(timetable_tool())) + len(json.dumps(blocks))
    input_tokens = sum(page.estimated_tokens for page in pages) + chars / CHARS_PER_TOKEN
    return cost_usd(model, math.ceil(input_tokens), max_tokens)


@dataclass
class _Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class ClaudeReader:
    """One instance per process is enough (the SDK client is thread-safe and pooled).

    `timeout_s` bounds each HTTP attempt (see DEFAULT_TIMEOUT_S); `max_retries` is the retry
    count for 429/529/5xx/connection errors/timeouts (exponential backoff from 0.5 s, capped at
    8 s, or the server's Retry-After); `deadline_s` (default `YOGI_CLAUDE_DEADLINE_S`) bounds a
    whole `read`: no attempt runs past it and a Retry-After that would is not waited for. An
    answer that does not validate is asked for again once, with the validation error, before
    giving up."""

    def __init__(
        self,
        settings: Settings,
        *,
        ledger: SpendLedger | None = None,
        client: anthropic.Anthropic | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        timeout_s: float | None = None,
        max_retries: int | None = None,
        deadline_s: float | None = None,
        max_tokens: int = 16_384,
        max_pages: int = 20,
        tracing: bool = True,
    ) -> None:
        self.settings = settings
        self.model = model or settings.claude_model
        # No ledger given: a SQLite file in the data directory, shared by every process on it.
        self.ledger: SpendLedger = ledger or SqliteLedger(settings.data_dir / DEFAULT_LEDGER_FILE)
        self.timeout_s = float(timeout_s or DEFAULT_TIMEOUT_S)
        self.max_retries = int(max_retries if max_retries is not None else DEFAULT_MAX_RETRIES)
        self.deadline_s = float(deadline_s or settings.claude_deadline_s)
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
                max_retries=0,  # `_create` retries, within the deadline
            )
        return self._client

    def _reserve(
        self,
        pages: Sequence[EncodedPage],
        messages: list[dict[str, Any]],
        attempts: int,
        spent: _Usage,
        document_id: str | None,
    ) -> Reservation:
        amount = max_cost_usd(self.model, self.max_tokens, pages, messages)
        budget = self.settings.claude_daily_budget_usd
        try:
            reservation = self.ledger.reserve(
                amount_usd=amount, budget_usd=budget, model=self.model, document_id=document_id
            )
        except Exception as err:  # cannot know the spend → cannot honour the cap
            raise ClaudeFailed(
                "ledger_error", repr(err), attempts=attempts, cost_usd=spent.cost_usd
            ) from err
        if reservation is None:
            raise ClaudeFailed(
                "budget_exhausted",
                f"a call of up to ${amount:.2f} would pass today's ${budget:.2f} cap (UTC)",
                attempts=attempts,
                cost_usd=spent.cost_usd,
            )
        return reservation

    def _settle(
        self, reservation: Reservation, message: anthropic.types.Message | None, spent: _Usage
    ) -> None:
        """Replace the reservation by the call's real usage; no message (the call failed) → 0."""
        input_tokens = output_tokens = 0
        cost = 0.0
        if message is not None:
            usage = message.usage
            input_tokens, output_tokens = usage.input_tokens, usage.output_tokens
            cost = cost_usd(
                self.model,
                input_tokens,
                output_tokens,
                usage.cache_creation_input_tokens or 0,
                usage.cache_read_input_tokens or 0,
            )
        spent.input_tokens += input_tokens
        spent.output_tokens += output_tokens
        spent.cost_usd += cost
        try:
            self.ledger.settle(
                reservation, input_tokens=input_tokens, output_tokens=output_tokens, cost_usd=cost
            )
        except Exception as err:
            # The answer is paid for either way; losing it too would be worse than a gap (and
            # the unsettled reservation still counts its maximum against the cap).
            log.error("claude.ledger_settle_failed", error=repr(err), cost_usd=cost)

    def _create(
        self, client: anthropic.Anthropic, messages: list[dict[str, Any]], deadline: float
    ) -> anthropic.types.Message:
        def call(force: bool) -> anthropic.types.Message:
            # Plain dicts on our side; the SDK's TypedDicts only matter to type checkers.
            return client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=SYSTEM_PROMPT,
                tools=cast(Any, [timetable_tool()]),
                tool_choice=cast(Any, tool_choice(self.model, force)),
                messages=cast(Any, messages),
                timeout=min(self.timeout_s, max(deadline - time.monotonic(), 0.001)),
            )

        retries = 0
        while True:
            try:
                return call(self._force_tool)
            except anthropic.BadRequestError as err:
                # A model that refuses forced tool choice (newer than our list): ask again with
                # "auto" once and remember it for this reader.
                if not (self._force_tool and "tool_choice" in str(err)):
                    raise
                log.warning("claude.forced_tool_choice_rejected", model=self.model)
                self._force_tool = False
            except RETRYABLE as err:
                wait = _retry_after(err) or min(BACKOFF_S * 2**retries, MAX_BACKOFF_S)
                left = deadline - time.monotonic()
                if retries >= self.max_retries or wait >= left:
                    if wait >= left:
                        raise ClaudeFailed(
                            "deadline", f"{type(err).__name__} and {left:.1f} s left of "
                            f"{self.deadline_s:g} s (next try after {wait:.1f} s)",
                        ) from err
                    raise
                retries += 1
                log.info("claude.retry", error=type(err).__name__, wait_s=round(wait, 2),
                         retry=retries)
                time.sleep(wait)

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
        # First use pays MLflow's import and store set-up; keep that out of the latency.
        traced = self.tracing and enable_tracing(self.settings)
        started = time.perf_counter()
        deadline = time.monotonic() + self.deadline_s

        try:
            encoded = [encode_page(page) for page in pages]
        except (ValueError, cv2.error) as err:
            raise ClaudeFailed("bad_image", str(err)) from err
        hint = ocr_hint(ocr_text)
        messages: list[dict[str, Any]] = [first_turn(encoded, hint)]
        span_inputs = {
            "document_id": document_id,
            "model": self.model,
            "pages": [f"{p.width}x{p.height} {p.media_type}" for p in encoded],
            "ocr_hint_chars": len(hint),
        }

        with read_span(traced, span_inputs) as span:
            attempts = 0
            outcome = "ok"
            try:
                while True:
                    reservation = self._reserve(encoded, messages, attempts, spent, document_id)
                    attempts += 1
                    message = None
                    try:
                        message = self._create(client, messages, deadline)
                    except ClaudeFailed as failed:
                        failed.attempts, failed.cost_usd = attempts, spent.cost_usd
                        raise
                    except anthropic.APIError as err:
                        raise ClaudeFailed(
                            failure_reason(err),
                            f"{type(err).__name__}: {err}"[:300],
                            attempts=attempts,
                            cost_usd=spent.cost_usd,
                        ) from err
                    finally:
                        self._settle(reservation, message, spent)
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
                        messages = messages + feedback_turns(message, str(problem))
            except ClaudeFailed as failed:
                outcome = failed.reason
                raise
            except Exception:
                outcome = "error"
                raise
            finally:
                latency = time.perf_counter() - started
                span.set_attributes(
                    cost_attributes(self.model, spent.input_tokens, spent.output_tokens)
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


def _retry_after(err: Exception) -> float | None:
    """The server's Retry-After (seconds or retry-after-ms), when it sent one."""
    response = getattr(err, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None  # an HTTP date: rare for this API; the backoff applies
    return None
