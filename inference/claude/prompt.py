"""What Claude is told in words: the system prompt, the user turn that carries the page images
and the OCR hint, and the turns that send a rejected answer back for the one retry."""

from __future__ import annotations

from typing import Any

import anthropic

from inference.claude.images import EncodedPage
from inference.claude.tool import TOOL_NAME

SYSTEM_PROMPT = """\
You transcribe school timetables (photos, scans, screenshots) into structured data by calling \
the record_timetable tool exactly once.

Rules:
- One block per event per day. An event whose cell runs across several days (for example a \
Break or Lunch column down the whole week) becomes one block for each of those days.
- day: the full English day name, Monday to Sunday.
- name: the event as the teacher wrote it, original wording and spelling kept; rejoin words \
broken over lines. A time printed in the cell is not part of the name.
- startTime, endTime: 24-hour HH:MM. Times without am/pm follow school hours: 7-11 are \
morning, 12 is noon, 1-6 are afternoon. A time printed inside a cell overrides its row or \
column header. Use null when the document does not give the time: a header that prints only \
when each period starts gives no end, so endTime is null (not the next period's start).
- notes: the rest of the cell's text (sub-lines, rooms, teachers), or null.
- Empty cells give no block. Header cells (day names, time ranges) are not blocks.
- teacher, className, term (e.g. "Autumn 2"), year (an integer): from the document's heading; \
null when absent.
The OCR text that comes with the images is only a hint for spelling: it can be wrong or \
incomplete, and the images are authoritative."""

# The OCR hint is a spelling aid, not the document: cap it so a noisy page cannot inflate cost.
MAX_OCR_HINT_CHARS = 12_000


def ocr_hint(ocr_text: str) -> str:
    return ocr_text.strip()[:MAX_OCR_HINT_CHARS]


def first_turn(pages: list[EncodedPage], hint: str) -> dict[str, Any]:
    """The user turn: every page image, then the OCR hint and the request."""
    content: list[dict[str, Any]] = [page.content_block() for page in pages]
    content.append(
        {
            "type": "text",
            "text": (
                f"OCR text of the page(s), a hint only:\n<ocr>\n{hint or '(none)'}\n</ocr>\n"
                f"Record the timetable with {TOOL_NAME}."
            ),
        }
    )
    return {"role": "user", "content": content}


def feedback_turns(message: anthropic.types.Message, problem: str) -> list[dict[str, Any]]:
    """The assistant's rejected answer and our reply, appended for the one retry. A tool_use
    must be answered by a tool_result for its id, so the error goes there when there is one."""
    # exclude_none: the API rejects some response-only fields echoed back as null.
    blocks = [b.model_dump(mode="json", exclude_none=True) for b in message.content]
    assistant = {"role": "assistant", "content": blocks}
    text = (
        f"That answer was rejected: {problem}. Call {TOOL_NAME} again with the whole timetable, "
        "corrected."
    )
    tool_ids = [b.id for b in message.content if b.type == "tool_use"]
    if tool_ids:
        results = [
            {"type": "tool_result", "tool_use_id": tid, "is_error": True, "content": text}
            for tid in tool_ids
        ]
        return [assistant, {"role": "user", "content": results}]
    if not message.content:
        return [{"role": "user", "content": text}]
    return [assistant, {"role": "user", "content": text}]
