"""The local Step Functions executor (`inference/asl.py`), one piece of the Amazon States
Language at a time, then the real training definition with a fake task runner."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inference.asl import (
    InvalidDefinition,
    TaskCall,
    TaskFailed,
    run,
    validate,
)

DEFINITION = Path(__file__).parents[2] / "infra" / "statemachine" / "training.asl.json"
LAMBDA = "arn:aws:states:::lambda:invoke"
ECS_SYNC = "arn:aws:states:::ecs:runTask.sync"
ECS_TOKEN = "arn:aws:states:::ecs:runTask.waitForTaskToken"


class Runner:
    """A fake task runner: answers each Task state from `answers` (a value, or a function of the
    call) and records every call it gets."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.calls: list[TaskCall] = []

    def __call__(self, call: TaskCall) -> Any:
        self.calls.append(call)
        answer = self.answers.get(call.state, {})
        return answer(call) if callable(answer) else answer


def outcomes(*script: Any) -> Callable[[TaskCall], Any]:
    """One outcome per attempt: an exception is raised, anything else returned."""

    def answer(call: TaskCall) -> Any:
        outcome = script[call.attempt - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return answer


def task(**fields: Any) -> dict:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


def machine(**states: dict) -> dict:
    return {"StartAt": next(iter(states)), "States": states}


def visited(execution) -> list[str]:
    return [e["state"] for e in execution.history if e["type"] == "StateEntered"]


# --- paths and templating --------------------------------------------------------------------


def test_parameters_resolve_paths_against_the_effective_input_and_the_context_object():
    runner = Runner()
    definition = machine(
        Work=task(
            InputPath="$.job",
            Parameters={
                "FunctionName": "${PipelineStepFunctionArn}",  # substitution: passed through
                "name.$": "$.name",
                "first.$": "$.items[0]",
                "nested": {"all.$": "$", "list": [{"n.$": "$.name"}, 7]},
                "token.$": "$$.Task.Token",
                "state.$": "$$.State.Name",
                "execution.$": "$$.Execution.Id",
            },
            TimeoutSeconds=60,
        )
    )
    job = {"name": "ocr", "items": ["a", "b"]}

    execution = run(definition, {"job": job}, runner, context={"Execution": {"Id": "exec-1"}})

    assert execution.status == "SUCCEEDED"
    (call,) = runner.calls
    token = call.parameters.pop("token")
    assert uuid.UUID(token)
    assert call.parameters == {
        "FunctionName": "${PipelineStepFunctionArn}",
        "name": "ocr",
        "first": "a",
        "nested": {"all": job, "list": [{"n": "ocr"}, 7]},
        "state": "Work",
        "execution": "exec-1",
    }
    assert (call.state, call.resource, call.timeout_s, call.attempt) == ("Work", LAMBDA, 60, 1)


def test_without_parameters_the_runner_gets_the_effective_input():
    runner = Runner()
    run(machine(Work=task(InputPath="$.job")), {"job": {"x": 1}, "other": 2}, runner)
    assert runner.calls[0].parameters == {"x": 1}


def test_result_selector_then_result_path_sets_a_nested_field_on_the_raw_input():
    runner = Runner(Start={"Payload": {"run_id": "r1", "noise": 1}, "StatusCode": 200})
    definition = machine(
        Start=task(
            InputPath="$.settings",
            ResultSelector={"run_id.$": "$.Payload.run_id", "source": "lambda"},
            ResultPath="$.run.info",
        )
    )
    given = {"settings": {"lr": 0.1}}

    execution = run(definition, given, runner)

    assert execution.output == {
        "settings": {"lr": 0.1},
        "run": {"info": {"run_id": "r1", "source": "lambda"}},
    }
    assert given == {"settings": {"lr": 0.1}}  # the input is not changed in place


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"result": 1}),  # ResultPath "$" by default: the result replaces the input
        ({"ResultPath": None}, {"keep": True}),  # null: the result is discarded
        ({"ResultPath": "$.out"}, {"keep": True, "out": {"result": 1}}),
        ({"ResultPath": "$.out", "OutputPath": "$.out.result"}, 1),
        ({"OutputPath": None}, {}),
    ],
)
def test_result_path_and_output_path(fields, expected):
    execution = run(machine(Work=task(**fields)), {"keep": True}, Runner(Work={"result": 1}))
    assert execution.output == expected


def test_a_missing_path_fails_the_execution_with_states_runtime_which_catch_does_not_see():
    runner = Runner()
    catch_all = [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]
    definition = machine(
        Work={
            "Type": "Task",
            "Resource": LAMBDA,
            "Parameters": {"x.$": "$.nope"},
            "Catch": catch_all,
            "Next": "Done",
        },
        Recover={"Type": "Pass", "End": True},
        Done={"Type": "Succeed"},
    )

    execution = run(definition, {"other": 1}, runner)

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "$.nope" in execution.cause
    assert runner.calls == []


def test_a_result_path_through_a_non_object_is_a_result_path_match_failure():
    execution = run(machine(Work=task(ResultPath="$.a.b")), {"a": 5}, Runner())
    assert execution.error == "States.ResultPathMatchFailure"


def test_pass_places_its_result_or_its_parameters():
    definition = machine(
        Fixed={"Type": "Pass", "Result": {"lr": 0.1}, "ResultPath": "$.config", "Next": "Shape"},
        Shape={
            "Type": "Pass",
            "Parameters": {"rate.$": "$.config.lr", "id.$": "$.id"},
            "End": True,
        },
    )
    assert run(definition, {"id": 7}, Runner()).output == {"rate": 0.1, "id": 7}


# --- Retry and Catch --------------------------------------------------------------------------


def test_retry_backs_off_from_interval_seconds_by_backoff_rate_with_a_fresh_token_each_time():
    sleeps: list[float] = []
    runner = Runner(Work=outcomes(TaskFailed("Flaky"), TaskFailed("Flaky"), {"ok": True}))
    retry = [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "MaxAttempts": 2, "BackoffRate": 2}]
    definition = machine(Work=task(Parameters={"token.$": "$$.Task.Token"}, Retry=retry))

    execution = run(definition, {}, runner, sleep=sleeps.append)

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"ok": True}
    assert sleeps == [2, 4]
    assert [c.attempt for c in runner.calls] == [1, 2, 3]
    assert len({c.parameters["token"] for c in runner.calls}) == 3
    assert [e["attempt"] for e in execution.history if e["type"] == "TaskRetry"] == [2, 3]


def test_max_delay_seconds_caps_the_backoff_and_exhausted_retries_fail_the_state():
    sleeps: list[float] = []
    runner = Runner(Work=outcomes(*[TaskFailed("Flaky", "try again")] * 4))
    retry = [
        {
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": 3,
            "BackoffRate": 3,
            "MaxDelaySeconds": 5,
        }
    ]

    execution = run(machine(Work=task(Retry=retry)), {}, runner, sleep=sleeps.append)

    assert sleeps == [3, 5, 5]  # MaxAttempts defaults to 3
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Flaky", "try again")


def test_each_retrier_counts_its_own_attempts_and_only_the_first_match_applies():
    # The spec's example: errors A, B, C, B; the fourth matches the first retrier, which is spent,
    # so the later States.ALL retrier is not consulted and Catch takes over.
    sleeps: list[float] = []
    runner = Runner(X=outcomes(*(TaskFailed(e) for e in "ABCB")))
    retry = [
        {"ErrorEquals": ["A", "B"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2},
        {"ErrorEquals": ["C"], "IntervalSeconds": 5},
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 100},
    ]
    catch = [{"ErrorEquals": ["B"], "Next": "Z"}]
    definition = machine(
        X={"Type": "Task", "Resource": LAMBDA, "Retry": retry, "Catch": catch, "Next": "Y"},
        Y={"Type": "Succeed"},
        Z={"Type": "Succeed"},
    )

    execution = run(definition, {}, runner, sleep=sleeps.append)

    assert sleeps == [1, 2, 5]
    assert visited(execution) == ["X", "Z"]


def test_max_attempts_zero_and_unlisted_errors_are_not_retried():
    for retry in ([{"ErrorEquals": ["Boom"], "MaxAttempts": 0}], [{"ErrorEquals": ["Other"]}]):
        runner = Runner(Work=outcomes(TaskFailed("Boom")))
        execution = run(machine(Work=task(Retry=retry)), {}, runner, sleep=pytest.fail)
        assert (execution.error, len(runner.calls)) == ("Boom", 1)


def test_retries_exhausted_then_catch_puts_the_error_on_the_raw_input_at_its_result_path():
    sleeps: list[float] = []
    runner = Runner(Work=outcomes(*[RuntimeError("disk full")] * 3))
    definition = machine(
        Work={
            "Type": "Task",
            "Resource": ECS_SYNC,
            "InputPath": "$.job",
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
            "Catch": [
                {"ErrorEquals": ["Other"], "Next": "Wrong"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"},
            ],
            "Next": "Wrong",
        },
        Wrong={"Type": "Fail", "Error": "Wrong"},
        Recover={"Type": "Pass", "End": True},
    )

    execution = run(definition, {"job": {"x": 1}}, runner, sleep=sleeps.append)

    assert sleeps == [1, 2]  # IntervalSeconds 1 and BackoffRate 2.0 by default
    assert visited(execution) == ["Work", "Recover"]
    assert execution.output == {
        "job": {"x": 1},
        "error": {"Error": "States.TaskFailed", "Cause": "RuntimeError: disk full"},
    }
    types = [e["type"] for e in execution.history]
    assert types.count("TaskFailed") == 3 and types.count("TaskRetry") == 2
    assert "CaughtError" in types


# --- Choice -----------------------------------------------------------------------------------


def choose(rule: dict, given: Any) -> str:
    """Which way a Choice with this single rule (→ Yes, else Default → No) goes."""
    definition = machine(
        Pick={"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
        Yes={"Type": "Succeed"},
        No={"Type": "Succeed"},
    )
    execution = run(definition, given, Runner())
    assert execution.status == "SUCCEEDED", execution.error
    return visited(execution)[-1]


@pytest.mark.parametrize(
    ("rule", "given", "way"),
    [
        ({"Variable": "$.tier", "StringEquals": "ocr"}, {"tier": "ocr"}, "Yes"),
        ({"Variable": "$.tier", "StringEquals": "ocr"}, {"tier": "doc"}, "No"),
        ({"Variable": "$.n", "StringEquals": "1"}, {"n": 1}, "No"),  # wrong type: false
        ({"Variable": "$.a", "StringEqualsPath": "$.b"}, {"a": "x", "b": "x"}, "Yes"),
        ({"Variable": "$.a", "StringEqualsPath": "$.b"}, {"a": "x", "b": "y"}, "No"),
        # The processing machine's quality gates: thresholds read from the input.
        ({"Variable": "$.c", "NumericGreaterThanEqualsPath": "$.t.accept"},
         {"c": 0.98, "t": {"accept": 0.98}}, "Yes"),
        ({"Variable": "$.c", "NumericGreaterThanEqualsPath": "$.t.accept"},
         {"c": 0.979, "t": {"accept": 0.98}}, "No"),
        ({"Variable": "$.c", "NumericLessThanPath": "$.t"}, {"c": 0.5, "t": 0.8}, "Yes"),
        ({"Variable": "$.c", "NumericGreaterThanEqualsPath": "$.t"}, {"c": None, "t": 0.8}, "No"),
        ({"Variable": "$.c", "NumericGreaterThanEqualsPath": "$.t"}, {"c": 0.9, "t": "0.8"}, "No"),
        ({"Variable": "$.ok", "BooleanEqualsPath": "$.want"}, {"ok": True, "want": True}, "Yes"),
        ({"Variable": "$.n", "NumericEquals": 2}, {"n": 2.0}, "Yes"),
        ({"Variable": "$.n", "NumericEquals": 2}, {"n": "2"}, "No"),
        ({"Variable": "$.n", "NumericGreaterThan": 2}, {"n": 2}, "No"),
        ({"Variable": "$.n", "NumericGreaterThan": 2}, {"n": 3}, "Yes"),
        ({"Variable": "$.n", "NumericGreaterThanEquals": 2}, {"n": 2}, "Yes"),
        ({"Variable": "$.n", "NumericLessThan": 2}, {"n": 2}, "No"),
        ({"Variable": "$.n", "NumericLessThan": 2}, {"n": 1.5}, "Yes"),
        ({"Variable": "$.n", "NumericLessThanEquals": 2}, {"n": 2}, "Yes"),
        ({"Variable": "$.ok", "BooleanEquals": True}, {"ok": True}, "Yes"),
        ({"Variable": "$.ok", "BooleanEquals": True}, {"ok": 1}, "No"),
        ({"Variable": "$.gate", "IsPresent": True}, {"gate": None}, "Yes"),
        ({"Variable": "$.gate", "IsPresent": True}, {}, "No"),
        ({"Variable": "$.gate", "IsPresent": False}, {}, "Yes"),
        ({"Variable": "$.gate", "IsNull": True}, {"gate": None}, "Yes"),
        ({"Variable": "$.gate", "IsNull": True}, {"gate": 0}, "No"),
        (
            {
                "And": [
                    {"Variable": "$.n", "NumericGreaterThan": 0},
                    {"Not": {"Variable": "$.tier", "StringEquals": "ocr"}},
                ]
            },
            {"n": 1, "tier": "doc"},
            "Yes",
        ),
        (
            {
                "And": [
                    {"Variable": "$.n", "NumericGreaterThan": 0},
                    {"Not": {"Variable": "$.tier", "StringEquals": "ocr"}},
                ]
            },
            {"n": 1, "tier": "ocr"},
            "No",
        ),
        (
            {
                "Or": [
                    {"Variable": "$.n", "NumericEquals": 0},
                    {"Variable": "$.tiers[1]", "StringEquals": "ocr"},
                ]
            },
            {"n": 5, "tiers": ["doc", "ocr"]},
            "Yes",
        ),
    ],
)
def test_choice_rules(rule, given, way):
    assert choose(rule, given) == way


def test_choice_applies_input_path_and_output_path_and_falls_back_to_default():
    definition = machine(
        Pick={
            "Type": "Choice",
            "InputPath": "$.gate",
            "OutputPath": "$.reason",
            "Choices": [{"Variable": "$.promote", "BooleanEquals": True, "Next": "Promote"}],
            "Default": "Keep",
        },
        Promote={"Type": "Succeed"},
        Keep={"Type": "Succeed"},
    )
    execution = run(definition, {"gate": {"promote": False, "reason": "worse"}}, Runner())
    assert visited(execution) == ["Pick", "Keep"]
    assert execution.output == "worse"


def test_no_matching_choice_without_default_fails_with_no_choice_matched():
    rules = [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]
    definition = machine(Pick={"Type": "Choice", "Choices": rules}, One={"Type": "Succeed"})
    assert run(definition, {"n": 2}, Runner()).error == "States.NoChoiceMatched"


def test_a_choice_on_a_missing_variable_is_a_runtime_error():
    rules = [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]
    definition = machine(
        Pick={"Type": "Choice", "Choices": rules, "Default": "One"}, One={"Type": "Succeed"}
    )
    assert run(definition, {}, Runner()).error == "States.Runtime"


# --- Parallel, Fail ---------------------------------------------------------------------------


def branch(name: str, **fields: Any) -> dict:
    return {"StartAt": name, "States": {name: task(**fields)}}


def test_parallel_runs_branches_in_order_on_the_effective_input_and_lists_their_outputs():
    runner = Runner(A=lambda c: {"a": c.parameters["n"]}, B=lambda c: {"b": c.parameters["n"] + 1})
    definition = machine(
        Both={
            "Type": "Parallel",
            "Parameters": {"n.$": "$.n"},
            "Branches": [branch("A"), branch("B")],
            "ResultPath": "$.results",
            "End": True,
        }
    )

    execution = run(definition, {"n": 1}, runner)

    assert [c.state for c in runner.calls] == ["A", "B"]
    assert execution.output == {"n": 1, "results": [{"a": 1}, {"b": 2}]}
    assert visited(execution) == ["Both", "A", "B"]


def test_a_failing_branch_fails_the_parallel_and_its_catch_takes_over():
    runner = Runner(B=outcomes(TaskFailed("TrainFailed", "loss is NaN")))
    definition = machine(
        Both={
            "Type": "Parallel",
            "Branches": [branch("A"), branch("B"), branch("C")],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            "Next": "Done",
        },
        Done={"Type": "Succeed"},
        Failed={"Type": "Pass", "End": True},
    )

    execution = run(definition, {"run": 1}, runner)

    assert [c.state for c in runner.calls] == ["A", "B"]  # C never starts
    assert visited(execution) == ["Both", "A", "B", "Failed"]
    assert execution.output == {"run": 1, "error": {"Error": "TrainFailed", "Cause": "loss is NaN"}}


def test_fail_state_fails_the_execution_with_its_error_and_cause():
    definition = machine(Stop={"Type": "Fail", "Error": "Nope", "Cause": "because"})
    execution = run(definition, {}, Runner())
    assert (execution.status, execution.output) == ("FAILED", None)
    assert (execution.error, execution.cause) == ("Nope", "because")


def test_events_go_to_on_event_as_they_happen_and_into_the_history():
    seen: list[dict] = []
    execution = run(machine(Work=task()), {"x": 1}, Runner(Work=2), on_event=seen.append)
    assert seen == execution.history
    assert [(e["type"], e["state"]) for e in seen] == [
        ("StateEntered", "Work"),
        ("StateExited", "Work"),
    ]
    assert (seen[0]["input"], seen[1]["output"]) == ({"x": 1}, 2)


# --- validate ---------------------------------------------------------------------------------


def with_state(**fields: Any) -> dict:
    return machine(S={"Type": "Pass", "End": True, **fields})


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"States": {"S": {"Type": "Succeed"}}}, "missing StartAt"),
        ({"StartAt": "T", "States": {"S": {"Type": "Succeed"}}}, "StartAt 'T'"),
        (machine(S={"Type": "Pass", "Next": "Nowhere"}), "Next 'Nowhere'"),
        (machine(S={"Type": "Pass"}), "exactly one of Next"),
        (machine(S={"Type": "Pass", "Next": "S", "End": True}), "exactly one of Next"),
        (machine(S={"Type": "Map", "End": True}), "Map states are not supported"),
        (machine(S={"Type": "Wait", "Seconds": 1, "End": True}), "Wait states are not supported"),
        (machine(S={"Type": "Sleep", "End": True}), "unknown state type 'Sleep'"),
        (machine(S=task(HeartbeatSeconds=60)), "unsupported field(s) HeartbeatSeconds"),
        (machine(S=task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "FULL"}])), "Jitter"),
        (machine(S=task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}])), "BackoffRate"),
        (
            machine(S=task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])),
            "States.ALL must be alone, in the last Retry entry",
        ),
        (
            machine(S=task(Retry=[{"ErrorEquals": ["X", "States.ALL"]}])),
            "States.ALL must be alone",
        ),
        (
            machine(S=task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Gone"}])),
            "Catch[0] Next 'Gone'",
        ),
        (
            machine(S={"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True}]}),
            "Choice rule Next None",
        ),
        (
            machine(
                S={
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "S"}],
                    "Default": "Gone",
                }
            ),
            "Default 'Gone'",
        ),
        (
            machine(
                S={
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.a", "StringMatches": "*", "Next": "S"}],
                }
            ),
            "a Choice rule needs",
        ),
        (
            machine(
                S={
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "S"}],
                }
            ),
            "wrong type",
        ),
        (with_state(Parameters={"x.$": "States.Format('{}', $.a)"}), "not a supported path"),
        (with_state(InputPath="$.items[*]"), "not a supported path"),
        (with_state(ResultPath="$$.Task"), "cannot point into the context object"),
        (
            machine(
                P={
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "P"}}}],
                    "End": True,
                }
            ),
            "Next 'P' is not a state in its scope",
        ),
        (
            machine(
                P={
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}],
                    "End": True,
                }
            ),
            "used twice",
        ),
    ],
)
def test_validate_rejects(definition, message):
    with pytest.raises(InvalidDefinition) as raised:
        validate(definition)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_run_validates_first():
    with pytest.raises(InvalidDefinition):
        run(machine(S={"Type": "Map", "End": True}), {}, Runner())


# --- the training definition ------------------------------------------------------------------


TASK_STATES = (
    "StartRun", "PrepareData", "TrainDocument", "TrainOCR", "Evaluate", "Promote",
    "KeepChallenger", "RecordFailure",
)  # fmt: skip


def training_runner(*, promote: bool = True, **answers: Any) -> Runner:
    """Lambda steps answer like Lambda (the function's return under "Payload"), ECS .sync steps
    with nothing useful, and the token-gated Evaluate with the gate's decision."""

    def pipeline_function(call: TaskCall) -> dict:
        step = call.parameters["Payload"]["step"]
        payload = {
            "start": {"run_id": "run-1"},
            "promote": {"promoted": True, "reason": "better", "versions": {"yogi-ocr": "3"}},
            "keep-challenger": {
                "promoted": False,
                "reason": "worse",
                "versions": {"yogi-ocr": "3"},
            },
            "record-failure": {},
        }[step]
        return {"StatusCode": 200, "Payload": payload}

    def answer(call: TaskCall) -> Any:
        if call.state in answers:
            return answers[call.state](call)
        if call.resource == LAMBDA:
            return pipeline_function(call)
        if call.resource == ECS_TOKEN:
            return {"promote": promote, "reason": "better" if promote else "worse", "cer": 0.1}
        assert call.resource == ECS_SYNC
        return {}

    return Runner(**dict.fromkeys(TASK_STATES, answer))


def environment(call: TaskCall) -> dict:
    (container,) = call.parameters["Overrides"]["ContainerOverrides"]
    return {e["Name"]: e["Value"] for e in container["Environment"]}


def test_training_definition_promotes_when_the_gate_says_so():
    definition = json.loads(DEFINITION.read_text())
    validate(definition)
    runner = training_runner(promote=True)

    execution = run(definition, {"trigger": "manual"}, runner, sleep=pytest.fail)

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert visited(execution) == [
        "StartRun", "PrepareData", "Train", "TrainDocument", "TrainOCR", "Evaluate",
        "CheckMetrics", "Promote", "Done",
    ]  # fmt: skip
    assert execution.output == {
        "promoted": True,
        "reason": "better",
        "versions": {"yogi-ocr": "3"},
    }
    calls = {c.state: c for c in runner.calls}
    assert calls["StartRun"].parameters["Payload"] == {
        "step": "start",
        "input": {"trigger": "manual"},
    }
    assert calls["PrepareData"].parameters["Cluster"] == "${ClusterArn}"
    assert environment(calls["TrainOCR"]) == {"YOGI_PIPELINE_RUN": "run-1"}
    assert calls["TrainOCR"].timeout_s == 7200
    assert uuid.UUID(environment(calls["Evaluate"])["YOGI_TASK_TOKEN"])
    assert calls["Promote"].parameters["Payload"]["gate"] == {
        "promote": True,
        "reason": "better",
        "cer": 0.1,
    }


def test_training_definition_keeps_the_challenger_when_the_gate_says_no():
    execution = run(json.loads(DEFINITION.read_text()), {}, training_runner(promote=False))
    assert visited(execution)[-3:] == ["CheckMetrics", "KeepChallenger", "Done"]
    assert execution.output["promoted"] is False
    assert execution.output["reason"] == "worse"


def test_training_definition_records_a_failed_training_branch_and_fails():
    sleeps: list[float] = []
    runner = training_runner(TrainOCR=outcomes(*[TaskFailed("States.Timeout", "2 h")] * 3))

    execution = run(json.loads(DEFINITION.read_text()), {}, runner, sleep=sleeps.append)

    assert visited(execution) == [
        "StartRun", "PrepareData", "Train", "TrainDocument", "TrainOCR", "TrainOCRFailed",
        "RecordFailure", "PipelineFailed",
    ]  # fmt: skip
    assert sleeps == [30, 60]  # TrainOCR's retrier for States.Timeout
    assert (execution.status, execution.error) == ("FAILED", "PipelineFailed")
    record = next(c for c in runner.calls if c.state == "RecordFailure")
    assert record.parameters["Payload"]["run_id"] == "run-1"
    assert record.parameters["Payload"]["error"]["Error"] == "TrainOCRFailed"
