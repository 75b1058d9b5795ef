"""The service's two calls into the processing state machine, both behind boto3:

- `start_processing`: an upload in S3 starts an execution (the S3 handler in AWS mode, when
  `YOGI_PROCESSING_STATE_MACHINE_ARN` is set). Its name is derived from the S3 event, so S3
  delivering the same event twice starts one execution (StartExecution with a name and input
  it has already seen answers with that execution).
- `resume_review`: a reviewer's correction hands a waiting Review task's token back. Where the
  task waits decides how (`SENDERS`, by the execution id the token was recorded with): an AWS
  execution gets `SendTaskSuccess`; a local run (`serving/processing_local.py`) polls the
  token's row, so closing the row with the output is the delivery.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import structlog

from inference.store.repository import Store
from inference.store.task_tokens import EXPIRED, SENT, TaskToken, TaskTokens

log = structlog.get_logger(__name__)

# Step Functions' answers to SendTaskSuccess for a token it no longer waits on.
GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


def stepfunctions_client() -> Any:
    import boto3

    return boto3.client("stepfunctions")


def execution_name(bucket: str, key: str, sequencer: str | None) -> str:
    """At most 80 characters of [0-9a-f]: the same S3 event always gives the same name."""
    return hashlib.sha256(f"{bucket}\n{key}\n{sequencer or ''}".encode()).hexdigest()[:80]


def start_processing(state_machine_arn: str, bucket: str, key: str, sequencer: str | None,
                     client: Any | None = None) -> dict:
    """Start the processing state machine on one uploaded object; its execution ARN."""
    client = client or stepfunctions_client()
    started = client.start_execution(
        stateMachineArn=state_machine_arn, name=execution_name(bucket, key, sequencer),
        input=json.dumps({"bucket": bucket, "key": key}),
    )
    log.info("processing started", bucket=bucket, key=key, execution=started["executionArn"])
    return {"bucket": bucket, "key": key, "executionArn": started["executionArn"]}


def _send_task_success(token: TaskToken, output: dict) -> bool:
    """True when Step Functions took the token; False when it no longer waits on it."""
    from botocore.exceptions import ClientError

    try:
        stepfunctions_client().send_task_success(taskToken=token.token, output=json.dumps(output))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in GONE:
            return False
        raise
    return True


def _local_run_polls(token: TaskToken, output: dict) -> bool:
    return True  # the local run reads the output from the closed row


SENDERS: dict[str, Callable[[TaskToken, dict], bool]] = {
    "arn": _send_task_success,
    "local": _local_run_polls,
}


def resume_review(store: Store, document_id: str, output: dict) -> str | None:
    """Hand the document's waiting task token back with `output`; the token's new status
    (`sent`, `expired`), or None when no task waits on the document."""
    tokens = TaskTokens(store)
    token = tokens.pending(document_id)
    if token is None:
        return None
    accepted = SENDERS[token.execution.split(":", 1)[0]](token, output)
    status = SENT if accepted else EXPIRED
    tokens.close(token.id, status, output if accepted else None)
    log.info("review task resumed" if accepted else "review task had expired",
             document_id=document_id, execution=token.execution, state=token.state)
    return status
