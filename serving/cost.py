"""`yogi cost`: the monthly AWS bill of the stack in `infra/template.yaml` at N documents a
day, from what the template deploys (which resources, the functions' memory, the database's
minimum capacity, the training task's size), the compute measured here per page, and the
share of documents the router sends to Claude. Pure: the template's text and the assumptions
in, line items out; the command (`serving/cost_cli.py`) prints them.

Prices: `PRICES`, us-east-1 on-demand list prices as assumed on `PRICES_AS_OF` (no free
tier, no savings plans); check https://aws.amazon.com/pricing before relying on a line. The
seeds' design put the bill at $226/month, $0.0075 a document, at 1,000 documents a day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, model_validator

from inference.claude.prices import cost_usd

PRICES_AS_OF = "2025-06-01"
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = 30
PRICES: dict[str, float] = {
    "lambda_gb_s": 0.0000166667,  # x86, per GB-second
    "lambda_request": 0.20 / 1e6,
    "states_transition": 0.025 / 1000,  # Standard workflows
    "api_request": 3.50 / 1e6,  # REST API, first 333 M a month
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "s3_gb_month": 0.023,
    "sns_publish": 0.50 / 1e6,
    "aurora_acu_hour": 0.12,  # Aurora Serverless v2, standard storage configuration
    "aurora_gb_month": 0.10,
    "aurora_io": 0.20 / 1e6,
    "rds_proxy_acu_hour": 0.015,  # for Aurora Serverless v2, billed on at least 8 ACUs
    "rds_proxy_min_acu": 8,
    "elasticache_serverless_gb_hour": 0.125,  # Redis OSS, billed on at least 1 GB stored
    "elasticache_ecpu": 0.0034 / 1e6,
    "nat_hour": 0.045,
    "nat_gb": 0.045,
    "public_ipv4_hour": 0.005,
    "secret_month": 0.40,
    "alarm_month": 0.10,  # standard resolution, one metric
    "dashboard_month": 3.00,
    "logs_gb": 0.50,
    "ecr_gb_month": 0.10,
    "fargate_vcpu_hour": 0.04048,
    "fargate_gb_hour": 0.004445,
}
SEEDS = {"usd_per_month": 226.0, "usd_per_document": 0.0075, "docs_per_day": 1000}


class Assumptions(BaseModel):
    """What the bill depends on besides the template; each default says where it comes from."""

    docs_per_day: float = Field(gt=0)
    pages_per_doc: float = Field(1.0, gt=0)
    # Measured: `yogi bench serve`, p50 ≈ 3 s a page at 1 client on 2 cores; a 3008 MB Lambda
    # has about 1.7 vCPU, so the same figure is taken for the Extract function.
    extract_s_per_page: float = Field(3.0, gt=0)
    # Today's routing: the committed document calibrator's highest calibrated confidence is
    # 0.20, under the 0.80 review threshold, so no document reaches Claude (all go to review).
    claude_share: float = Field(0.0, ge=0, le=1)
    review_share: float = Field(1.0, ge=0, le=1)
    # One Claude read: a page image (~1,600 tokens) + prompt and OCR hint in, ~30 blocks out.
    claude_input_tokens: int = Field(2500, ge=0)
    claude_output_tokens: int = Field(700, ge=0)
    claude_model: str = "claude-sonnet-4-6"
    claude_wait_s: float = Field(20.0, ge=0)  # the step function waits on the API, billed
    light_step_s: float = Field(0.3, gt=0)  # Review, Validate, Save; the authorizer
    api_calls_per_doc: float = Field(3.0, ge=0)  # e.g. GET the result twice, one PUT
    doc_mb: float = Field(1.0, gt=0)
    logs_kb_per_doc: float = Field(20.0, ge=0)
    training_hours_per_month: float = Field(0.0, ge=0)  # 4 × 1 h with the weekly schedule on
    database_gb: float = Field(1.0, gt=0)
    image_gb: float = Field(3.0, gt=0)  # one compressed image in ECR
    images_kept: int = Field(4, ge=0)

    @model_validator(mode="after")
    def _shares_add_up(self) -> Assumptions:
        if self.claude_share + self.review_share > 1:
            raise ValueError("claude_share + review_share is at most 1")
        return self


class LineItem(BaseModel):
    name: str
    usd_per_month: float
    basis: str  # how it was computed, for the table


class Estimate(BaseModel):
    docs_per_day: float
    usd_per_month: float
    usd_per_document: float
    fixed_usd_per_month: float
    items: list[LineItem]
    seeds: dict[str, float]
    prices_as_of: str = PRICES_AS_OF
    assumptions: Assumptions


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub …) read as their plain value."""


_Loader.add_multi_constructor("!", lambda loader, _suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
    else loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
    else loader.construct_mapping(node)))


def read_template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass


def _of_type(template: dict, kind: str) -> dict[str, dict]:
    return {name: r.get("Properties", {}) for name, r in template["Resources"].items()
            if r["Type"] == kind}


def _memory_gb(template: dict, function: str) -> float:
    return float(template["Resources"][function]["Properties"]["MemorySize"]) / 1024


def transitions_per_document(a: Assumptions) -> float:
    """States entered on each path of processing.asl.json, weighted by the routing shares."""
    accept = 5  # Extract, CheckConfidence, Validate, Save, Notify
    claude = 6  # + Claude
    review = 6.5  # + Review (+ Claude when Claude failed first: about half the time)
    accept_share = max(0.0, 1 - a.claude_share - a.review_share)
    return accept * accept_share + claude * a.claude_share + review * a.review_share


def line_items(template: dict[str, Any], a: Assumptions) -> list[LineItem]:
    """One monthly line per billed service of the template."""
    p, docs = PRICES, a.docs_per_day * DAYS_PER_MONTH
    items: list[LineItem] = []

    def add(name: str, usd: float, basis: str) -> None:
        items.append(LineItem(name=name, usd_per_month=usd, basis=basis))

    extract_gb = _memory_gb(template, "ProcessingExtractFunction")
    step_gb = _memory_gb(template, "ProcessingStepFunction")
    gb_s = docs * (a.pages_per_doc * a.extract_s_per_page * extract_gb
                   + step_gb * (a.claude_share * a.claude_wait_s + 3 * a.light_step_s))
    auth_gb_s = docs * a.api_calls_per_doc * a.light_step_s * _memory_gb(
        template, "AuthorizerFunction")
    invocations = docs * (5 + 2 * a.api_calls_per_doc)
    add("Lambda", (gb_s + auth_gb_s) * p["lambda_gb_s"] + invocations * p["lambda_request"],
        f"Extract {extract_gb * 1024:.0f} MB × {a.extract_s_per_page:g} s/page, steps "
        f"{step_gb * 1024:.0f} MB, {invocations:,.0f} invocations")
    transitions = docs * transitions_per_document(a)
    add("Step Functions", transitions * p["states_transition"],
        f"{transitions:,.0f} state transitions (Standard)")
    add("API Gateway", docs * a.api_calls_per_doc * p["api_request"],
        f"{docs * a.api_calls_per_doc:,.0f} REST requests")
    stored_gb = docs * a.doc_mb / 1024 * 2  # the upload (expires in 30 days) and the original
    add("S3", docs * (2 * p["s3_put"] + 3 * p["s3_get"]) + stored_gb * p["s3_gb_month"],
        f"{stored_gb:.1f} GB more each month, 2 PUT + 3 GET a document")
    add("SNS", docs * p["sns_publish"], "one document event each")
    cluster = next(iter(_of_type(template, "AWS::RDS::DBCluster").values()))
    min_acu = float(cluster["ServerlessV2ScalingConfiguration"]["MinCapacity"])
    add("Aurora Serverless v2", min_acu * HOURS_PER_MONTH * p["aurora_acu_hour"]
        + a.database_gb * p["aurora_gb_month"] + docs * 20 * p["aurora_io"],
        f"{min_acu:g} ACU minimum all month, {a.database_gb:g} GB")
    if _of_type(template, "AWS::RDS::DBProxy"):
        acu = max(min_acu, p["rds_proxy_min_acu"])
        add("RDS Proxy", acu * HOURS_PER_MONTH * p["rds_proxy_acu_hour"],
            f"billed on {acu:g} ACU (its minimum)")
    if _of_type(template, "AWS::ElastiCache::ServerlessCache"):
        add("ElastiCache Serverless (Feast)",
            HOURS_PER_MONTH * p["elasticache_serverless_gb_hour"] + docs * 50
            * p["elasticache_ecpu"], "1 GB minimum storage")
    nats = len(_of_type(template, "AWS::EC2::NatGateway"))
    claude_gb = docs * a.claude_share * 2 / 1024  # ~2 MB of page image out per Claude call
    add("NAT gateway", nats * HOURS_PER_MONTH * (p["nat_hour"] + p["public_ipv4_hour"])
        + claude_gb * p["nat_gb"], f"{nats} gateway(s) and public IPv4, all month")
    secrets = len(_of_type(template, "AWS::SecretsManager::Secret")) + 1  # + the Anthropic key
    add("Secrets Manager", secrets * p["secret_month"], f"{secrets} secrets")
    alarms = len(_of_type(template, "AWS::CloudWatch::Alarm"))
    dashboards = len(_of_type(template, "AWS::CloudWatch::Dashboard"))
    logs_gb = docs * a.logs_kb_per_doc / 1024 / 1024
    add("CloudWatch", alarms * p["alarm_month"] + dashboards * p["dashboard_month"]
        + logs_gb * p["logs_gb"], f"{alarms} alarms, {dashboards} dashboard, "
        f"{logs_gb:.1f} GB logs")
    repositories = len(_of_type(template, "AWS::ECR::Repository"))
    add("ECR", repositories * a.images_kept * a.image_gb * p["ecr_gb_month"],
        f"{repositories} repositories × {a.images_kept} images × {a.image_gb:g} GB")
    task = next(iter(_of_type(template, "AWS::ECS::TaskDefinition").values()))
    vcpu, mem_gb = int(task["Cpu"]) / 1024, int(task["Memory"]) / 1024
    add("Fargate (training)", a.training_hours_per_month
        * (vcpu * p["fargate_vcpu_hour"] + mem_gb * p["fargate_gb_hour"]),
        f"{a.training_hours_per_month:g} h of {vcpu:g} vCPU / {mem_gb:g} GB")
    per_call = cost_usd(a.claude_model, a.claude_input_tokens, a.claude_output_tokens)
    add("Claude (Anthropic)", docs * a.claude_share * per_call,
        f"{a.claude_share:.0%} of documents × ${per_call:.4f} a call")

    return items


def estimate(template: dict[str, Any], a: Assumptions) -> Estimate:
    items = line_items(template, a)
    total = sum(item.usd_per_month for item in items)
    # The always-on part: the same stack with (almost) no documents.
    idle = a.model_copy(update={"docs_per_day": 1e-9})
    fixed = sum(item.usd_per_month for item in line_items(template, idle))
    return Estimate(docs_per_day=a.docs_per_day, usd_per_month=total,
                    usd_per_document=total / (a.docs_per_day * DAYS_PER_MONTH),
                    fixed_usd_per_month=fixed, items=items, seeds=SEEDS, assumptions=a)
