"""The service's extraction is the cascade: `run_extraction` for real (the tier replaced by a
fixed answer, Claude by the local Messages API stand-in), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from serving_support import sha256, unique_sample

from inference import cascade
from inference.schema import TimeBlock, TimetableData
from inference.store import status as st
from serving.app import ServingApp
from serving.claude_standin import USAGE, StandIn

CALL_COST = (USAGE["input_tokens"] * 3.0 + USAGE["output_tokens"] * 15.0) / 1_000_000


@pytest.fixture
def uncertain_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    """A classical answer of raw confidence 0.9: Claude's band at the default thresholds."""

    def extract_pages(pages, ocr=None, **options):  # type: ignore[no-untyped-def]
        result = TimetableData(confidence=0.9, timeblocks=[
            TimeBlock(day="Monday", name="Maths", start_time="09:30", end_time="10:00")])
        return result, [SimpleNamespace(lines=[])]

    monkeypatch.setattr(cascade, "extract_pages", extract_pages)


@pytest.fixture
def app_with_claude(settings_env, tmp_path: Path, db_url: str, uncertain_tier):  # type: ignore[no-untyped-def]
    def start(mode: str) -> tuple[ServingApp, StandIn]:
        api = StandIn(mode).start()
        for key, value in {
            "YOGI_DATA_DIR": str(tmp_path), "YOGI_DATABASE_URL": db_url,
            "YOGI_CALIBRATION_DIR": str(tmp_path / "no-calibrators"),
            "YOGI_CLAUDE_TRACING": "false",
        }.items():
            settings_env.setenv(key, value)
        settings_env.setenv("ANTHROPIC_API_KEY", "sk-ant-test-dummy")
        settings_env.setenv("ANTHROPIC_BASE_URL", api.url)
        app = ServingApp.from_settings()
        app.start(warm=False)
        started.append((app, api))
        return app, api

    started: list[tuple[ServingApp, StandIn]] = []
    yield start
    for app, api in started:
        api.stop()
        app.close()


def test_an_accepted_claude_answer_is_done_and_kept_as_silver(app_with_claude) -> None:  # type: ignore[no-untyped-def]
    app, _ = app_with_claude("good")
    data = unique_sample("claude-good")
    status, body = app.extract(data, "t.png")
    assert status == 200 and body["status"] == st.DONE
    assert body["result"]["tier"] == "claude"
    view = app.store.get_document(sha256(data))
    [label] = view.labels
    assert (label.source, label.cost_usd) == (st.SILVER, pytest.approx(CALL_COST))
    assert view.latest_extraction.route_reason == "claude_answer"
    assert app.store.spent_today() == pytest.approx(CALL_COST)  # the store is the ledger


def test_a_claude_failure_goes_to_the_review_queue_with_the_tier_answer(app_with_claude) -> None:  # type: ignore[no-untyped-def]
    app, _ = app_with_claude("fail")
    data = unique_sample("claude-fail")
    status, body = app.extract(data, "t.png")
    assert status == 200 and body["status"] == st.AWAITING_REVIEW
    assert body["result"]["tier"] == "classical"
    view = app.store.get_document(sha256(data))
    assert view.labels == []
    assert view.latest_extraction.route_reason == "claude_failed:server_error"
