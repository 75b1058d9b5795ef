"""`yogi serve` and `yogi bench serve`, mounted into `yogi` by the `yogi.commands` entry point.

Kept light: nothing heavy is imported until a command runs, so `yogi --help` stays fast.
Bad input ends as everywhere in the CLI: one line on stderr, exit code 2."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from inference.settings import PROJECT_ROOT

SERVICE = "serving.service:Yogi"


def _refuse(message: str) -> typer.Exit:
    from inference.console import refuse

    return refuse(message)


def serve_argv(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "bentoml", "serve", SERVICE, "--host", host, "--port",
            str(port), "--working-dir", str(PROJECT_ROOT)]


def check_listen(host: str, port: int) -> None:
    """Refuse at once (one line) when the address cannot be listened on: a busy port, an
    unknown host. BentoML would otherwise fail later with a traceback."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as error:
        raise _refuse(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 3000,
) -> None:
    """Start the HTTP service (BentoML; routes and Swagger at /docs)."""
    check_listen(host, port)
    os.environ.setdefault("BENTOML_DO_NOT_TRACK", "True")
    argv = serve_argv(host, port)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the server process: signals (SIGTERM, Ctrl-C) reach BentoML directly.
    os.execv(argv[0], argv)


def parse_levels(value: str) -> list[int]:
    """"1,4,16" → [1, 4, 16]; ValueError for anything else."""
    levels = [int(part) for part in value.split(",") if part.strip()]
    if not levels or min(levels) < 1:
        raise ValueError("each level is at least 1 client")
    return levels


def bench_serve(
    file: Annotated[list[Path] | None, typer.Option(
        help="A page to send; repeat it to send several pages in turn (default: the sample "
        "page).")] = None,
    url: Annotated[str | None, typer.Option(help="A running service; default: start one.")
                   ] = None,
    clients: Annotated[str, typer.Option(help="Concurrency levels, comma-separated.")] = "1,4,16",
    requests: Annotated[int, typer.Option(min=1, help="Requests per level (at least as many "
                                          "as clients).")] = 16,
    same_bytes: Annotated[bool, typer.Option("--same-bytes/--unique-bytes",
                                             help="Send identical bytes (deduplicated after the "
                                             "first) instead of a unique copy per request.")
                          ] = False,
    out: Annotated[Path, typer.Option()] = Path("bench/serve.json"),
) -> None:
    """Throughput and p50/p95 latency per concurrency level, start-up time, server memory,
    and the machine's load average before and after."""
    from rich.console import Console

    from inference.errors import InputRefused
    from inference.loading import sniff_format
    from serving.bench import BenchRefused
    from serving.bench import bench_serve as run

    try:
        levels = parse_levels(clients)
    except ValueError:
        raise _refuse(f"--clients {clients!r}: a comma-separated list of positive integers, "
                      "e.g. 1,4,16") from None
    pages = []
    for path in file or [PROJECT_ROOT / "tests" / "data" / "sample" / "timetable.png"]:
        if not path.is_file():
            raise _refuse(f"{path}: no such file")
        data = path.read_bytes()
        try:
            sniff_format(data)
        except InputRefused as error:
            raise _refuse(f"{path}: {error}") from None
        pages.append((path, data))
    try:
        report = run(pages, url=url, levels=levels, requests=requests, unique=not same_bytes)
    except BenchRefused as error:
        raise _refuse(str(error)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    Console().print_json(data=report)


def bench_loop(
    family: Annotated[str, typer.Option(help="data-engine family of the new pages")] = "asc",
    uploads: Annotated[int, typer.Option(min=1, help="pages uploaded and corrected")] = 20,
    heldout: Annotated[int, typer.Option(min=1, help="pages of the family kept aside")] = 10,
    seed: Annotated[int, typer.Option()] = 4242,
    budget_s: Annotated[float, typer.Option("--budget-s", help="fine-tune wall time")] = 300.0,
    replay_pages: Annotated[int, typer.Option(min=0)] = 40,
    dev: Annotated[Path | None, typer.Option(help="labelled real pages (images/, labels/)")
                   ] = PROJECT_ROOT.parent / "shared" / "dev",
    silver: Annotated[bool, typer.Option("--silver/--gold", help="Claude's answers (the local "
                                         "stand-in answering the gold) instead of reviewers'")
                      ] = False,
    out: Annotated[Path, typer.Option()] = Path("bench/loop.json"),
) -> None:
    """The learning loop end to end through the running service: corrections in, a retrained
    champion answering, strict F1 on held-out pages of the family before and after."""
    from rich.console import Console

    from serving.loop_bench import run_loop_bench

    if dev is not None and not (dev / "images").is_dir():
        dev = None
    try:
        report = run_loop_bench(family, uploads, heldout, seed, budget_s, replay_pages, dev,
                                out, silver=silver)
    except (RuntimeError, TimeoutError) as error:
        raise _refuse(str(error)) from None
    Console().print_json(data=report)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    from serving.cost_cli import cost

    app.command("serve")(serve)
    app.command("cost")(cost)
    bench_app.command("serve")(bench_serve)
    bench_app.command("loop")(bench_loop)
