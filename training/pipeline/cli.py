"""`yogi pipeline …` and `yogi dataset build`: the learning loop from the command line.

`pipeline run` executes the training graph here (local.py) and prints one JSON line last:
`{"promoted": …, "reason": …, "versions": {…}}`; it exits 0 whatever the gate decided and 1
when a step failed. `pipeline step NAME` is what a training container runs, `pipeline invoke`
what the pipeline Lambda runs (the event on stdin); both print the step's JSON result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

pipeline_app = typer.Typer(help="The training pipeline (Step Functions graph, run locally).",
                           no_args_is_help=True)
dataset_app = typer.Typer(help="The learning loop's datasets.", no_args_is_help=True)
console = Console(stderr=True)  # stdout carries only the JSON result


@pipeline_app.command("run")
def run_command(
    trigger: Annotated[str, typer.Option(help="why it runs (manual, gold-labels, schedule)")
                       ] = "manual",
) -> None:
    """Run the whole training graph here and wait for it (see infra/statemachine/)."""
    from inference.console import refuse
    from inference.settings import Settings
    from training.pipeline.local import PipelineBusy, run_pipeline

    def show(event: dict) -> None:
        if event["type"] in ("StateEntered", "TaskFailed", "TaskRetry", "CaughtError"):
            extra = event.get("error") or ""
            console.print(f"[bold]{event['type']}[/] {event['state']} {extra}".rstrip())

    try:
        with console.status("training pipeline running"):
            execution = run_pipeline(Settings(), trigger=trigger, on_event=show)
    except PipelineBusy as error:
        raise refuse(str(error)) from None
    if execution.status != "SUCCEEDED":
        # The execution's own error names only the graph's Fail state; the step that failed
        # and why are in the first task failure.
        first = next((e for e in execution.history if e["type"] == "TaskFailed"), {})
        why = f"{first.get('state', execution.error)}: {first.get('cause', execution.cause)}"
        print(json.dumps({"promoted": False, "reason": f"failed: {why}", "versions": {}}))
        raise typer.Exit(code=1)
    print(json.dumps(execution.output))


@pipeline_app.command("step")
def step_command(
    name: Annotated[str, typer.Argument(help="prepare | train-document | train-ocr | evaluate")],
) -> None:
    """One step, as the training container runs it (run id in YOGI_PIPELINE_RUN)."""
    from inference.console import refuse
    from inference.logs import configure
    from inference.settings import Settings
    from training.pipeline.steps import STEPS, send_result

    configure("INFO")
    if name not in STEPS:
        raise refuse(f"unknown step {name!r} (choose {', '.join(STEPS)})")
    result = STEPS[name]({}, Settings())
    send_result(result)
    print(json.dumps(result))


@pipeline_app.command("invoke")
def invoke_command() -> None:
    """The pipeline Lambda's handler on the event read from stdin (local stand-in)."""
    from inference.logs import configure
    from training.pipeline.lambda_handler import handler

    configure("INFO")
    print(json.dumps(handler(json.loads(sys.stdin.read()), None)))


@dataset_app.command("build")
def build_command(
    out: Annotated[Path, typer.Option("--out", help="the dataset folder to write")],
) -> None:
    """Export the store's labels (gold + silver), add the dev pages for the gate and a
    synthetic replay, split them leakage-free, read every page once, version the result."""
    from inference.settings import Settings
    from inference.store.objects import object_store_from_settings
    from inference.store.repository import Store
    from training.pipeline.dataset import build_dataset

    settings = Settings()
    with console.status("building the dataset") as status:
        manifest = build_dataset(Store.from_settings(settings),
                                 object_store_from_settings(settings), settings, out,
                                 progress=lambda what: status.update(what))
    print(json.dumps({"version": manifest.version, "counts": manifest.counts(),
                      "excluded": manifest.excluded}))
