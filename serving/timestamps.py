"""Times in and out of the API: UTC RFC 3339 strings (`...Z`) out, RFC 3339 `since` in."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from serving.errors import ServingError


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def parse_since(value: str | datetime | None) -> datetime | None:
    """An RFC 3339 time (ISO 8601 with a zone, e.g. 2026-01-31T12:00:00Z) in UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        match = _RFC3339.match(value.strip())
        if match is None:
            raise ServingError(422, "invalid_since", "`since` must be an RFC 3339 time, e.g. "
                               "2026-01-31T12:00:00Z.")
        day, hour_minute, seconds, fraction, zone = match.groups()
        seconds = min(int(seconds), 59)  # a leap second reads as :59
        zone = "+00:00" if zone in ("Z", "z") else zone
        try:
            moment = datetime.fromisoformat(
                f"{day}T{hour_minute}:{seconds:02d}{(fraction or '')[:7]}{zone}"
            )
        except ValueError:
            raise ServingError(422, "invalid_since", "`since` is not a real time.") from None
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise ServingError(422, "invalid_since", "`since` is out of range.") from error
