"""The Claude tier and the cascade router, with the real anthropic SDK talking to a local
stand-in of the Messages API (serving/claude_standin.py)."""

from __future__ import annotations

import base64
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from inference.claude import ClaudeAnswer, ClaudeFailed, ClaudeReader, price_per_mtok
from inference.claude.answer import InvalidAnswer, parse_tool_input
from inference.claude.images import encode_page, fit_size
from inference.claude.prices import cost_usd
from inference.claude.prompt import first_turn
from inference.claude.reader import max_cost_usd
from inference.claude.tool import TOOL_NAME, timetable_tool
from inference.claude.tracing import disable_tracing, enable_tracing
from inference.router import choose_result, final_status, route
from inference.schema import DAYS, TimetableData
from inference.settings import Settings
from inference.spend import InMemoryLedger, SpendLedger, SqliteLedger
from serving.claude_standin import GOOD_TIMETABLE, USAGE, StandIn

MODEL = "claude-sonnet-4-6"
GOOD_COST = (USAGE["input_tokens"] * 3.0 + USAGE["output_tokens"] * 15.0) / 1_000_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "yogi",
        claude_model=MODEL,
        claude_daily_budget_usd=5.0,
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
    )


@pytest.fixture
def page() -> np.ndarray:
    # A 3000×2000 "scan": big enough that the reader must downscale it.
    image = np.full((2000, 3000, 3), 255, np.uint8)
    cv2.putText(image, "Monday Maths 9:30", (200, 400), cv2.FONT_HERSHEY_SIMPLEX, 4, (0, 0, 0), 8)
    return image


def reader(
    standin: StandIn, settings: Settings, ledger: SpendLedger | None = None, **kwargs
) -> ClaudeReader:
    options = {"timeout_s": 2.0, "max_retries": 2, "tracing": False} | kwargs
    return ClaudeReader(
        settings,
        ledger=ledger or InMemoryLedger(),
        api_key="sk-ant-test-dummy",
        base_url=standin.url,
        **options,
    )


# --- The tier against the stand-in ---------------------------------------------------------------


def test_good_answer_is_parsed_priced_and_recorded(settings, page):
    ledger = InMemoryLedger()
    with StandIn("good") as api:
        answer = reader(api, settings, ledger).read([page], "Monday Maths 9:30", document_id="d1")
        body, headers = api.requests[0], api.headers[0]

    assert isinstance(answer, ClaudeAnswer)
    assert answer.timetable.tier == "claude"
    assert answer.timetable.model_versions == {"claude": MODEL}
    assert answer.timetable.teacher == "Miss Joynes" and answer.timetable.year == 2024
    assert [b.name for b in answer.timetable.timeblocks] == ["Maths", "Break", "PHSE"]
    assert answer.timetable.timeblocks[2].notes == "Anti Bullying Week"
    assert (answer.input_tokens, answer.output_tokens) == (2500, 700)
    assert answer.cost_usd == pytest.approx(GOOD_COST)  # $0.018
    assert answer.attempts == 1 and api.count == 1
    # Contract JSON keeps the camelCase aliases.
    assert answer.timetable.to_json_dict()["modelVersions"] == {"claude": MODEL}

    # The request: forced tool, the contract schema, the image downscaled, the OCR hint.
    # SDK 2.x sends the key as a bearer token (1.x used x-api-key); either reaches the API.
    assert "sk-ant-test-dummy" in (headers.get("authorization", "") + headers.get("x-api-key", ""))
    assert body["model"] == MODEL
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert [t["name"] for t in body["tools"]] == [TOOL_NAME]
    image_block, text_block = body["messages"][0]["content"]
    assert image_block["source"]["media_type"] == "image/png"
    sent = cv2.imdecode(
        np.frombuffer(base64.b64decode(image_block["source"]["data"]), np.uint8), cv2.IMREAD_COLOR
    )
    assert max(sent.shape[:2]) <= 1568 and sent.shape[0] * sent.shape[1] <= 1_150_000
    assert "Monday Maths 9:30" in text_block["text"]

    assert ledger.spent_today() == pytest.approx(GOOD_COST)
    assert ledger.records[0].document_id == "d1" and ledger.records[0].model == MODEL


def test_png_bytes_are_accepted(settings, page):
    ok, png = cv2.imencode(".png", cv2.resize(page, (600, 400)))
    with StandIn("good") as api:
        answer = reader(api, settings).read([png.tobytes()])
        sent = api.requests[0]["messages"][0]["content"][0]["source"]["data"]
    assert base64.b64decode(sent) == png.tobytes()  # small enough: sent untouched
    assert answer.timetable.tier == "claude"


def test_undecodable_page_fails_without_a_request(settings):
    with StandIn("good") as api:
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings).read([b"not an image"])
        assert api.count == 0
    assert failed.value.reason == "bad_image"


def test_throttled_then_answers(settings, page):
    with StandIn("throttle") as api:
        answer = reader(api, settings).read([page])
        assert api.count == 2  # one 429 (retry-after honoured), then the answer
    assert answer.attempts == 1 and answer.timetable.timeblocks


@pytest.mark.parametrize(
    ("mode", "reason"), [("fail", "server_error"), ("overloaded", "overloaded")]
)
def test_outage_gives_up_after_sdk_retries(settings, page, mode, reason):
    ledger = InMemoryLedger()
    with StandIn(mode) as api:
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings, ledger, max_retries=2).read([page])
        assert api.count == 3  # first try + max_retries
    assert failed.value.reason == reason
    # The call's reservation, settled at nothing: error responses are not billed.
    assert [(r.input_tokens, r.cost_usd) for r in ledger.records] == [(0, 0.0)]


def test_always_throttled_is_rate_limited(settings, page):
    with StandIn("rate-limited") as api:
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings, max_retries=1).read([page])
        assert api.count == 2
    assert failed.value.reason == "rate_limited"


def test_hang_times_out_quickly(settings, page):
    with StandIn("hang", hang_s=5.0) as api:
        started = time.perf_counter()
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings, timeout_s=0.3, max_retries=1).read([page])
        elapsed = time.perf_counter() - started
        assert api.count == 2
    assert failed.value.reason == "timeout"
    assert elapsed < 3.0


def test_a_hanging_api_is_cut_at_the_documents_deadline(settings, page):
    # Each attempt may take 2 s and two retries are allowed, but the whole step has 1 s.
    with StandIn("hang", hang_s=10.0) as api:
        started = time.perf_counter()
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings, timeout_s=2.0, max_retries=2, deadline_s=1.0).read([page])
        elapsed = time.perf_counter() - started
    assert failed.value.reason == "deadline"
    assert 0.9 < elapsed < 1.8


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(settings, page):
    # The server asks for 100 s; the document has 2 s: give up at once, not in 100 s.
    with StandIn("rate-limited", retry_after_ms=100_000) as api:
        started = time.perf_counter()
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings, max_retries=5, deadline_s=2.0).read([page])
        elapsed = time.perf_counter() - started
        assert api.count == 1
    assert failed.value.reason == "deadline" and "100.0 s" in failed.value.detail
    assert elapsed < 1.0


@pytest.mark.parametrize("mode", ["garbage", "bad-input"])
def test_invalid_answer_is_retried_once_then_fails(settings, page, mode):
    ledger = InMemoryLedger()
    with StandIn(mode) as api:
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings, ledger).read([page])
        assert api.count == 2
        retry = api.requests[1]["messages"]
    assert failed.value.reason == "invalid_answer"
    assert failed.value.attempts == 2
    # Both answers were billed, and recorded.
    assert len(ledger.records) == 2
    assert failed.value.cost_usd == pytest.approx(2 * GOOD_COST)
    # The retry carries the rejected answer and the validation error back to Claude.
    assert [m["role"] for m in retry] == ["user", "assistant", "user"]
    feedback = retry[2]["content"]
    if mode == "bad-input":
        assert feedback[0]["type"] == "tool_result" and feedback[0]["is_error"] is True
        assert "startTime" in feedback[0]["content"] and "day" in feedback[0]["content"]
    else:
        assert "no record_timetable call" in feedback


def test_garbage_then_good_succeeds_on_second_attempt(settings, page):
    with StandIn("garbage-then-good") as api:
        answer = reader(api, settings).read([page])
        assert api.count == 2
    assert answer.attempts == 2
    assert answer.cost_usd == pytest.approx(2 * GOOD_COST)
    assert answer.input_tokens == 2 * USAGE["input_tokens"]


def test_model_rejecting_forced_tool_choice_falls_back_to_auto(settings, page):
    with StandIn("reject-forced-tool") as api:
        answer = reader(api, settings).read([page])
        choices = [r["tool_choice"]["type"] for r in api.requests]
    assert choices == ["tool", "auto"]
    assert answer.timetable.tier == "claude"


def test_budget_exhausted_sends_nothing(settings, page):
    ledger = InMemoryLedger()
    ledger.record(MODEL, 1_000_000, 100_000, 5.0, "earlier")  # exactly the cap
    with StandIn("good") as api:
        with pytest.raises(ClaudeFailed) as failed:
            reader(api, settings, ledger).read([page])
        assert api.count == 0
    assert failed.value.reason == "budget_exhausted"


def test_a_second_document_that_would_pass_the_cap_goes_to_review(settings, page):
    """Two documents at once and a cap that fits one call's worst case but not two: the second
    goes to review without a request; the first is booked at the stand-in's real usage."""
    encoded = [encode_page(page)]
    worst = max_cost_usd(MODEL, 16_384, encoded, [first_turn(encoded, "")])
    # max_tokens of output dominates the worst case; the input is estimated, not zero.
    assert worst > cost_usd(MODEL, encoded[0].estimated_tokens, 16_384) > 10 * GOOD_COST
    ledger = InMemoryLedger()
    capped = settings.model_copy(update={"claude_daily_budget_usd": 1.5 * worst})
    with StandIn("hang", hang_s=0.5) as api:  # holds the first answer back for half a second
        tier = reader(api, capped, ledger, max_retries=0)
        first = threading.Thread(target=tier.read, args=([page],), kwargs={"document_id": "a"})
        first.start()
        while api.count == 0 and first.is_alive():  # until the first request is in flight
            time.sleep(0.01)
        with pytest.raises(ClaudeFailed) as second:
            tier.read([page], document_id="b")
        first.join()
        assert api.count == 1
    assert second.value.reason == "budget_exhausted" and second.value.cost_usd == 0.0
    [record] = ledger.records
    assert (record.document_id, record.input_tokens, record.output_tokens) == (
        "a", USAGE["input_tokens"], USAGE["output_tokens"])
    assert ledger.spent_today() == pytest.approx(GOOD_COST)


def test_yesterdays_spend_does_not_count():
    now = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    clock = {"t": now - timedelta(hours=1)}
    ledger = InMemoryLedger(clock=lambda: clock["t"])
    ledger.record(MODEL, 10, 10, 19.0, None)
    clock["t"] = now
    assert ledger.spent_today() == 0.0


def test_no_api_key_fails_before_sending(settings, page, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    with StandIn("good") as api:
        tier = ClaudeReader(settings, ledger=InMemoryLedger(), base_url=api.url, tracing=False)
        with pytest.raises(ClaudeFailed) as failed:
            tier.read([page])
        assert api.count == 0
    assert failed.value.reason == "no_api_key"


def test_sqlite_ledger_is_the_default_and_sums_the_day(settings, page):
    with StandIn("good") as api:
        tier = ClaudeReader(
            settings, api_key="dummy", base_url=api.url, tracing=False, timeout_s=2.0
        )
        assert isinstance(tier.ledger, SqliteLedger)
        assert tier.ledger.path.parent == settings.data_dir
        tier.read([page], document_id="a")
        tier.read([page], document_id="b")
    # A fresh object on the same file sees both calls (another worker process would too).
    assert SqliteLedger(tier.ledger.path).spent_today() == pytest.approx(2 * GOOD_COST)
    assert isinstance(tier.ledger, SpendLedger)


# --- Pure parts ----------------------------------------------------------------------------------


def test_price_table():
    assert price_per_mtok("claude-sonnet-4-6") == (3.0, 15.0)
    assert price_per_mtok("claude-sonnet-5-5") == (2.0, 10.0)
    assert price_per_mtok("claude-haiku-4-5-20251001") == (1.0, 5.0)
    assert price_per_mtok("claude-opus-4-6") == (5.0, 25.0)
    assert price_per_mtok("claude-opus-4-1") == (15.0, 75.0)
    assert price_per_mtok("claude-opus-5-5") == (4.0, 20.0)
    # Unknown models are budgeted at the dearest price, never at zero.
    assert price_per_mtok("claude-unknown-9") == (15.0, 75.0)
    assert cost_usd("claude-sonnet-4-6", 1_000_000, 1_000_000) == pytest.approx(18.0)


def test_default_model_is_current_and_not_deprecated():
    from anthropic.resources.messages.messages import DEPRECATED_MODELS

    model = Settings().claude_model
    assert model not in DEPRECATED_MODELS
    assert price_per_mtok(model) == (3.0, 15.0)  # Sonnet class


def test_fit_size_keeps_aspect_and_limits():
    assert fit_size(800, 600) == (800, 600)
    w, h = fit_size(4000, 1000)
    assert w <= 1568 and abs(w / h - 4.0) < 0.01
    w, h = fit_size(2066, 1456)
    assert w * h <= 1_150_000 and max(w, h) <= 1568


def test_encode_page_prefers_png_and_downscales(page):
    encoded = encode_page(page)
    assert encoded.media_type == "image/png"
    assert (encoded.width, encoded.height) == fit_size(3000, 2000)
    assert encoded.estimated_tokens <= 1534


def test_tool_schema_matches_contract_and_validates_good_input():
    jsonschema = pytest.importorskip("jsonschema")
    from serving.claude_standin import BAD_TIMETABLE

    schema = timetable_tool()["input_schema"]
    jsonschema.validate(GOOD_TIMETABLE, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(BAD_TIMETABLE, schema)
    contract = TimetableData.model_json_schema(by_alias=True)
    assert set(schema["properties"]) <= set(contract["properties"])
    block = schema["$defs"][schema["properties"]["timeblocks"]["items"]["$ref"].split("/")[-1]]
    assert set(block["properties"]) <= set(contract["$defs"]["TimeBlock"]["properties"])
    # Claude states every field (null where unknown) and adds none of its own.
    for level in (schema, block):
        assert set(level["required"]) == set(level["properties"])
        assert level["additionalProperties"] is False
    assert block["properties"]["day"]["enum"] == list(DAYS)
    assert block["properties"]["startTime"]["description"].startswith("24-hour HH:MM")
    no_name = GOOD_TIMETABLE | {"timeblocks": [GOOD_TIMETABLE["timeblocks"][0] | {"name": ""}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(no_name, schema)


def test_parse_rejects_end_before_start_and_ignores_foreign_fields():
    block = {
        "day": "Monday",
        "name": "Maths",
        "startTime": "10:00",
        "endTime": "09:00",
        "notes": None,
    }
    with pytest.raises(InvalidAnswer, match="not after"):
        parse_tool_input({"timeblocks": [block]}, MODEL)
    block["endTime"] = "10:30"
    parsed = parse_tool_input({"timeblocks": [block], "tier": "human", "confidence": 1.0}, MODEL)
    assert parsed.tier == "claude" and parsed.confidence == 0.0


# --- Router --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confidence", "action"),
    [
        (1.0, "accept"),
        (0.98, "accept"),  # edge: accept threshold itself accepts
        (0.9799, "claude"),
        (0.80, "claude"),  # edge: review threshold itself goes to Claude
        (0.7999, "review"),
        (0.0, "review"),
        (float("nan"), "review"),
    ],
)
def test_route_default_thresholds(confidence, action):
    decision = route(confidence, Settings(accept_threshold=0.98, review_threshold=0.80))
    assert decision.action == action
    assert decision.reason and decision.detail


def test_route_everything_to_claude_from_environment(monkeypatch):
    monkeypatch.setenv("YOGI_ACCEPT_THRESHOLD", "1.01")
    monkeypatch.setenv("YOGI_REVIEW_THRESHOLD", "0")
    settings = Settings()
    for confidence in (0.0, 0.5, 0.98, 1.0):
        assert route(confidence, settings).action == "claude"


def test_final_status_and_best_answer_so_far():
    settings = Settings(accept_threshold=0.98, review_threshold=0.80)
    tier_answer = TimetableData(tier="document-model", confidence=0.9)
    claude_answer = ClaudeAnswer(
        timetable=parse_tool_input(GOOD_TIMETABLE, MODEL),
        model=MODEL,
        input_tokens=1,
        output_tokens=1,
        cost_usd=0.0,
        attempts=1,
        latency_s=0.1,
    )
    uncertain = route(0.9, settings)

    assert final_status(route(0.99, settings)).status == "accepted"
    low = final_status(route(0.5, settings))
    assert (low.status, low.reason) == ("awaiting_review", "low_confidence")

    result, status = choose_result(uncertain, tier_answer, claude_answer)
    assert (status.status, result.tier) == ("accepted_claude", "claude")

    result, status = choose_result(uncertain, tier_answer, ClaudeFailed("timeout"))
    assert (status.status, status.reason) == ("awaiting_review", "claude_failed:timeout")
    assert result.tier == "document-model"  # the best answer so far is kept
    assert "awaiting review (claude_failed:timeout)" in result.warnings

    empty = claude_answer.model_copy(update={"timetable": TimetableData(tier="claude")})
    assert final_status(uncertain, empty).reason == "claude_empty"
    assert final_status(uncertain, None).reason == "claude_not_called"


# --- Tracing -------------------------------------------------------------------------------------


def test_mlflow_traces_each_call(settings, page, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    previous_uri = mlflow.get_tracking_uri()
    try:
        assert enable_tracing(settings, force=True)
        with StandIn("good") as api:
            answer = reader(api, settings, tracing=True).read([page], document_id="traced")
        mlflow.flush_trace_async_logging()
        experiment = mlflow.MlflowClient(settings.mlflow_tracking_uri).get_experiment_by_name(
            "yogi-claude"
        )
        traces = mlflow.search_traces(locations=[experiment.experiment_id], return_type="list")
    finally:
        disable_tracing()
        mlflow.set_tracking_uri(previous_uri)

    assert len(traces) == 1
    spans = {span.name: span for span in traces[0].data.spans}
    assert set(spans) == {"ClaudeReader.read", "Messages.create"}
    call = spans["Messages.create"]
    assert call.parent_id == spans["ClaudeReader.read"].span_id
    assert call.get_attribute("mlflow.chat.tokenUsage")["input_tokens"] == 2500
    outer = spans["ClaudeReader.read"]
    assert outer.get_attribute("yogi.claude.cost_usd") == pytest.approx(answer.cost_usd)
    assert outer.get_attribute("mlflow.llm.cost")["total_cost"] == pytest.approx(GOOD_COST)
