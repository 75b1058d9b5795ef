"""Claude's reply → TimetableData: find the record_timetable call, keep only contract content,
validate it, or say what was wrong (`InvalidAnswer`, whose message Claude is told on the retry)."""

from __future__ import annotations

import anthropic
from pydantic import ValidationError

from inference.claude.tool import BLOCK_KEYS, HEADER_KEYS, TOOL_NAME
from inference.schema import TimetableData
from inference.validate import validate


class InvalidAnswer(Exception):
    """The answer did not validate; the message is what Claude is told on the retry."""


def _format_validation_error(err: ValidationError, limit: int = 12) -> str:
    lines = []
    for item in err.errors()[:limit]:
        where = ".".join(str(part) for part in item["loc"])
        lines.append(f"{where}: {item['msg']}")
    more = len(err.errors()) - limit
    if more > 0:
        lines.append(f"... and {more} more")
    return "; ".join(lines)


def parse_tool_input(tool_input: object, model: str) -> TimetableData:
    """Claude's tool input → TimetableData (tier "claude"), or `InvalidAnswer`.

    Only contract content is taken from the answer: tier, confidence, modelVersions and the
    pipeline-only block fields are ours to set, not Claude's."""
    if not isinstance(tool_input, dict):
        raise InvalidAnswer("the tool input must be a JSON object")
    blocks = tool_input.get("timeblocks")
    if not isinstance(blocks, list):
        raise InvalidAnswer("timeblocks: required, must be an array of blocks")
    problems: list[str] = []
    kept_blocks = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            problems.append(f"timeblocks.{i}: must be an object")
            continue
        kept_blocks.append({key: block.get(key) for key in BLOCK_KEYS})
    content = {key: tool_input.get(key) for key in HEADER_KEYS} | {"timeblocks": kept_blocks}
    try:
        timetable = TimetableData.model_validate(content)
    except ValidationError as err:
        raise InvalidAnswer(_format_validation_error(err)) from err
    for i, block in enumerate(timetable.timeblocks):
        if not block.name.strip():
            problems.append(f"timeblocks.{i}.name: must not be empty")
        if block.start_time and block.end_time and block.end_time <= block.start_time:
            problems.append(
                f"timeblocks.{i}: endTime {block.end_time} is not after startTime "
                f"{block.start_time}"
            )
    if problems:
        raise InvalidAnswer("; ".join(problems[:12]))
    return timetable.model_copy(
        update={
            "tier": "claude",
            "model_versions": {"claude": model},
            # Findings a person reviewing the answer would want (school day, overlaps).
            "warnings": validate(timetable.timeblocks),
        }
    )


def find_tool_input(message: anthropic.types.Message) -> tuple[str | None, object]:
    """(tool_use id, input) of the record_timetable call, or `InvalidAnswer`."""
    calls = [
        block for block in message.content if block.type == "tool_use" and block.name == TOOL_NAME
    ]
    if not calls:
        kinds = ", ".join(block.type for block in message.content) or "nothing"
        raise InvalidAnswer(f"no {TOOL_NAME} call in the answer (got {kinds})")
    if message.stop_reason == "max_tokens":
        raise InvalidAnswer("the answer was cut off at max_tokens")
    return calls[0].id, calls[0].input
