"""A small local executor for Amazon States Language (JSONPath) state machines, so that the very
definitions that deploy to Step Functions run here with every Task handed to a callback of ours:
`infra/statemachine/training.asl.json` (`yogi pipeline run`, each Task a local process) and
`infra/statemachine/processing.asl.json` (`serving/processing_local.py`, each Task one of the
project's handlers). It sits in `inference/` because both adapters use it and it imports nothing
of the project. We dispatch ourselves because no existing engine fits: moto's
`moto.stepfunctions.parser` (LocalStack's interpreter) sends each Task through per-service
classes (`state_task_service_for` → `StateTaskServiceEcs`, `StateTaskServiceLambda`, ...) that
call boto3 clients against moto's mocked services, which neither run a container nor a local
function, and offers no hook short of patching those private classes; `aws-stepfunctions-toolkit`
needs Python 3.13 and AWS's TestState API (credentials, network) for everything but the steps it
mocks. The subset implemented is the one the definitions use, following
https://states-language.net/spec.html: Task, Parallel, Choice, Pass, Succeed and Fail states;
InputPath → Parameters → ResultSelector → ResultPath → OutputPath with reference paths only;
Choice comparisons against a literal or, with the `…Path` form, another path; Retry and Catch.
`validate` rejects everything else, so nothing in a definition is silently ignored.
"""

from __future__ import annotations

import copy
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class InvalidDefinition(ValueError):
    """The definition is malformed or uses something this executor does not implement."""


class TaskFailed(Exception):
    """Raised by a task runner: `error` is the ASL error name (matched by Retry/Catch
    ErrorEquals), `cause` a message."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


@dataclass(frozen=True)
class TaskCall:
    state: str  # the Task state's name
    resource: str  # its Resource ARN, e.g. "arn:aws:states:::ecs:runTask.sync"
    parameters: Any  # its Parameters with ".$" keys resolved, or its effective input
    timeout_s: float | None  # TimeoutSeconds; the runner enforces it (TaskFailed("States.Timeout"))
    attempt: int  # 1 for the first try, 2 for the first retry ...


@dataclass
class Execution:
    status: str  # "SUCCEEDED" | "FAILED"
    output: Any  # the final output when SUCCEEDED, else None
    error: str | None
    cause: str | None
    history: list[dict]  # the events, in order, as also given to `on_event`


class _Failure(Exception):
    """A state failed with an ASL error; Retry and Catch see it, else it ends the execution."""

    def __init__(self, error: str | None, cause: str | None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


# ---------------------------------------------------------------------------------------------
# Paths and payload templates

# A reference path: `$` (the data) or `$$` (the context object), then `.name` and `[index]` steps.
_PATH = re.compile(r"(\$\$?)((?:\.[^.\[\]]+|\[\d+\])*)")
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _parse(path: Any, where: str = "path") -> tuple[str, list[str | int]]:
    match = _PATH.fullmatch(path) if isinstance(path, str) else None
    if match is None:
        raise InvalidDefinition(
            f"{where}: {path!r} is not a supported path (only $, $.a.b, $.a[0] and the same "
            "under $$; no filters, wildcards or intrinsic functions)"
        )
    steps = [name if name else int(index) for name, index in _STEP.findall(match[2])]
    return match[1], steps


def _fits(node: Any, step: str | int) -> bool:
    if isinstance(step, str):
        return isinstance(node, dict)
    return isinstance(node, list) and step < len(node)


def _get(path: str, data: Any, context: dict) -> Any:
    root, steps = _parse(path)
    value = context if root == "$$" else data
    for step in steps:
        if not (_fits(value, step) and (isinstance(step, int) or step in value)):
            # AWS fails the execution with States.Runtime here, which no Retry or Catch sees.
            where = "the context object" if root == "$$" else "the input"
            raise _Failure("States.Runtime", f"The path {path!r} was not found in {where}")
        value = value[step]
    return value


def _select(path: str | None, data: Any, context: dict) -> Any:
    """InputPath and OutputPath: null stands for an empty object."""
    return {} if path is None else _get(path, data, context)


def _template(template: Any, data: Any, context: dict) -> Any:
    """Parameters and ResultSelector: keys ending in ".$" take the value at their path."""
    if isinstance(template, list):
        return [_template(item, data, context) for item in template]
    if not isinstance(template, dict):
        return template
    out = {}
    for key, value in template.items():
        if key.endswith(".$"):
            out[key[:-2]] = _get(value, data, context)
        else:
            out[key] = _template(value, data, context)
    return out


def _place(data: Any, path: str | None, value: Any) -> Any:
    """ResultPath: null keeps the input, "$" replaces it, "$.a.b" sets a field, making objects."""
    if path is None:
        return data
    _, steps = _parse(path)
    if not steps:
        return value
    out = copy.deepcopy(data)  # the raw input may still be referenced elsewhere (e.g. history)
    node = out
    for i, step in enumerate(steps):
        if not _fits(node, step):
            cause = f"ResultPath {path!r} cannot be applied to the input"
            raise _Failure("States.ResultPathMatchFailure", cause)
        if i == len(steps) - 1:
            node[step] = value
        else:
            if isinstance(node, dict):
                node.setdefault(step, {})
            node = node[step]
    return out


# ---------------------------------------------------------------------------------------------
# Choice rules


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# A comparison is false, not an error, when the variable has the wrong type (as on AWS).
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "StringEquals": lambda v, x: isinstance(v, str) and v == x,
    "NumericEquals": lambda v, x: _is_number(v) and v == x,
    "NumericGreaterThan": lambda v, x: _is_number(v) and v > x,
    "NumericGreaterThanEquals": lambda v, x: _is_number(v) and v >= x,
    "NumericLessThan": lambda v, x: _is_number(v) and v < x,
    "NumericLessThanEquals": lambda v, x: _is_number(v) and v <= x,
    "BooleanEquals": lambda v, x: isinstance(v, bool) and v == x,
    "IsNull": lambda v, x: (v is None) == x,
}
# Every comparison but IsNull has a `…Path` twin whose operand is a path into the same input
# (e.g. "NumericGreaterThanEqualsPath": "$.thresholds.accept").
_PATH_COMPARISONS = {f"{op}Path": op for op in _COMPARE if op != "IsNull"}
_COMPARISONS = {*_COMPARE, *_PATH_COMPARISONS, "IsPresent"}


def _holds(rule: dict, data: Any, context: dict) -> bool:
    if "And" in rule:
        return all(_holds(sub, data, context) for sub in rule["And"])
    if "Or" in rule:
        return any(_holds(sub, data, context) for sub in rule["Or"])
    if "Not" in rule:
        return not _holds(rule["Not"], data, context)
    (op,) = set(rule) & _COMPARISONS
    if op == "IsPresent":
        try:
            _get(rule["Variable"], data, context)
        except _Failure:
            return not rule[op]
        return rule[op]
    variable = _get(rule["Variable"], data, context)  # missing → States.Runtime, as on AWS
    if op in _PATH_COMPARISONS:
        # On AWS an operand of the wrong type makes the rule false, as for a literal.
        operand = _get(rule[op], data, context)
        if not _operand_ok(_PATH_COMPARISONS[op], operand):
            return False
        return _COMPARE[_PATH_COMPARISONS[op]](variable, operand)
    return _COMPARE[op](variable, rule[op])


# ---------------------------------------------------------------------------------------------
# Validation

_COMMON = {"Type", "Comment"}
_IO = {"InputPath", "OutputPath"}
_TASK_LIKE = {"Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "Next", "End"}
_FIELDS = {
    "Task": _COMMON | _IO | _TASK_LIKE | {"Resource", "TimeoutSeconds"},
    "Parallel": _COMMON | _IO | _TASK_LIKE | {"Branches"},
    "Pass": _COMMON | _IO | {"Parameters", "Result", "ResultPath", "Next", "End"},
    "Choice": _COMMON | _IO | {"Choices", "Default"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "Cause"},
}
_RETRIER_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "Comment",
}
_CATCHER_FIELDS = {"ErrorEquals", "ResultPath", "Next", "Comment"}


def _is_int(value: Any, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _only(obj: Any, allowed: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise InvalidDefinition(f"{where}: must be an object")
    if extra := sorted(set(obj) - allowed):
        raise InvalidDefinition(f"{where}: unsupported field(s) {', '.join(extra)}")


def _check_template(template: Any, where: str) -> None:
    if isinstance(template, list):
        for item in template:
            _check_template(item, where)
    elif isinstance(template, dict):
        for key, value in template.items():
            if key.endswith(".$"):
                _parse(value, f"{where} {key}")
            else:
                _check_template(value, where)


def _check_result_path(path: Any, where: str) -> None:
    if path is not None and _parse(path, where)[0] == "$$":
        raise InvalidDefinition(f"{where}: ResultPath cannot point into the context object")


def _check_errors(handlers: Any, where: str, kind: str, allowed: set[str]) -> None:
    if not isinstance(handlers, list):
        raise InvalidDefinition(f"{where}: {kind} must be a list")
    for i, handler in enumerate(handlers):
        _only(handler, allowed, f"{where} {kind}[{i}]")
        errors = handler.get("ErrorEquals")
        if not (isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors)):
            raise InvalidDefinition(f"{where} {kind}[{i}]: ErrorEquals must be a non-empty list")
        if "States.ALL" in errors and (len(errors) > 1 or i < len(handlers) - 1):
            raise InvalidDefinition(
                f"{where} {kind}[{i}]: States.ALL must be alone, in the last {kind} entry"
            )


def _check_retrier(retrier: dict, where: str) -> None:
    checks = {
        "IntervalSeconds": _is_int(retrier.get("IntervalSeconds", 1), 1),
        "MaxAttempts": _is_int(retrier.get("MaxAttempts", 3), 0),
        "BackoffRate": _is_number(retrier.get("BackoffRate", 2.0))
        and retrier.get("BackoffRate", 2.0) >= 1,
        "MaxDelaySeconds": _is_int(retrier.get("MaxDelaySeconds", 1), 1),
    }
    if bad := [name for name, ok in checks.items() if not ok]:
        raise InvalidDefinition(f"{where}: invalid {', '.join(bad)}")


def _operand_ok(op: str, operand: Any) -> bool:
    if op == "StringEquals":
        return isinstance(operand, str)
    if op.startswith("Numeric"):
        return _is_number(operand)
    return isinstance(operand, bool)  # BooleanEquals, IsPresent, IsNull


def _check_rule(rule: Any, where: str, scope: dict | None) -> None:
    """A Choice rule; `scope` is given for top-level rules, which need a Next in it."""
    if not isinstance(rule, dict):
        raise InvalidDefinition(f"{where}: a Choice rule must be an object")
    if scope is not None and rule.get("Next") not in scope:
        raise InvalidDefinition(f"{where}: Choice rule Next {rule.get('Next')!r} is not a state")
    if scope is None and "Next" in rule:
        raise InvalidDefinition(f"{where}: a rule nested in And/Or/Not takes no Next")
    body = set(rule) - {"Next", "Comment"}
    if body in ({"And"}, {"Or"}):
        (op,) = body
        if not (isinstance(rule[op], list) and rule[op]):
            raise InvalidDefinition(f"{where}: {op} must be a non-empty list of rules")
        for sub in rule[op]:
            _check_rule(sub, where, None)
        return
    if body == {"Not"}:
        _check_rule(rule["Not"], where, None)
        return
    ops = body - {"Variable"}
    if "Variable" not in body or len(ops) != 1 or not ops <= _COMPARISONS:
        raise InvalidDefinition(
            f"{where}: a Choice rule needs And, Or, Not, or Variable with exactly one of "
            f"{', '.join(sorted(_COMPARISONS))}"
        )
    _parse(rule["Variable"], f"{where} Variable")
    (op,) = ops
    if op in _PATH_COMPARISONS:
        _parse(rule[op], f"{where} {op}")
    elif not _operand_ok(op, rule[op]):
        raise InvalidDefinition(f"{where}: {op} has an operand of the wrong type: {rule[op]!r}")


def _check_state(name: str, state: Any, scope: dict, names: set[str]) -> None:
    where = f"state {name!r}"
    kind = state.get("Type") if isinstance(state, dict) else None
    if kind in ("Map", "Wait"):
        raise InvalidDefinition(f"{where}: {kind} states are not supported by the local executor")
    if kind not in _FIELDS:
        raise InvalidDefinition(f"{where}: unknown state type {kind!r}")
    _only(state, _FIELDS[kind], where)

    def target(next_: Any, what: str) -> None:
        if next_ not in scope:
            raise InvalidDefinition(f"{where}: {what} {next_!r} is not a state in its scope")

    if "Next" in _FIELDS[kind]:
        if ("Next" in state) == (state.get("End") is True):
            raise InvalidDefinition(f'{where}: needs exactly one of Next and "End": true')
        if "Next" in state:
            target(state["Next"], "Next")
    for key in ("InputPath", "OutputPath"):
        if state.get(key) is not None:
            _parse(state[key], f"{where} {key}")
    _check_result_path(state.get("ResultPath"), f"{where} ResultPath")
    for key in ("Parameters", "ResultSelector"):
        _check_template(state.get(key), f"{where} {key}")
    if "TimeoutSeconds" in state and not _is_int(state["TimeoutSeconds"], 1):
        raise InvalidDefinition(f"{where}: TimeoutSeconds must be a positive integer")
    if "Retry" in state:
        _check_errors(state["Retry"], where, "Retry", _RETRIER_FIELDS)
        for i, retrier in enumerate(state["Retry"]):
            _check_retrier(retrier, f"{where} Retry[{i}]")
    if "Catch" in state:
        _check_errors(state["Catch"], where, "Catch", _CATCHER_FIELDS)
        for i, catcher in enumerate(state["Catch"]):
            target(catcher.get("Next"), f"Catch[{i}] Next")
            _check_result_path(catcher.get("ResultPath"), f"{where} Catch[{i}] ResultPath")

    if kind == "Task" and not isinstance(state.get("Resource"), str):
        raise InvalidDefinition(f"{where}: a Task needs a Resource string")
    if kind == "Parallel":
        branches = state.get("Branches")
        if not (isinstance(branches, list) and branches):
            raise InvalidDefinition(f"{where}: Branches must be a non-empty list")
        for i, branch in enumerate(branches):
            _check_graph(branch, f"{where} Branches[{i}]", names)
    if kind == "Choice":
        choices = state.get("Choices")
        if not (isinstance(choices, list) and choices):
            raise InvalidDefinition(f"{where}: Choices must be a non-empty list")
        for i, rule in enumerate(choices):
            _check_rule(rule, f"{where} Choices[{i}]", scope)
        if "Default" in state:
            target(state["Default"], "Default")


def _check_graph(graph: Any, where: str, names: set[str]) -> None:
    _only(graph, {"StartAt", "States", "Comment"}, where)
    states = graph.get("States")
    if not (isinstance(states, dict) and states):
        raise InvalidDefinition(f"{where}: States must be a non-empty object")
    if "StartAt" not in graph:
        raise InvalidDefinition(f"{where}: missing StartAt")
    if graph["StartAt"] not in states:
        raise InvalidDefinition(f"{where}: StartAt {graph['StartAt']!r} is not one of its States")
    for name, state in states.items():
        # The spec wants state names unique across the whole machine, branches included.
        if name in names:
            raise InvalidDefinition(f"state {name!r}: the name is used twice")
        names.add(name)
        _check_state(name, state, states, names)


def validate(definition: dict) -> None:
    """Raise InvalidDefinition (one line) unless `run` can execute `definition` as the spec says."""
    _check_graph(definition, "definition", set())


# A `${Name}` DefinitionSubstitution of the SAM template (always inside a JSON string there).
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def load_definition(path: Path) -> dict:
    """A deployable definition file with each `${Name}` substitution set to `local:Name` (the
    resource a local task runner stands in for), validated."""
    text = _PLACEHOLDER.sub(lambda m: f"local:{m.group(1)}", path.read_text())
    definition = json.loads(text)
    validate(definition)
    return definition


# ---------------------------------------------------------------------------------------------
# Execution


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _matches(error_equals: list[str], error: str | None) -> bool:
    # The spec makes States.Runtime fatal: neither Retry nor Catch, not even States.ALL, sees it.
    if error == "States.Runtime":
        return False
    return "States.ALL" in error_equals or error in error_equals


def _first(handlers: list[dict], error: str | None) -> int | None:
    """The index of the first Retry or Catch entry whose ErrorEquals names `error`."""
    return next((i for i, h in enumerate(handlers) if _matches(h["ErrorEquals"], error)), None)


def _delay(retrier: dict, retries: int) -> float:
    """Seconds before the retry that follows `retries` earlier ones by this retrier."""
    delay = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** retries
    return min(delay, retrier.get("MaxDelaySeconds", delay))


def _effective_input(state: dict, raw: Any, context: dict) -> Any:
    value = _select(state.get("InputPath", "$"), raw, context)
    return _template(state["Parameters"], value, context) if "Parameters" in state else value


def _finish(state: dict, raw: Any, result: Any, context: dict) -> Any:
    if "ResultSelector" in state:
        result = _template(state["ResultSelector"], result, context)
    combined = _place(raw, state.get("ResultPath", "$"), result)
    return _select(state.get("OutputPath", "$"), combined, context)


@dataclass
class _Interpreter:
    run_task: Callable[[TaskCall], Any]
    sleep: Callable[[float], None]
    context: dict  # the context object without its per-state parts (State, Task)
    on_event: Callable[[dict], None] | None
    history: list[dict] = field(default_factory=list)

    def emit(self, type_: str, state: str, **detail: Any) -> None:
        event = {"type": type_, "state": state, **detail}
        self.history.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def run_graph(self, graph: dict, value: Any) -> Any:
        name: str | None = graph["StartAt"]
        while name is not None:
            value, name = self.run_state(name, graph["States"][name], value)
        return value

    def run_state(self, name: str, state: dict, raw: Any) -> tuple[Any, str | None]:
        """One state: its output and the next state's name (None when this one ends its graph)."""
        self.emit("StateEntered", name, input=raw)
        entered = {"Name": name, "EnteredTime": _now(), "RetryCount": 0}
        try:
            output, next_ = self._dispatch(name, state, raw, entered)
        except _Failure as failure:
            self.emit("StateFailed", name, error=failure.error, cause=failure.cause)
            raise
        self.emit("StateExited", name, output=output)
        return output, next_

    def _dispatch(self, name: str, state: dict, raw: Any, entered: dict) -> tuple[Any, str | None]:
        kind = state["Type"]
        context = {**self.context, "State": dict(entered)}
        if kind == "Fail":
            raise _Failure(state.get("Error"), state.get("Cause"))
        if kind == "Succeed":
            value = _select(state.get("InputPath", "$"), raw, context)
            return _select(state.get("OutputPath", "$"), value, context), None
        if kind == "Choice":
            value = _select(state.get("InputPath", "$"), raw, context)
            rule = next((r for r in state["Choices"] if _holds(r, value, context)), None)
            next_ = rule["Next"] if rule is not None else state.get("Default")
            if next_ is None:
                raise _Failure("States.NoChoiceMatched", f"No Choices rule of {name!r} matched")
            return _select(state.get("OutputPath", "$"), value, context), next_
        if kind == "Pass":
            value = _effective_input(state, raw, context)
            result = state.get("Result", value)
            return _finish(state, raw, result, context), state.get("Next")
        attempt = self._task if kind == "Task" else self._parallel
        return self._retry_catch(name, state, raw, entered, attempt)

    def _retry_catch(
        self,
        name: str,
        state: dict,
        raw: Any,
        entered: dict,
        attempt: Callable[[str, dict, Any, dict], Any],
    ) -> tuple[Any, str | None]:
        retriers = state.get("Retry", [])
        retries_used = [0] * len(retriers)  # each retrier counts its own attempts
        while True:
            context = {**self.context, "State": dict(entered)}
            try:
                return attempt(name, state, raw, context), state.get("Next")
            except _Failure as e:
                failure = e
            # Only the first retrier naming the error applies; once it is spent, Catch decides.
            i = _first(retriers, failure.error)
            if i is None or retries_used[i] >= retriers[i].get("MaxAttempts", 3):
                break
            delay = _delay(retriers[i], retries_used[i])
            retries_used[i] += 1
            entered["RetryCount"] += 1
            attempt_no = entered["RetryCount"] + 1
            self.emit("TaskRetry", name, error=failure.error, delay=delay, attempt=attempt_no)
            self.sleep(delay)
        c = _first(state.get("Catch", []), failure.error)
        if c is None:
            raise failure
        catcher = state["Catch"][c]
        self.emit(
            "CaughtError", name, error=failure.error, cause=failure.cause, next=catcher["Next"]
        )
        # The error output goes onto the state's raw input; OutputPath does not apply.
        error_output = {"Error": failure.error, "Cause": failure.cause}
        return _place(raw, catcher.get("ResultPath", "$"), error_output), catcher["Next"]

    def _task(self, name: str, state: dict, raw: Any, context: dict) -> Any:
        # A fresh token per attempt, for `.waitForTaskToken` resources that hand it to the worker.
        context["Task"] = {"Token": str(uuid.uuid4())}
        parameters = _effective_input(state, raw, context)
        call = TaskCall(
            state=name,
            resource=state["Resource"],
            parameters=copy.deepcopy(parameters),  # the runner may mutate what it is given
            timeout_s=state.get("TimeoutSeconds"),
            attempt=context["State"]["RetryCount"] + 1,
        )
        try:
            result = self.run_task(call)
        except Exception as e:
            if isinstance(e, TaskFailed):
                error, cause = e.error, e.cause
            else:
                error, cause = "States.TaskFailed", f"{type(e).__name__}: {e}"
            self.emit("TaskFailed", name, error=error, cause=cause, attempt=call.attempt)
            raise _Failure(error, cause) from e
        return _finish(state, raw, result, context)

    def _parallel(self, name: str, state: dict, raw: Any, context: dict) -> Any:
        value = _effective_input(state, raw, context)
        # Branches run one after another, never at once: here each is a training job, and this
        # 2-core machine must never run two of them together. The result is the same list, in
        # branch order, that AWS returns; the first failing branch fails the whole state.
        outputs = [self.run_graph(branch, copy.deepcopy(value)) for branch in state["Branches"]]
        return _finish(state, raw, outputs, context)


def run(
    definition: dict,
    input: Any,
    run_task: Callable[[TaskCall], Any],
    *,
    context: dict | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_event: Callable[[dict], None] | None = None,
) -> Execution:
    """Execute `definition` on `input`, each Task by `run_task`; `context` is merged into the
    context object (`$$`) one level deep, e.g. {"Execution": {"Id": ...}}."""
    validate(definition)
    name = str(uuid.uuid4())
    base: dict = {
        "Execution": {"Id": f"local:{name}", "Name": name, "Input": input, "StartTime": _now()}
    }
    for key, value in (context or {}).items():
        both_objects = isinstance(value, dict) and isinstance(base.get(key), dict)
        base[key] = {**base[key], **value} if both_objects else value
    interpreter = _Interpreter(run_task, sleep, base, on_event)
    try:
        output = interpreter.run_graph(definition, input)
    except _Failure as failure:
        return Execution("FAILED", None, failure.error, failure.cause, interpreter.history)
    return Execution("SUCCEEDED", output, None, None, interpreter.history)
