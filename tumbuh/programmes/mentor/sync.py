"""The server side of the mentor app's offline queue.

A mentor's device keeps what is recorded offline (attendance, visit notes, signal checks, ...) in
a queue, each record with a ``client_id`` (a UUID made on the device), and posts the queue as a
batch when a connection returns. ``apply_batch`` applies every record on its own: good records
are written, bad ones come back with a reason, and nothing is lost — every record of the batch
gets exactly one result, in the order sent.

A record is ``{"client_id": uuid, "kind": str, "base_version": int | None, "data": {...}}``; a
result is ``{"client_id", "status", "reason"?, "field"?, "detail"?, "server"?}`` with ``status``
one of:

- ``applied``: written now;
- ``duplicate``: this ``client_id`` was applied before (a replay); ``server`` is the original
  outcome, and nothing is written again;
- ``refused``: not written; ``reason`` is a stable code (``malformed``, ``unknown_kind``,
  ``required``, ``in_future``, ``not_in_caseload``, ``expired``, ...), ``field`` the key of
  ``data`` to correct when one field is at fault (``visited_at``, ``text``, ``code``, ...), and
  ``detail`` a translated sentence for the mentor that names the field in words. The device keeps
  a refused record, shows it with its reason, and sends it again once corrected;
- ``conflict``: the record changed on the server since ``base_version``; ``server`` carries the
  server's version for the mentor to resolve on the device, which then sends a new record.

Times travel as ISO 8601 moments with their offset. The device writes a time the mentor typed in
the business's zone (the page gives the zone, whatever the phone's own zone is), so a visit at
22.30 in Kupang arrives as ``...T22:30:00+08:00``; the server keeps the moment, judges "not in
the future" against its own clock with ``core.times.CLOCK_SKEW`` of tolerance, and shows it in
the business's zone again.

Kinds are dispatched through one table, ``settings.MENTOR_SYNC_KINDS`` (kind → the dotted path
of its handler; see :func:`kinds`). A handler is called as ``handler(user=..., record=...,
memo=...)`` inside a savepoint (``memo`` is a dict shared by the records of one batch, for reads
that cannot change within it, such as the mentor's caseload), returns a ``Result`` (applied,
duplicate or conflict) and raises ``core.refusals.Refused`` (a ``ProgrammesError`` code and the
``field`` at fault) to refuse; the savepoint is then rolled back, so a refusal changes nothing.
Each handler finds its own replays by ``client_id`` in the table it writes, so a replay is
recognised even after the device lost the answer to the first post.
"""

import dataclasses
import datetime
import uuid
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tumbuh.core import times
from tumbuh.core.refusals import Refused
from tumbuh.programmes.error_codes import ProgrammesError

APPLIED = "applied"
DUPLICATE = "duplicate"
REFUSED = "refused"
CONFLICT = "conflict"
STATUSES = (APPLIED, DUPLICATE, REFUSED, CONFLICT)

# A week offline is a few thousand records; more than this in one post is refused whole, and
# the device sends its queue in slices of this size.
MAX_BATCH = 5_000
# Records applied per database transaction: few commits, and on SQLite a write lock held for
# well under a second at a time.
COMMIT_EVERY = 100


@dataclasses.dataclass(frozen=True)
class SyncRecord:
    """One queued record, after the envelope was checked (its ``data`` is the handler's to check)."""

    client_id: str
    kind: str
    data: dict
    base_version: int | None = None


@dataclasses.dataclass
class Result:
    """What happened to one record."""

    client_id: str
    status: str
    reason: str = ""
    detail: str = ""
    server: dict | None = None
    field: str = ""

    def as_dict(self) -> dict:
        result = {"client_id": self.client_id, "status": self.status}
        if self.reason:
            result["reason"] = self.reason
        if self.field:
            result["field"] = self.field
        if self.detail:
            result["detail"] = self.detail
        if self.server is not None:
            result["server"] = self.server
        return result


Handler = Callable[..., Result]


def kinds() -> dict[str, Handler]:
    """The table of kinds the queue carries: ``settings.MENTOR_SYNC_KINDS``, kind → handler.

    One dict in the settings names every kind and the function that applies it (dotted paths,
    so the connectivity app's ``signal_check`` is listed without this app importing a higher
    one); nothing registers itself on import.
    """
    return {kind: _handler(path) for kind, path in settings.MENTOR_SYNC_KINDS.items()}


@cache
def _handler(path: str) -> Handler:
    return import_string(path)


def registered_kinds() -> list[str]:
    return sorted(settings.MENTOR_SYNC_KINDS)


def apply_batch(*, user, records) -> list[Result]:
    """Apply each of ``records`` (parsed JSON) for ``user``; one ``Result`` per record, in order.

    A record whose envelope is malformed is refused with reason ``malformed`` (its ``client_id``
    echoed when there is one, so the device can match it); a ``client_id`` repeated within the
    batch gets the first one's outcome as a duplicate.
    """
    if not isinstance(records, list):
        raise Refused(ProgrammesError.MALFORMED, _("The batch must be a list of records."))
    if len(records) > MAX_BATCH:
        raise Refused(
            ProgrammesError.TOO_LARGE,
            _("A batch holds at most %(limit)s records; send the queue in smaller parts.")
            % {"limit": MAX_BATCH},
        )
    memo: dict = {}
    results: list[Result] = []
    seen: dict[str, Result] = {}
    for start in range(0, len(records), COMMIT_EVERY):
        # One commit per chunk instead of one per record: a week's queue is thousands of
        # records. Each record still has its own savepoint; if the server fails mid-chunk the
        # chunk is not committed, and the device, which drops a record only when it has its
        # result, sends it again.
        with transaction.atomic():
            for raw in records[start : start + COMMIT_EVERY]:
                results.append(_apply_raw(user, raw, memo, seen))
    return results


def _apply_raw(user, raw, memo: dict, seen: dict[str, Result]) -> Result:
    try:
        record = parse_record(raw)
    except Refused as refusal:
        client_id = raw.get("client_id") if isinstance(raw, dict) else None
        return Result(
            client_id=client_id[:64] if isinstance(client_id, str) else "",
            status=REFUSED,
            reason=refusal.reason,
            detail=" ".join(refusal.messages),
        )
    if record.client_id in seen:
        return _repeat(seen[record.client_id])
    result = apply_record(user=user, record=record, memo=memo)
    seen[record.client_id] = result
    return result


def _repeat(first: Result) -> Result:
    """The answer to a client_id sent twice in one batch: the first outcome, as a duplicate."""
    if first.status in (APPLIED, DUPLICATE):
        return Result(client_id=first.client_id, status=DUPLICATE, server=first.server)
    return dataclasses.replace(first)


def parse_record(raw) -> SyncRecord:
    """Check a record's envelope: a dict with a UUID ``client_id``, a registered ``kind``, a
    ``data`` object and an optional integer ``base_version``."""
    if not isinstance(raw, dict):
        raise Refused(ProgrammesError.MALFORMED, _("A record must be an object."))
    client_id = raw.get("client_id")
    try:
        client_id = str(uuid.UUID(str(client_id))) if client_id else ""
    except ValueError:
        client_id = ""
    if not client_id:
        raise Refused(ProgrammesError.MALFORMED, _("The record has no valid client id (a UUID)."))
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        raise Refused(ProgrammesError.MALFORMED, _("The record does not say what kind it is."))
    if kind not in settings.MENTOR_SYNC_KINDS:
        raise Refused(
            ProgrammesError.UNKNOWN_KIND,
            _("Records of kind “%(kind)s” cannot be synced.") % {"kind": kind[:40]},
        )
    data = raw.get("data")
    if not isinstance(data, dict):
        raise Refused(ProgrammesError.MALFORMED, _("The record has no data."))
    base_version = raw.get("base_version")
    if base_version is not None and (
        isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 1
    ):
        raise Refused(
            ProgrammesError.MALFORMED, _("The record's base version must be a positive number.")
        )
    return SyncRecord(client_id=client_id, kind=kind, data=data, base_version=base_version)


def apply_record(*, user, record: SyncRecord, memo: dict | None = None, **extra) -> Result:
    """Apply one record in its own savepoint; a refusal rolls back whatever it started.

    ``extra`` goes to the handler as is (the HTML form passes an uploaded photo this way).
    """
    handler = kinds()[record.kind]
    memo = {} if memo is None else memo
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                result = handler(user=user, record=record, memo=memo, **extra)
            break
        except ValidationError as refusal:
            return Result(
                client_id=record.client_id,
                status=REFUSED,
                reason=getattr(refusal, "reason", "") or _code_of(refusal),
                field=getattr(refusal, "field", "") or "",
                detail=" ".join(refusal.messages),
            )
        except IntegrityError:
            # Two posts of the same queue raced and the other wrote the row first: asking
            # again finds it as a replay.
            if attempt == 2:
                raise
    if result.status not in STATUSES or result.client_id != record.client_id:
        raise ValueError(f"handler for {record.kind!r} returned {result!r}")
    return result


def _code_of(error: ValidationError) -> str:
    code = getattr(error, "code", None)
    if code:
        return code
    for item in getattr(error, "error_list", []):
        if item.code:
            return item.code
    return str(ProgrammesError.INVALID)


# --- Helpers for handlers ---------------------------------------------------------------------


def text_field(
    data: dict, key: str, *, limit: int, required: bool = True, label: str | None = None
) -> str:
    """``data[key]`` as stripped text; ``label`` names the field in the refusal ("The note")."""
    what = label or _("The field “%(field)s”") % {"field": key}
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Refused(
            ProgrammesError.MALFORMED, _("%(what)s must be text.") % {"what": what}, field=key
        )
    value = value.strip()
    if required and not value:
        raise Refused(
            ProgrammesError.REQUIRED, _("%(what)s is missing.") % {"what": what}, field=key
        )
    if len(value) > limit:
        raise Refused(
            ProgrammesError.TOO_LONG,
            _("%(what)s is longer than %(limit)s characters.") % {"what": what, "limit": limit},
            field=key,
        )
    return value


def moment_field(
    data: dict, key: str, *, required: bool = True, label: str | None = None, place=None
) -> datetime.datetime | None:
    """An ISO 8601 time with its offset, not in the future beyond ``core.times.CLOCK_SKEW`` (a
    device clock may run a little fast). ``label`` names the field and ``place`` (a village, a
    business, a region code) gives the zone the refusal shows the times in."""
    what = label or _("The field “%(field)s”") % {"field": key}
    value = data.get(key)
    if value in (None, "") and not required:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or timezone.is_naive(moment):
        raise Refused(
            ProgrammesError.MALFORMED,
            _("%(what)s must be a date and time with its time zone.") % {"what": what},
            field=key,
        )
    problem = times.future_problem(moment, place=place, what=what)
    if problem:
        raise Refused(ProgrammesError.IN_FUTURE, problem, field=key)
    return moment
