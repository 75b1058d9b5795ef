"""The one tool Claude may call, `record_timetable`, and how it is offered. Its input schema is
generated from the pydantic models below: the contract fields Claude fills, typed as the
contract types them, with the descriptions and constraints Claude is told. The contract models
themselves also carry pipeline-only fields (confidence, sourceBox, timeScored…) that Claude must
not fill, so they are not offered directly; the answer is still validated by `TimetableData`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.json_schema import GenerateJsonSchema

from inference.schema import HHMM_PATTERN, Day

TOOL_NAME = "record_timetable"
TOOL_DESCRIPTION = "Record every event of the school timetable shown in the images."

_TIME_DESCRIPTION = "24-hour HH:MM, or null when the document gives no time."


class _ToolModel(BaseModel):
    # Every field required (null where unknown) and nothing else allowed: Claude states each
    # field rather than leaving it out, and cannot add fields of its own.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ToolTimeBlock(_ToolModel):
    day: Day
    name: str = Field(min_length=1)
    start_time: str | None = Field(pattern=HHMM_PATTERN, description=_TIME_DESCRIPTION)
    end_time: str | None = Field(pattern=HHMM_PATTERN, description=_TIME_DESCRIPTION)
    notes: str | None


class ToolInput(_ToolModel):
    teacher: str | None
    class_name: str | None
    term: str | None
    year: int | None
    timeblocks: list[ToolTimeBlock]


def _json_keys(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(field.alias or name for name, field in model.model_fields.items())


# The JSON keys of the tool input: the only content taken from Claude's answer.
BLOCK_KEYS = _json_keys(ToolTimeBlock)
HEADER_KEYS = tuple(key for key in _json_keys(ToolInput) if key != "timeblocks")


class _UntitledSchema(GenerateJsonSchema):
    """Pydantic titles every model and field after its Python name; Claude would read those
    as part of the instructions, and they say nothing the keys do not."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: Any) -> dict[str, Any]:
        generated = super().model_schema(schema)
        generated.pop("title", None)
        return generated


def timetable_tool() -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "input_schema": ToolInput.model_json_schema(
            by_alias=True, schema_generator=_UntitledSchema
        ),
    }


# Models that answer a forced tool_choice with HTTP 400 (Sonnet 5.5 migration guide, Opus 5.5,
# Fable 5.1). They get tool_choice "auto" plus the system prompt's instruction instead; a
# missing tool call is then caught like any other invalid answer.
_FORCED_TOOL_REJECTED = ("claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5-1")


def tool_choice(model: str, force: bool) -> dict[str, Any]:
    if force and not model.startswith(_FORCED_TOOL_REJECTED):
        return {"type": "tool", "name": TOOL_NAME}
    return {"type": "auto"}
