"""`yogi cost --docs-per-day N`: the monthly AWS bill of `infra/template.yaml` (estimate in
`serving/cost.py`) as a table, or JSON with `--json`; next to the seeds' figure. Bad input
exits 2 with one line on stderr."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from inference.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "infra" / "template.yaml"


def cost(
    docs_per_day: Annotated[float, typer.Option(help="Documents uploaded a day.")],
    claude_share: Annotated[float, typer.Option(
        help="Share of documents the router sends to Claude (today's routing: 0).")] = 0.0,
    review_share: Annotated[float, typer.Option(
        help="Share sent to a person (today's routing: 1).")] = 1.0,
    pages_per_doc: Annotated[float, typer.Option(help="Pages a document.")] = 1.0,
    seconds_per_page: Annotated[float, typer.Option(
        help="Extract compute a page (measured: p50 3 s, 1 client, 2 cores).")] = 3.0,
    training_hours: Annotated[float, typer.Option(
        help="Fargate training hours a month (weekly schedule: about 4).")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """Estimate the monthly AWS bill of the SAM stack at N documents a day."""
    from pydantic import ValidationError
    from rich.console import Console
    from rich.table import Table

    from inference.console import refuse
    from serving.cost import Assumptions, estimate, read_template

    try:
        assumptions = Assumptions(
            docs_per_day=docs_per_day, claude_share=claude_share, review_share=review_share,
            pages_per_doc=pages_per_doc, extract_s_per_page=seconds_per_page,
            training_hours_per_month=training_hours)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "input"
        raise refuse(f"{where}: {first['msg']}".replace("_", "-")) from None
    result = estimate(read_template(TEMPLATE), assumptions)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    table = Table("item", "USD / month", "basis",
                  title=f"{docs_per_day:,.0f} documents a day, us-east-1 list prices of "
                        f"{result.prices_as_of}")
    for item in result.items:
        table.add_row(item.name, f"{item.usd_per_month:,.2f}", item.basis)
    table.add_section()
    table.add_row("total", f"{result.usd_per_month:,.2f}",
                  f"${result.usd_per_document:.4f} a document; "
                  f"${result.fixed_usd_per_month:,.2f} of it runs with no documents")
    seeds = result.seeds
    table.add_row("seeds' figure", f"{seeds['usd_per_month']:,.2f}",
                  f"${seeds['usd_per_document']:.4f} a document at "
                  f"{seeds['docs_per_day']:,.0f} a day")
    Console().print(table)
