"""`yogi models …`: what the local MLflow registry holds, and registering the released models."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

models_app = typer.Typer(help="The MLflow model registry: list, register released models.",
                         no_args_is_help=True)
console = Console()

# Metrics worth a column: held-out CER and line accuracy, base and fine-tuned.
SHOWN_METRICS = ("heldout_cer", "base_heldout_cer", "gate_tuned_cer", "gate_base_cer",
                 "gate_champion_cer", "heldout_line_acc")


def version_rows(client, names: list[str]) -> list[dict]:
    """One row per registered version: aliases, source, tags and the run's headline metrics."""
    from training.registry import versions

    rows = []
    for name in names:
        model = client.get_registered_model(name)
        aliases: dict[str, list[str]] = {}
        for alias, version in (model.aliases or {}).items():
            aliases.setdefault(str(version), []).append(alias)
        for v in sorted(versions(client, name), key=lambda v: int(v.version)):
            metrics = client.get_run(v.run_id).data.metrics if v.run_id else {}
            rows.append({
                "name": name, "version": str(v.version),
                "aliases": sorted(aliases.get(str(v.version), [])),
                "source": v.tags.get("source", ""),
                "reason": v.tags.get("gate_reason") or v.tags.get("alias_reason", ""),
                "release_sha": v.tags.get("release_sha", "")[:12],
                "run_id": v.run_id or "",
                "metrics": {k: metrics[k] for k in SHOWN_METRICS if k in metrics},
            })
    return rows


@models_app.command("list")
def list_models(
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
) -> None:
    """Registered models, their versions, aliases and held-out metrics."""
    from training.registry import use_tracking

    client = use_tracking()
    names = sorted(m.name for m in client.search_registered_models())
    rows = version_rows(client, names)
    if as_json:
        console.print_json(data=rows)
        return
    if not rows:
        console.print("the registry is empty (yogi models register)")
        return
    table = Table("model", "version", "aliases", "source", "held-out CER (base → tuned)",
                  "reason", "run")
    for r in rows:
        m = r["metrics"]
        base = m.get("gate_base_cer", m.get("base_heldout_cer"))
        tuned = m.get("gate_tuned_cer", m.get("heldout_cer"))
        cer = f"{base:.4f} → {tuned:.4f}" if base is not None and tuned is not None else ""
        table.add_row(r["name"], r["version"], ", ".join(r["aliases"]), r["source"], cer,
                      r["reason"], r["run_id"][:12])
    console.print(table)


@models_app.command("register")
def register() -> None:
    """Register every released model under models/ that the registry lacks (idempotent)."""
    from training.registry import ensure_all

    for done in ensure_all():
        what = (f"registered as v{done.version} → {done.alias} ({done.reason})" if done.created
                else f"already registered as v{done.version}")
        console.print(f"{done.name}: {what}")


@models_app.command("rollback")
def rollback(
    name: Annotated[str, typer.Argument(help="registered model, e.g. yogi-document")],
) -> None:
    """Move `champion` back to the version the current champion replaced (serving follows)."""
    from inference.console import refuse
    from training.registry import rollback as move_back
    from training.registry import use_tracking

    try:
        left, back = move_back(use_tracking(), name)
    except ValueError as error:
        raise refuse(str(error)) from None
    console.print(f"{name}: champion v{left} → v{back} (v{left} is now challenger)")
