"""Idempotent requests, in one place: the same ``Idempotency-Key`` gets the same answer.

A client that did not hear the answer (a lost reply on 2G, a retried form) sends the request again
with the same key; :func:`run_once` runs the action the first time and returns the stored answer
every other time. The same key with a different request is refused
(:class:`IdempotencyConflict`). Keys are per ``scope``: an operation and whose keys they are.

Services call it (the API and the forms pass the key they received); the answer is what the
caller needs to answer again: a status code and a JSON body (an order's code, an enrolment's
result).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tumbuh.core.faults import pause_point
from tumbuh.core.models import IdempotencyRecord
from tumbuh.core.refusals import Refused

__all__ = ["Answer", "IdempotencyConflict", "request_sha256", "run_once"]

MAX_KEY_LENGTH = 100


class IdempotencyConflict(Refused):
    """The same key was used before for a different request."""

    def __init__(self):
        super().__init__(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
            field="Idempotency-Key",
        )


@dataclass(frozen=True)
class Answer:
    """What an idempotent action answered: its status, its JSON body, and whether it ran now."""

    status_code: int
    body: dict
    created: bool


def request_sha256(data) -> str:
    """A stable digest of a request's data (keys sorted, compact JSON)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def clean_key(key: str, *, min_length: int = 1) -> str:
    """The key as sent, without surrounding spaces; refused when too short or too long."""
    key = (key or "").strip()
    if not min_length <= len(key) <= MAX_KEY_LENGTH:
        raise Refused(
            "idempotency_key_length",
            _("The Idempotency-Key must have %(low)d to %(high)d characters."),
            field="Idempotency-Key",
            params={"low": min_length, "high": MAX_KEY_LENGTH},
        )
    return key


def run_once(*, scope: str, key: str, data, action: Callable[[], tuple[int, dict]]) -> Answer:
    """Run ``action`` (returning ``(status_code, body)``) once for ``key`` in ``scope``.

    The action and the record of its answer commit together: an action that raises records
    nothing, so the key stays usable, and a process killed before the commit leaves neither
    (the retry runs the action), after it both (the retry gets the answer). Two requests racing
    with one key: the second waits for the first's row and gets its answer.
    """
    digest = request_sha256(data)

    def stored() -> Answer | None:
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is None:
            return None
        if record.request_sha256 != digest:
            raise IdempotencyConflict()
        return Answer(record.status_code, record.response, created=False)

    answer = stored()
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            status_code, body = action()
            IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                request_sha256=digest,
                status_code=status_code,
                response=body,
            )
            pause_point("idempotency.before_commit")
    except IntegrityError:
        answer = stored()
        if answer is None:
            raise
        return answer
    pause_point("idempotency.after_commit")
    return Answer(status_code, body, created=True)
