"""Errors that reach a user as one clear line (CLI exit code 2, HTTP 4xx with a JSON body)."""


class InputRefused(ValueError):
    """The document cannot be processed: wrong format, empty, corrupt, encrypted, too large.

    `reason` is a short machine-readable code (e.g. "unsupported_format"); str(error) is the
    one-line message for a person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
