"""`yogi cost`: the monthly bill read from infra/template.yaml (serving/cost.py) and the
command (serving/cost_cli.py)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from inference.claude.prices import cost_usd
from serving.cost import (
    DAYS_PER_MONTH,
    PRICES,
    Assumptions,
    estimate,
    read_template,
)
from serving.cost_cli import TEMPLATE


@pytest.fixture(scope="module")
def template() -> dict:
    return read_template(TEMPLATE)


def lines(template: dict, **assumed) -> dict[str, float]:  # type: ignore[no-untyped-def]
    result = estimate(template, Assumptions(**{"docs_per_day": 1000, **assumed}))
    return {item.name: item.usd_per_month for item in result.items}


def test_the_total_is_the_sum_of_its_lines_and_per_document_is_per_document(template) -> None:  # type: ignore[no-untyped-def]
    result = estimate(template, Assumptions(docs_per_day=1000))
    assert result.usd_per_month == pytest.approx(sum(i.usd_per_month for i in result.items))
    assert result.usd_per_document == pytest.approx(result.usd_per_month / (1000 * DAYS_PER_MONTH))
    assert 0 < result.fixed_usd_per_month < result.usd_per_month


def test_only_the_per_document_part_grows_with_the_volume(template) -> None:  # type: ignore[no-untyped-def]
    one, two = (estimate(template, Assumptions(docs_per_day=n)) for n in (1000, 2000))
    assert one.fixed_usd_per_month == pytest.approx(two.fixed_usd_per_month)
    variable = one.usd_per_month - one.fixed_usd_per_month
    assert two.usd_per_month - two.fixed_usd_per_month == pytest.approx(2 * variable, rel=1e-6)


def test_the_lines_follow_the_template(template) -> None:  # type: ignore[no-untyped-def]
    bigger = copy.deepcopy(template)
    bigger["Resources"]["ProcessingExtractFunction"]["Properties"]["MemorySize"] = 6016
    del bigger["Resources"]["DatabaseProxy"]
    bigger["Resources"]["DatabaseCluster"]["Properties"]["ServerlessV2ScalingConfiguration"][
        "MinCapacity"] = 1.0
    before, after = lines(template), lines(bigger)
    extract_gb_s = 1000 * DAYS_PER_MONTH * 3.0 * (6016 - 3008) / 1024
    assert after["Lambda"] - before["Lambda"] == pytest.approx(
        extract_gb_s * PRICES["lambda_gb_s"])
    assert "RDS Proxy" in before and "RDS Proxy" not in after
    assert after["Aurora Serverless v2"] - before["Aurora Serverless v2"] == pytest.approx(
        0.5 * 730 * PRICES["aurora_acu_hour"])


def test_claude_is_its_share_of_documents_at_the_price_of_a_call(template) -> None:  # type: ignore[no-untyped-def]
    assert lines(template)["Claude (Anthropic)"] == 0  # today's routing sends none to Claude
    call = cost_usd("claude-sonnet-4-6", 2500, 700)
    share = lines(template, claude_share=0.2, review_share=0.1)["Claude (Anthropic)"]
    assert share == pytest.approx(1000 * DAYS_PER_MONTH * 0.2 * call)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`yogi cost …` as a user runs it."""
    yogi = Path(sys.executable).with_name("yogi")
    return subprocess.run([str(yogi), "cost", *args], capture_output=True, text=True,
                          timeout=120)


def test_the_command_prints_json_beside_the_seeds_figure() -> None:
    done = run("--docs-per-day", "1000", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["seeds"] == {"usd_per_month": 226.0, "usd_per_document": 0.0075,
                             "docs_per_day": 1000}
    assert body["usd_per_month"] == pytest.approx(sum(i["usd_per_month"] for i in body["items"]))


@pytest.mark.parametrize("args", [["--docs-per-day", "0"],
                                  ["--docs-per-day", "10", "--claude-share", "1.5"],
                                  ["--docs-per-day", "10", "--claude-share", "0.5"]])
def test_bad_input_is_one_line_and_exit_2(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""
