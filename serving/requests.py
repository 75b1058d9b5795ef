"""Reading request bodies: JSON media types, JSON and multipart parsing, pydantic problems as
one line, storable JSON, and which of its two bodies POST /extract was sent.

POST /extract takes a multipart form (the document in field `file`) or JSON {"s3Uri": ...};
`extract_body_kind` and `s3_uri_in` are that rule for both adapters (the HTTP service streams
the multipart itself, Lambda reads it from the whole body with `multipart_file`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from serving.errors import ServingError

# Room for the multipart envelope around a file of exactly the upload limit.
ENVELOPE_BYTES = 64 * 1024

BodyKind = Literal["multipart", "json"]


def _clean_strings(value: Any) -> Any:
    """Strings every database stores: NUL removed (PostgreSQL refuses it), lone surrogates
    replaced (they are not Unicode)."""
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, dict):
        return {_clean_strings(k): _clean_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_strings(item) for item in value]
    return value


def storable_json(value: Any, what: str) -> Any:
    """`value` cleaned so that every database accepts it as JSON; NaN and Infinity (not JSON)
    are refused."""
    value = _clean_strings(value)
    try:
        json.dumps(value, allow_nan=False)
    except ValueError as error:
        raise ServingError(422, f"invalid_{what}", f"The {what} is not storable JSON: "
                           "numbers must be finite.") from error
    return value


def is_json_media(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def require_json(content_type: str | None, what: str) -> None:
    if not is_json_media(content_type):
        raise ServingError(415, "unsupported_media_type", f"Send {what} as application/json.")


def describe_validation(problems: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's errors as one line: `field.path: message; ...` (the first five)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in p.get('loc', ())) or 'body'}: {p.get('msg', '')}"
        for p in problems[:5]
    )[:2000]


def parse_json_body(body: bytes | str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ServingError(400, "malformed_json", "The body is not valid JSON.") from None


def multipart_file(body: bytes, content_type: str, field_name: str) -> tuple[str | None, bytes]:
    """The file in form field `field_name` of a whole multipart/form-data body."""
    from python_multipart.multipart import File, FormParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ServingError(400, "malformed_multipart", "The multipart body has no boundary.")
    files: list[File] = []
    try:
        parser = FormParser("multipart/form-data", None, files.append, boundary=boundary,
                            config={"MAX_MEMORY_FILE_SIZE": len(body) + 1})
        parser.write(body)
        parser.finalize()
    except Exception as error:  # python_multipart.exceptions.FormParserError and friends
        raise ServingError(400, "malformed_multipart",
                           f"The multipart body cannot be read: {error}") from None
    for file in files:
        if file.field_name == field_name.encode():
            handle = file.file_object
            handle.seek(0)
            name = file.file_name.decode("utf-8", "replace") if file.file_name else None
            return name, handle.read()
    raise ServingError(422, "missing_file", "Send the document in the multipart field `file`.")


def extract_body_kind(content_type: str | None) -> BodyKind:
    """Which body POST /extract was sent: a multipart form or JSON (else a 415)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        return "multipart"
    if is_json_media(content_type):
        return "json"
    raise ServingError(415, "unsupported_media_type", "Send multipart/form-data (field "
                       '`file`) or application/json ({"s3Uri": ...}).')


def s3_uri_in(body: bytes | str) -> Any:
    """The `s3Uri` of a JSON POST /extract body (checked later by `extract_s3_uri`)."""
    payload = parse_json_body(body)
    if not isinstance(payload, dict) or "s3Uri" not in payload:
        raise ServingError(422, "missing_s3_uri",
                           'JSON bodies name an S3 object: {"s3Uri": "s3://bucket/key"}.')
    return payload["s3Uri"]
