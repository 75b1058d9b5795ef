"""The processing state machine on this machine: `infra/statemachine/processing.asl.json`, the
file the SAM template deploys, executed by `inference/asl.py` with the project's handlers as
its tasks, in this process:

- `lambda:invoke`: the step of `serving/processing_handlers.py` the payload names, its answer
  wrapped as Lambda's response (`{"Payload": …}`), an exception reported the way Lambda
  reports it (error = its class name, cause = `{"errorMessage", "errorType"}` as JSON);
- `lambda:invoke.waitForTaskToken`: the same, then a wait for the token to come back: the
  reviewer's correction closes the token's row (`serving/step_functions.py`), whichever
  process served it, and the row's output is the task's result;
- `sns:publish`: the message appended to a local topic, a JSON-lines file.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from inference.asl import Execution, TaskCall, TaskFailed, load_definition, run
from inference.settings import PROJECT_ROOT
from inference.store.intake import keep_original
from inference.store.task_tokens import EXPIRED, WAITING, TaskTokens
from serving.app import ServingApp
from serving.processing_handlers import run_step

log = structlog.get_logger(__name__)

DEFINITION = PROJECT_ROOT / "infra" / "statemachine" / "processing.asl.json"
LAMBDA = "arn:aws:states:::lambda:invoke"
LAMBDA_WAIT = "arn:aws:states:::lambda:invoke.waitForTaskToken"
SNS_PUBLISH = "arn:aws:states:::sns:publish"
MAX_POLL_S = 2.0


def outbox_path(app: ServingApp) -> Path:
    """The local stand-in of the document-events topic."""
    return app.settings.data_dir / "processing" / "notifications.jsonl"


class LocalTasks:
    """The task runner `asl.run` calls."""

    def __init__(self, app: ServingApp, poll_s: float = 0.2) -> None:
        self.app = app
        self.poll_s = poll_s
        self.runners: dict[str, Callable[[TaskCall], Any]] = {
            LAMBDA: self.invoke, LAMBDA_WAIT: self.invoke_and_wait, SNS_PUBLISH: self.publish,
        }

    def __call__(self, call: TaskCall) -> Any:
        if call.resource not in self.runners:
            raise TaskFailed("States.TaskFailed", f"no local runner for {call.resource}")
        return self.runners[call.resource](call)

    def invoke(self, call: TaskCall) -> dict:
        try:
            payload = run_step(call.parameters["Payload"], self.app)
        except Exception as error:  # noqa: BLE001 - reported as Lambda reports it
            cause = {"errorMessage": str(error), "errorType": type(error).__name__}
            raise TaskFailed(type(error).__name__, json.dumps(cause)) from error
        return {"StatusCode": 200, "Payload": payload}

    def invoke_and_wait(self, call: TaskCall) -> Any:
        self.invoke(call)  # the step records the token; its own answer is not the result
        token = call.parameters["Payload"]["taskToken"]
        tokens = TaskTokens(self.app.store)
        deadline = time.monotonic() + (call.timeout_s or float("inf"))
        delay = self.poll_s
        while (row := tokens.find(token)) is not None and row.status == WAITING:
            if time.monotonic() >= deadline:
                raise TaskFailed("States.Timeout", f"{call.state}: no answer in "
                                 f"{call.timeout_s} s")
            time.sleep(delay)
            delay = min(delay * 1.5, MAX_POLL_S)
        if row is None or row.status == EXPIRED:
            raise TaskFailed("States.TaskFailed", f"{call.state}: the task token was lost")
        return row.output

    def publish(self, call: TaskCall) -> dict:
        message_id = str(uuid.uuid4())
        path = outbox_path(self.app)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as out:
            out.write(json.dumps({"MessageId": message_id, **call.parameters}) + "\n")
        return {"MessageId": message_id}


def process(app: ServingApp, data: bytes, filename: str | None = None,
            uploader: str | None = None, on_event: Callable[[dict], None] | None = None,
            poll_s: float = 0.2, sleep: Callable[[float], None] = time.sleep) -> Execution:
    """Keep the document and run the processing state machine on it, here, until it ends (a
    document sent to review waits for the reviewer's PUT /documents/{id}/timetable)."""
    from inference.loading import sniff_format

    document_id, _ = keep_original(app.store, app.objects, data, filename, sniff_format(data),
                                   uploader)
    name = f"local-{uuid.uuid4().hex[:12]}"
    execution = run(load_definition(DEFINITION), {"documentId": document_id},
                    LocalTasks(app, poll_s),
                    context={"Execution": {"Id": f"local:{name}", "Name": name}},
                    sleep=sleep, on_event=on_event)
    log.info("processing ended", document_id=document_id, status=execution.status,
             error=execution.error)
    return execution
