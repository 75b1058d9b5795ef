"""`yogi pipeline run` on this machine: the deployable state machine, each Task a local process.

The definition is `infra/statemachine/training.asl.json`, the file the SAM template deploys;
its `${…}` substitutions name AWS resources and are filled with local stand-ins. Each Task runs
as the process that would run in AWS:
- `ecs:runTask.sync` / `.waitForTaskToken`: the container override's command (`yogi pipeline
  step …`) with its environment; a `.waitForTaskToken` task's result is the JSON line the
  container would have sent with SendTaskSuccess (its last line on stdout);
- `lambda:invoke`: the pipeline Lambda's handler in its own process (`yogi pipeline invoke`,
  the event on stdin), its answer wrapped as Lambda's response (`{"Payload": …}`).
A step's stderr (its JSON logs) goes to `<pipeline_dir>/logs/<execution>/<state>.log`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inference import asl
from inference.asl import Execution, TaskCall, TaskFailed, run
from inference.run_lock import RUN_LOCK, RunLock
from inference.settings import PROJECT_ROOT, Settings

DEFINITION = PROJECT_ROOT / "infra" / "statemachine" / "training.asl.json"


def load_definition(path: Path = DEFINITION) -> dict:
    """The definition with each `${Name}` DefinitionSubstitution set to `local:Name`."""
    return asl.load_definition(path)


def _yogi() -> str:
    """The `yogi` script of this interpreter's environment (the container's entry point)."""
    beside = Path(sys.executable).parent / "yogi"
    return str(beside) if beside.exists() else (shutil.which("yogi") or "yogi")


class LocalTasks:
    """The task runner `asl.run` calls: one local process per Task attempt."""

    def __init__(self, logs: Path, env: dict[str, str] | None = None) -> None:
        self.logs = logs
        # The steps print their result instead of calling SendTaskSuccess (steps.send_result).
        self.env = {**os.environ, **(env or {}), "YOGI_PIPELINE_LOCAL": "1"}

    def __call__(self, call: TaskCall) -> Any:
        if call.resource.startswith("arn:aws:states:::ecs:runTask"):
            container = call.parameters["Overrides"]["ContainerOverrides"][0]
            env = {e["Name"]: str(e["Value"]) for e in container.get("Environment", [])}
            command = [_yogi() if container["Command"][0] == "yogi" else container["Command"][0],
                       *container["Command"][1:]]
            out = self._process(call, command, env, stdin=None)
            if call.resource.endswith(".waitForTaskToken"):
                return _last_json(out, call.state)
            return {}  # `.sync` hands back the ECS task's description, which no state reads
        if call.resource == "arn:aws:states:::lambda:invoke":
            event = json.dumps(call.parameters["Payload"])
            out = self._process(call, [_yogi(), "pipeline", "invoke"], {}, stdin=event)
            return {"StatusCode": 200, "Payload": _last_json(out, call.state)}
        raise TaskFailed("States.TaskFailed", f"no local runner for {call.resource}")

    def _process(self, call: TaskCall, command: list[str], env: dict[str, str],
                 stdin: str | None) -> str:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{call.state}.{call.attempt}.log"
        with log.open("w") as err:
            try:
                done = subprocess.run(command, input=stdin, stdout=subprocess.PIPE, stderr=err,
                                      text=True, env={**self.env, **env},
                                      timeout=call.timeout_s)
            except subprocess.TimeoutExpired:
                raise TaskFailed("States.Timeout", f"{call.state} ran over "
                                 f"{call.timeout_s} s; log {log}") from None
        if done.returncode != 0:
            tail = log.read_text().strip().splitlines()[-3:]
            raise TaskFailed("States.TaskFailed", f"{call.state} exited {done.returncode}: "
                             f"{' | '.join(tail)} (log {log})")
        return done.stdout


def _last_json(stdout: str, state: str) -> Any:
    lines = [line for line in stdout.strip().splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise TaskFailed("States.TaskFailed", f"{state} printed no JSON result") from None


class PipelineBusy(RuntimeError):
    """Another training run holds this machine's run lock."""


def run_pipeline(settings: Settings, trigger: str = "manual",
                 on_event: Callable[[dict], None] | None = None,
                 env: dict[str, str] | None = None) -> Execution:
    """Execute the training graph here, blocking until it ends; one run at a time."""
    lock = RunLock(settings.pipeline_dir / RUN_LOCK)
    if not lock.acquire():
        raise PipelineBusy(f"a training pipeline run is already running (pid {lock.holder()})")
    try:
        execution = f"local-{uuid.uuid4().hex[:12]}"
        tasks = LocalTasks(settings.pipeline_dir / "logs" / execution, env)
        return run(load_definition(), {"trigger": trigger, "name": execution}, tasks,
                   context={"Execution": {"Id": execution, "Name": execution}},
                   on_event=on_event)
    finally:
        lock.release()
