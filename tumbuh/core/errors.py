"""The API's one error shape, ``{"code", "detail"}`` (plus ``reason`` and ``field`` for a refusal).

``code`` says what kind of error it is (:class:`ErrorCode`); a refusal by a service
(``core.refusals.Refused``) adds its app's ``reason`` code and the ``field`` at fault. The API
declares :class:`ErrorOut` for every error status an operation can answer.
"""

from enum import StrEnum

from ninja import Schema


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"


class ErrorOut(Schema):
    """The body of every error answer of the API."""

    code: str
    detail: str
    reason: str | None = None
    field: str | None = None


def error_body(code: ErrorCode, detail: str) -> dict:
    return {"code": str(code), "detail": detail}


def refusal_body(error, code: ErrorCode = ErrorCode.INVALID) -> dict:
    """The error body of a ``Refused`` (or any ``ValidationError``): its reason and field too."""
    body = error_body(code, " ".join(error.messages))
    reason = getattr(error, "reason", "")
    if reason:
        body["reason"] = reason
    field = getattr(error, "field", "")
    if field:
        body["field"] = field
    return body
