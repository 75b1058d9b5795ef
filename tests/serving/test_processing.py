"""The document-processing state machine (`infra/statemachine/processing.asl.json`) run end to
end here by the project's ASL executor with the real handlers as its tasks
(`serving/processing_local.py`): the real tier on a drawn timetable, Claude through the
anthropic SDK against the local Messages API stand-in, the store on SQLite and PostgreSQL, and
a reviewer's correction arriving as API Gateway's PUT event at the Lambda API handler, which
hands the waiting Review task its token back. AWS edges (StartExecution, SendTaskSuccess,
S3) go to moto's server through boto3."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serving_support import close_cached, new_bucket, sha256, small_page
from test_lambda import Context, rest_event, s3_event

from inference.asl import Execution, load_definition
from inference.settings import get_settings
from inference.store import status as st
from inference.store.task_tokens import SENT, WAITING, TaskTokens
from serving import lambda_handlers, processing_handlers
from serving.app import ServingApp
from serving.claude_standin import GOOD_TIMETABLE, StandIn
from serving.processing_handlers import handler, review_reason
from serving.processing_local import DEFINITION, outbox_path, process
from serving.step_functions import execution_name, resume_review

TOKEN = "processing-token"
# A task token as Step Functions hands it out: long, opaque, URL-safe base64.
AWS_TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAA" + "x7Yb1kQ9" * 90


def entered(execution: Execution) -> list[str]:
    return [e["state"] for e in execution.history if e["type"] == "StateEntered"]


@pytest.fixture
def start_app(settings_env, tmp_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """A started ServingApp on the given database, with thresholds and Claude set per test."""
    apps: list[ServingApp] = []

    def start(db_url: str | None = None, **env: str) -> ServingApp:
        base = {"YOGI_DATA_DIR": str(tmp_path / "data"), "YOGI_API_TOKEN": TOKEN,
                "YOGI_CLAUDE_TRACING": "false",
                "YOGI_DATABASE_URL": db_url or f"sqlite:///{tmp_path / 'yogi.db'}"}
        for key, value in {**base, **env}.items():
            settings_env.setenv(key, value)
        get_settings.cache_clear()
        app = ServingApp.from_settings(get_settings())
        app.start(warm=False)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.close()
    close_cached(lambda_handlers.core)
    close_cached(processing_handlers._app)


@pytest.fixture
def claude_api(settings_env) -> Iterator:  # type: ignore[no-untyped-def]
    started: list[StandIn] = []

    def start(mode: str) -> StandIn:
        api = StandIn(mode).start()
        settings_env.setenv("ANTHROPIC_API_KEY", "sk-ant-test-dummy")
        settings_env.setenv("ANTHROPIC_BASE_URL", api.url)
        started.append(api)
        return api

    yield start
    for api in started:
        api.stop()


def notifications(app: ServingApp) -> list[dict]:
    lines = outbox_path(app).read_text().splitlines()
    return [json.loads(json.loads(line)["Message"]) for line in lines]


def test_the_definition_is_the_deployed_file_and_names_its_resources_only_by_placeholder():
    text = DEFINITION.read_text()
    assert "arn:aws:lambda" not in text and "arn:aws:sns" not in text
    definition = load_definition(DEFINITION)
    assert definition["States"]["Review"]["Resource"].endswith(".waitForTaskToken")
    payload = definition["States"]["Review"]["Parameters"]["Payload"]
    assert payload["taskToken.$"] == "$$.Task.Token"


def test_accept_path_a_confident_page_is_validated_saved_and_announced(start_app) -> None:  # type: ignore[no-untyped-def]
    app = start_app(YOGI_ACCEPT_THRESHOLD="0.0")
    data = small_page("accept")
    execution = process(app, data, "page.png")
    assert execution.status == "SUCCEEDED", execution.cause
    assert entered(execution) == ["Extract", "CheckConfidence", "Validate", "Save", "Notify"]
    view = app.store.get_document(sha256(data))
    assert view.document.status == st.DONE
    assert view.latest_extraction.route_reason == "high_confidence"
    assert view.latest_extraction.result["tier"] != "claude"
    assert view.labels == []
    [message] = notifications(app)
    assert message["documentId"] == sha256(data) and message["source"] == "tier"
    assert message["blocks"] == len(view.latest_extraction.result["timeblocks"]) > 0


def test_the_same_bytes_again_end_at_already_processed(start_app) -> None:  # type: ignore[no-untyped-def]
    app = start_app(YOGI_ACCEPT_THRESHOLD="0.0")
    data = small_page("twice")
    assert process(app, data).status == "SUCCEEDED"
    again = process(app, data)
    assert entered(again) == ["Extract", "CheckConfidence", "AlreadyProcessed"]
    assert len(app.store.get_document(sha256(data)).extractions) == 1


def test_claude_path_throttling_is_retried_by_the_state_machine(start_app, claude_api) -> None:  # type: ignore[no-untyped-def]
    api = claude_api("throttle")  # 429, then a good answer
    app = start_app(YOGI_ACCEPT_THRESHOLD="1.01", YOGI_REVIEW_THRESHOLD="0.0")
    data = small_page("claude")
    waits: list[float] = []
    execution = process(app, data, sleep=waits.append)
    assert execution.status == "SUCCEEDED", execution.cause
    assert entered(execution) == ["Extract", "CheckConfidence", "Claude", "Validate", "Save",
                                  "Notify"]
    [retry] = [e for e in execution.history if e["type"] == "TaskRetry"]
    assert (retry["state"], retry["error"]) == ("Claude", "ClaudeThrottled")
    assert waits == [5] and api.count == 2  # the SDK itself did not retry: max_retries=0
    view = app.store.get_document(sha256(data))
    assert view.document.status == st.DONE
    assert view.latest_extraction.route_reason == "claude_answer"
    assert view.latest_extraction.result["teacher"] == GOOD_TIMETABLE["teacher"]
    [label] = view.labels
    assert label.source == st.SILVER and label.cost_usd > 0
    assert notifications(app)[-1]["source"] == "claude"


def _run_in_background(app: ServingApp, data: bytes) -> tuple[threading.Thread, list]:
    done: list[Execution] = []
    thread = threading.Thread(target=lambda: done.append(process(app, data, poll_s=0.05)),
                              daemon=True)
    thread.start()
    return thread, done


def _waiting_token(app: ServingApp, document_id: str, timeout_s: float = 120.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (token := TaskTokens(app.store).pending(document_id)) is not None:
            return token
        time.sleep(0.1)
    raise AssertionError("the Review task never recorded its token")


def _put_correction(document_id: str, timetable: dict) -> tuple[int, dict]:
    """PUT /documents/{id}/timetable as API Gateway hands it to the API function."""
    event = rest_event("PUT", f"/documents/{document_id}/timetable",
                       "/documents/{id}/timetable", body=json.dumps(timetable),
                       headers={"Authorization": f"Bearer {TOKEN}",
                                "Content-Type": "application/json",
                                "X-Reviewer": "ann@school.example"},
                       path_parameters={"id": document_id})
    response = lambda_handlers.api_handler(event, Context())
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("way", ["low_confidence", "claude_failed"])
def test_review_path_waits_for_the_reviewers_put_which_returns_the_token(
    way: str, start_app, claude_api, db_url: str  # type: ignore[no-untyped-def]
) -> None:
    if way == "claude_failed":
        claude_api("fail")  # 500 on every call: Claude's Catch sends the page to a person
        app = start_app(db_url, YOGI_ACCEPT_THRESHOLD="1.01", YOGI_REVIEW_THRESHOLD="0.0")
    else:
        app = start_app(db_url, YOGI_ACCEPT_THRESHOLD="1.01", YOGI_REVIEW_THRESHOLD="1.01")
    close_cached(lambda_handlers.core)  # the API function: another app on the same database
    data = small_page(way)
    document_id = sha256(data)
    thread, done = _run_in_background(app, data)

    token = _waiting_token(app, document_id)
    assert token.execution.startswith("local:") and token.state == "Review"
    view = app.store.get_document(document_id)
    assert view.document.status == st.AWAITING_REVIEW  # the best answer so far is shown
    expected = "claude_failed:server_error" if way == "claude_failed" else "low_confidence"
    assert view.latest_extraction.route_reason == expected
    time.sleep(0.3)
    assert thread.is_alive() and not done  # waiting, not finished

    corrected = {**GOOD_TIMETABLE, "teacher": "Mr Reviewed"}
    status, body = _put_correction(document_id, corrected)
    assert status == 200, body
    thread.join(timeout=120)
    [execution] = done
    assert execution.status == "SUCCEEDED", execution.cause
    path = ["Extract", "CheckConfidence", *(["Claude"] if way == "claude_failed" else []),
            "Review", "Validate", "Save", "Notify"]
    assert entered(execution) == path
    assert execution.output["answer"]["source"] == "review"
    assert execution.output["answer"]["result"]["teacher"] == "Mr Reviewed"
    assert TaskTokens(app.store).find(token.token).status == SENT
    view = app.store.get_document(document_id)
    assert view.document.status == st.DONE
    assert view.latest_gold.timetable["teacher"] == "Mr Reviewed"
    assert notifications(app)[-1] == {"documentId": document_id, "status": "done",
                                      "source": "review", "blocks": 3,
                                      "path": f"/documents/{document_id}"}


def test_a_correction_of_a_document_no_task_waits_on_sends_nothing(start_app) -> None:  # type: ignore[no-untyped-def]
    app = start_app()
    assert resume_review(app.store, "0" * 64, {"result": {}}) is None


def test_review_reason_reads_lambdas_error_output() -> None:
    cause = json.dumps({"errorMessage": "budget_exhausted", "errorType": "ClaudeUnavailable"})
    state = {"confidence": 0.9, "claudeError": {"Error": "ClaudeUnavailable", "Cause": cause}}
    assert review_reason(state) == "claude_failed:budget_exhausted"
    assert review_reason({"confidence": None}) == "no_confidence"
    assert review_reason({"confidence": 0.3}) == "low_confidence"


# --- AWS: the Lambda entry points on the events they get, boto3 against moto -------------------


@pytest.fixture
def state_machine(moto_endpoint: str) -> str:
    import boto3

    client = boto3.client("stepfunctions", endpoint_url=moto_endpoint)
    role = "arn:aws:iam::123456789012:role/yogi-processing"
    created = client.create_state_machine(
        name=f"yogi-processing-{time.monotonic_ns()}", roleArn=role,
        definition=DEFINITION.read_text())
    return created["stateMachineArn"]


def test_an_s3_upload_starts_the_state_machine_in_aws_mode(
    start_app, moto_endpoint: str, state_machine: str  # type: ignore[no-untyped-def]
) -> None:
    import boto3

    start_app(YOGI_PROCESSING_STATE_MACHINE_ARN=state_machine)
    close_cached(lambda_handlers.core)
    key = "uploads/teacher-42/abc/original.png"
    result = lambda_handlers.s3_handler(s3_event("yogi-dev-uploads", key, 1234), Context())
    [started] = result["results"]
    client = boto3.client("stepfunctions", endpoint_url=moto_endpoint)
    execution = client.describe_execution(executionArn=started["executionArn"])
    assert json.loads(execution["input"]) == {"bucket": "yogi-dev-uploads", "key": key}
    assert execution["name"] == execution_name("yogi-dev-uploads", key, "0055AED6DCD90281E5")


def test_the_step_function_handlers_take_step_functions_payloads(
    start_app, moto_endpoint: str  # type: ignore[no-untyped-def]
) -> None:
    """Extract from an S3 upload (the execution input the S3 handler gives), then Review with
    an AWS task token and execution ARN, each as the `lambda:invoke` Payload the definition
    renders; a correction then calls SendTaskSuccess (moto) and closes the token."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    uploads, originals = new_bucket(s3, "uploads"), new_bucket(s3, "originals")
    app = start_app(YOGI_S3_BUCKET=originals, YOGI_REVIEW_THRESHOLD="1.01")
    data = small_page("aws")
    key = "uploads/teacher-7/d1/original.png"
    s3.put_object(Bucket=uploads, Key=key, Body=data)

    state = handler({"step": "extract", "input": {"bucket": uploads, "key": key}}, Context())
    assert state["documentId"] == sha256(data) and state["cached"] is False
    assert state["thresholds"] == {"accept": 0.98, "review": 1.01}
    assert app.store.get_document_row(sha256(data)).uploader == "teacher-7"

    execution_arn = "arn:aws:states:us-east-1:123456789012:execution:yogi-dev-processing:e1"
    answer = handler({"step": "review", "documentId": state["documentId"],
                      "taskToken": AWS_TOKEN, "executionId": execution_arn,
                      "document": state}, Context())
    assert answer == {"documentId": sha256(data), "status": st.AWAITING_REVIEW,
                      "reason": "low_confidence"}
    token = TaskTokens(app.store).pending(sha256(data))
    assert (token.token, token.execution, token.status) == (AWS_TOKEN, execution_arn, WAITING)
    assert resume_review(app.store, sha256(data), {"result": GOOD_TIMETABLE}) == SENT
    assert TaskTokens(app.store).pending(sha256(data)) is None


def test_an_upload_that_is_no_document_is_refused_by_name(start_app, moto_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    import boto3

    from serving.processing_handlers import DocumentRefused

    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    uploads = new_bucket(s3, "uploads")
    start_app()
    s3.put_object(Bucket=uploads, Key="uploads/u/x/original.png", Body=b"not an image")
    with pytest.raises(DocumentRefused):
        handler({"step": "extract", "input": {"bucket": uploads,
                                              "key": "uploads/u/x/original.png"}}, Context())
