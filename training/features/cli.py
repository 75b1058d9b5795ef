"""`yogi features …` (apply, env, show, rebuild, calibrate) and `yogi bench features`, mounted
into `yogi` by training/commands.py. Thin: options → this package → JSON on stdout and files.
Feast is imported only when a command runs."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

console = Console()
err_console = Console(stderr=True)
features_app = typer.Typer(help="The feature store (Feast, feature_repo/).",
                           no_args_is_help=True)


def _client():  # noqa: ANN202 - FeatureClient, imported late
    from inference.console import refuse
    from inference.features.client import FeatureClient
    from inference.settings import Settings

    try:
        return FeatureClient(Settings())
    except ValueError as error:  # a bad YOGI_REDIS_URL or yaml
        raise refuse(str(error)) from None


def _store():  # noqa: ANN202 - Store, imported late
    from inference.settings import Settings
    from inference.store.repository import Store

    store = Store.from_settings(Settings())
    store.migrate()
    return store


@features_app.command("apply")
def apply_command() -> None:
    """`feast apply` for this deployment's settings (YOGI_DATA_DIR, YOGI_REDIS_URL,
    YOGI_FEAST_CONFIG): the registry, the online store's tables, the offline logs."""
    client = _client()
    names = client.apply()
    console.print_json(data={"online": client.online_kind, "applied": names})


@features_app.command("env")
def env_command() -> None:
    """The exports the `feast` CLI needs for this deployment's yaml, e.g.
    `eval "$(yogi features env)" && feast -c feature_repo -f "$YOGI_FEAST_YAML" registry-dump`."""
    from inference.features.config import config_file, feast_variables
    from inference.settings import Settings

    settings = Settings()
    variables = {**feast_variables(settings), "YOGI_FEAST_YAML": str(config_file(settings))}
    for name, value in variables.items():
        typer.echo(f"export {name}={shlex.quote(value)}")


@features_app.command("show")
def show_command(document_id: Annotated[str, typer.Argument(help="sha256 of the document")]
                 ) -> None:
    """One document's features from upload to get_online_features, as JSON."""
    from inference.console import refuse
    from training.features.show import show

    report = show(_client(), _store(), document_id.strip().lower())
    if report is None:
        raise refuse(f"no document {document_id} in the store")
    console.print_json(data=report, default=str)


@features_app.command("rebuild")
def rebuild_command() -> None:
    """Uploader histories from the store (offline log and online) and the document readings
    materialised from the offline log into the online store."""
    from training.features.rebuild import rebuild

    with Progress(console=err_console, transient=True) as progress:
        counts = rebuild(_client(), _store(), progress)
    console.print_json(data=counts)


@features_app.command("calibrate")
def calibrate_command(
    data: Annotated[list[str], typer.Option(
        "--data", help="a labelled set as DIR or DIR=UPLOADER (default uploader: the folder's "
        "name); repeat for more")],
    out: Annotated[Path, typer.Option(help="the fitted calibrator")] = Path(
        "models/calibration/document-features.json"),
    report_out: Annotated[Path, typer.Option("--report", help="the held-out figures")] = Path(
        "bench/features-calibration.json"),
) -> None:
    """Fit the feature calibrator on half of each uploader's pages and measure it against the
    isotonic calibrator (raw confidence alone) on the other half."""
    import tempfile

    from inference.console import refuse
    from inference.features.client import FeatureClient
    from inference.settings import Settings
    from training.features.examples import read_examples
    from training.features.fit import fit_and_measure
    from training.features.replay import replay

    sets = [(Path(d.split("=", 1)[0]), d.split("=", 1)[1] if "=" in d else Path(d).name)
            for d in data]
    for folder, _ in sets:
        if not (folder / "labels").is_dir():
            raise refuse(f"{folder}: no labels/ folder")
    settings = Settings()
    with Progress(console=err_console, transient=True) as progress:
        examples = [e for folder, uploader in sets
                    for e in read_examples(folder, uploader, settings, progress)]
    with tempfile.TemporaryDirectory(prefix="yogi-features-replay-") as tmp:
        client = FeatureClient(Settings(data_dir=Path(tmp)))
        client.apply()
        features = replay(client, examples, settings)
    calibrator, report = fit_and_measure(examples, features, [str(f) for f, _ in sets])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(calibrator.to_json())
    report_out.parent.mkdir(parents=True, exist_ok=True)
    report_out.write_text(json.dumps(report, indent=1) + "\n")
    console.print_json(data=report)


def bench_features_command(
    redis_url: Annotated[str, typer.Option(
        help="the Redis to measure (its own database: the bench writes 100 documents)")
    ] = "redis://127.0.0.1:6379/15",
    repeats: Annotated[int, typer.Option(min=10)] = 500,
    out: Annotated[Path, typer.Option()] = Path("bench/features.json"),
) -> None:
    """Online read latency of the routing features, p50/p99, 1 and 100 entities, SQLite vs
    Redis."""
    from training.features.bench import bench_features

    with Progress(console=err_console, transient=True) as progress:
        report = bench_features(redis_url, repeats, progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    console.print_json(data=report)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.add_typer(features_app, name="features")
    bench_app.command("features")(bench_features_command)
