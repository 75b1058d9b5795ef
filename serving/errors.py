"""The serving layer's one error: `ServingError`, rendered by every adapter as the JSON
`ErrorBody` {"error": code, "detail": one line}, and how a refused document maps onto it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from inference.errors import InputRefused

# InputRefused.reason → HTTP status. Anything not named is a 422 (the document is unusable).
REFUSAL_STATUS = {
    "unsupported_format": 415,
    "too_large": 413,
    "too_many_pages": 413,
    "empty": 422,
    "corrupt": 422,
    "encrypted_pdf": 422,
}


class ErrorBody(BaseModel):
    error: str = Field(description="Machine-readable error code, e.g. `encrypted_pdf`.")
    detail: str = Field(description="One line for a person.")


class ServingError(Exception):
    """A request that cannot be served: `status` (HTTP), `code` (machine) and `detail`
    (one line for a person). Adapters render it as {"error": code, "detail": detail}."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return ErrorBody(error=self.code, detail=self.detail).model_dump()


def refusal_error(error: InputRefused) -> ServingError:
    return ServingError(REFUSAL_STATUS.get(error.reason, 422), error.reason, str(error))


def database_unavailable(error: BaseException) -> bool:
    """True for a database that is down, refusing or too slow (a 503 to retry, not a bug):
    SQLAlchemy's OperationalError (connect refused or timed out, statement timeout, a lock
    wait past its bound) and a dropped connection."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(error, OperationalError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated
