"""infra/template.yaml, the SAM template of the AWS deployment, checked without AWS.

- cfn-lint on the template as written, and on SAM's own translation of it to CloudFormation
  (aws-sam-translator in process, no credentials);
- `sam validate --lint`, from the SAM CLI's own venv (`make sam`: it cannot sit in this
  project's environment, see the Makefile);
- the training state machine gets a value for every `${...}` of its definition, and nothing else;
- the API proxies exactly the service's routes;
- least privilege: no IAM grant on `"*"` except for actions AWS authorizes on no resource ARN.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.decode import cfn_yaml
from fastapi.routing import APIRoute
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from inference.settings import Settings
from serving.http import create_api

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
TEMPLATE = INFRA / "template.yaml"
TRAINING_ASL = INFRA / "statemachine" / "training.asl.json"
PROCESSING_ASL = INFRA / "statemachine" / "processing.asl.json"
REGION = "eu-west-1"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
CFN_LINT = [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]

# Actions that take no resource ARN in IAM (AWS requires "*" for them): the only ones a
# statement of this template may grant on "*".
WILDCARD_ONLY_ACTIONS = frozenset({
    # docker login to ECR (the training task's execution role)
    "ecr:GetAuthorizationToken",
    # the Evaluate step's task-token callback (ecs:runTask.waitForTaskToken)
    "states:SendTaskSuccess",
    "states:SendTaskFailure",
    "states:SendTaskHeartbeat",
    # Step Functions logging to CloudWatch Logs (vended-logs delivery)
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    # X-Ray tracing
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
})

# The health checks: BentoML serves them beside the FastAPI routes; on API Gateway they are
# ordinary routes without the authorizer.
HEALTH_ROUTES = {("GET", "/livez"), ("GET", "/readyz")}


def load_template() -> dict[str, Any]:
    """The template as plain JSON-able data (short-form tags such as !Sub become Fn::Sub)."""
    return json.loads(json.dumps(cfn_yaml.load(str(TEMPLATE))))


def translate(template: dict[str, Any]) -> dict[str, Any]:
    """SAM → CloudFormation, as the AWS::Serverless transform does at deploy time. A local
    DefinitionUri is what `sam deploy` uploads; here the definition goes inline instead."""
    template = json.loads(json.dumps(template))
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in props:
            props["Definition"] = json.loads((INFRA / props.pop("DefinitionUri")).read_text())
    translator = Translator({}, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    return translator.translate(template, parameter_values={})


def allow_statements(template: dict[str, Any]):
    """(resource id, statement) for every Allow in the template's IAM identity policies."""
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        documents = []
        if resource["Type"] == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [props["PolicyDocument"]]
        for document in documents:
            statements = document["Statement"]
            for statement in statements if isinstance(statements, list) else [statements]:
                if statement.get("Effect") == "Allow":
                    yield logical_id, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def wildcard_grants(template: dict[str, Any]) -> list[str]:
    """'Role: action' for each action granted on "*" that AWS would accept on an ARN."""
    found = []
    for logical_id, statement in allow_statements(template):
        if "*" in as_list(statement.get("Resource", [])):
            found += [f"{logical_id}: {action}" for action in as_list(statement["Action"])
                      if action not in WILDCARD_ONLY_ACTIONS]
    return found


def cfn_lint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CFN_LINT, *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    return translate(template)


def test_cfn_lint_passes_on_the_template() -> None:
    result = cfn_lint(str(TEMPLATE.relative_to(ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_passes_on_the_cloudformation_sam_makes_of_it(
    translated: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "translated.json"
    out.write_text(json.dumps(translated, indent=1))
    # W1028 ("Fn::If branch not reachable"): SAM wraps each route of a conditional function in
    # Fn::If inside the RestApi, which carries the same condition; that is SAM's output, not ours.
    result = cfn_lint("--ignore-checks", "W1028", "--", str(out))
    assert result.returncode == 0, result.stdout + result.stderr


def test_training_state_machine_fills_every_placeholder_and_no_other(
    template: dict[str, Any]
) -> None:
    props = template["Resources"]["TrainingStateMachine"]["Properties"]
    assert INFRA / props["DefinitionUri"] == TRAINING_ASL
    placeholders = set(re.findall(r"\$\{([^}]+)\}", TRAINING_ASL.read_text()))
    assert placeholders == {"PipelineStepFunctionArn", "ClusterArn", "TrainingTaskDefinitionArn",
                            "SubnetId", "SecurityGroupId"}
    assert set(props["DefinitionSubstitutions"]) == placeholders


def test_processing_state_machine_fills_every_placeholder_and_no_other(
    template: dict[str, Any]
) -> None:
    props = template["Resources"]["ProcessingStateMachine"]["Properties"]
    assert INFRA / props["DefinitionUri"] == PROCESSING_ASL
    placeholders = set(re.findall(r"\$\{([^}]+)\}", PROCESSING_ASL.read_text()))
    assert placeholders == {"ProcessingExtractFunctionArn", "ProcessingStepFunctionArn",
                            "DocumentEventsTopicArn"}
    assert set(props["DefinitionSubstitutions"]) == placeholders


def test_processing_steps_run_the_processing_handler_with_the_quality_gates(
    template: dict[str, Any]
) -> None:
    """Both step functions run `serving.processing_handlers.handler`; Extract, whose output
    carries the thresholds the Choice compares with, gets them from the stack's parameters;
    an upload starts the state machine, and the reviewer's PUT may answer its task token."""
    resources = template["Resources"]
    for name in ("ProcessingExtractFunction", "ProcessingStepFunction"):
        command = resources[name]["Properties"]["ImageConfig"]["Command"]
        assert command == ["serving.processing_handlers.handler"]
    env = resources["ProcessingExtractFunction"]["Properties"]["Environment"]["Variables"]
    assert env["YOGI_ACCEPT_THRESHOLD"] == {"Ref": "AcceptThreshold"}
    assert env["YOGI_REVIEW_THRESHOLD"] == {"Ref": "ReviewThreshold"}
    upload = resources["S3UploadFunction"]["Properties"]
    assert upload["Environment"]["Variables"]["YOGI_PROCESSING_STATE_MACHINE_ARN"] == {
        "Ref": "ProcessingStateMachine"}
    granted = {(action, json.dumps(statement["Resource"]))
               for function in ("S3UploadFunction", "ApiFunction")
               for policy in resources[function]["Properties"]["Policies"]
               for statement in policy["Statement"] for action in as_list(statement["Action"])}
    assert ("states:StartExecution", json.dumps({"Ref": "ProcessingStateMachine"})) in granted
    assert ("states:SendTaskSuccess", '"*"') in granted
    alarm = resources["ProcessingFailedAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Ref": "ProcessingStateMachine"}


def test_every_lambda_handler_the_template_names_exists(template: dict[str, Any]) -> None:
    import importlib

    for resource in template["Resources"].values():
        command = resource.get("Properties", {}).get("ImageConfig", {}).get("Command", [])
        if resource["Type"] == "AWS::Serverless::Function" and command[0].count(".") >= 2:
            module, _, name = command[0].rpartition(".")
            assert callable(getattr(importlib.import_module(module), name)), command[0]


def test_training_task_is_the_container_the_state_machine_overrides(
    template: dict[str, Any]
) -> None:
    definition = json.loads(TRAINING_ASL.read_text())
    overridden = {override["Name"]
                  for state in _task_states(definition["States"])
                  if state["Resource"].startswith("arn:aws:states:::ecs:")
                  for override in state["Parameters"]["Overrides"]["ContainerOverrides"]}
    task = template["Resources"]["TrainingTaskDefinition"]["Properties"]
    assert overridden == {c["Name"] for c in task["ContainerDefinitions"]} == {"training"}
    assert task["RequiresCompatibilities"] == ["FARGATE"]
    assert int(task["Cpu"]) >= 2048 and int(task["Memory"]) >= 8192


def _task_states(states: dict[str, Any]):
    for state in states.values():
        if state["Type"] == "Task":
            yield state
        for branch in state.get("Branches", []):
            yield from _task_states(branch["States"])


def test_api_proxies_the_service_routes(template: dict[str, Any]) -> None:
    http = create_api(lambda: None, lambda: None, Settings())
    # The reviewers' routes (tag "review") and /metrics (not in the schema: CloudWatch takes
    # its place) are the HTTP service's own.
    service = {(method, re.sub(r"\{[^}]+\}", "{}", route.path))
               for route in http.routes if isinstance(route, APIRoute)
               and route.include_in_schema and "review" not in route.tags
               for method in route.methods}
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    api = {(e["Properties"]["Method"].upper(), re.sub(r"\{[^}]+\}", "{}", e["Properties"]["Path"]))
           for e in events if e["Type"] == "Api"}
    assert api == service | HEALTH_ROUTES
    open_routes = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"])
                   for e in events if e["Properties"].get("Auth", {}).get("Authorizer") == "NONE"}
    assert open_routes == HEALTH_ROUTES


def test_uploads_bucket_is_named_the_same_wherever_it_is_spelled_out(
    template: dict[str, Any]
) -> None:
    """The upload function's policies name the bucket that notifies it by its name pattern (a
    Ref would be a circular dependency): a rename must change them all, and the read grant must
    cover the prefix that triggers the function."""
    resources = template["Resources"]
    name = resources["UploadsBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    spelled = re.findall(r"yogi-[^\"\\/]*-uploads-[^\"\\/]*", json.dumps(template))
    assert spelled and set(spelled) == {name}

    function = resources["S3UploadFunction"]["Properties"]
    (event,) = function["Events"].values()
    assert event["Properties"]["Bucket"] == {"Ref": "UploadsBucket"}
    (rule,) = event["Properties"]["Filter"]["S3Key"]["Rules"]
    reads = [s["Resource"]["Fn::Sub"] for p in function["Policies"] for s in p["Statement"]
             if s["Action"] == "s3:GetObject" and isinstance(s["Resource"], dict)]
    assert f"arn:${{AWS::Partition}}:s3:::{name}/{rule['Value']}*" in reads


def test_no_iam_grant_on_star_but_for_actions_without_resource_arns(
    translated: dict[str, Any]
) -> None:
    assert list(allow_statements(translated)), "no IAM statements found: the check saw nothing"
    assert wildcard_grants(translated) == []


def test_the_star_check_flags_an_action_that_takes_an_arn() -> None:
    role = {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {
        "Statement": [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]},
        ]}}]}}
    assert wildcard_grants({"Resources": {"TooBroad": role}}) == ["TooBroad: s3:GetObject"]


def test_the_star_exceptions_really_take_no_resource_arn() -> None:
    """cfn-lint's copy of the IAM service reference: an action listed with resource types could
    be granted on an ARN, so it does not belong in WILDCARD_ONLY_ACTIONS."""
    from importlib.resources import files

    reference = json.loads(
        files("cfnlint").joinpath("data/AdditionalSpecs/Policies.json").read_text())
    for name in sorted(WILDCARD_ONLY_ACTIONS):
        service, action = name.split(":")
        assert reference[service]["Actions"][action.lower()].get("Resources") is None, name


def test_sam_validate_lint_passes() -> None:
    assert SAM.exists(), "the SAM CLI is missing: run `make sam` (part of `make setup`)"
    done = subprocess.run([str(SAM), "validate", "--lint", "--template", str(TEMPLATE),
                           "--region", REGION], capture_output=True, text=True, timeout=300,
                          env={"SAM_CLI_TELEMETRY": "0", "PATH": "/usr/bin:/bin",
                               "HOME": str(ROOT / ".venv-sam")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is a valid SAM Template" in done.stdout + done.stderr
