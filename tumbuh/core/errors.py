"""Error codes shared by the API and the commands: one shape, ``{"code": ..., "detail": ...}``."""

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"


def error_body(code: ErrorCode, detail: str) -> dict:
    return {"code": str(code), "detail": detail}
