"""One refusal shape for every app: ``Refused(code, message, field=...)``.

A service refuses a change by raising :class:`Refused` with a ``code`` from its app's enumeration
(``<app>/error_codes.py``, a ``StrEnum``: stable, for API clients, tests and the mentor app), a
message in the user's language, and the ``field`` of the input at fault when there is one.
Nothing is written when a service refuses (it raises before, or inside, its transaction).

Views show the message (Django's messages, or the form's errors: ``Refused`` is a
``ValidationError``); the API answers with the one error body of ``core.errors``
(``{"code": "invalid", "reason": <code>, "detail": <message>, "field": ...}``), status 422 unless
the endpoint declares another (409 for a conflict).
"""

from enum import StrEnum

from django.core.exceptions import ValidationError

__all__ = ["Refused"]


class Refused(ValidationError):
    """A change refused for a reason the person can act on.

    ``code`` (and its alias ``reason``) is the app's error code as a plain string; ``field`` names
    the input at fault, or is empty. ``message`` may also be a list (several reasons at once, each
    a text or a ``Refused`` with its own code) or a dict of fields and their messages: the
    refusal keeps its ``code`` and ``reason`` for the whole.
    """

    def __init__(self, code: StrEnum | str, message, *, field: str = "", params=None):
        super().__init__(message, code=str(code), params=params)
        self.code = str(code)  # Django sets it for a single message only
        self.reason = str(code)
        self.field = field

    @property
    def message_text(self) -> str:
        """The message, with its parameters filled in, in the active language."""
        return " ".join(self.messages)
