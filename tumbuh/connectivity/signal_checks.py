"""Signal checks made by mentors in the field, written to the connectivity ledger.

A mentor records the mobile network seen in a village (none, 2G, 3G, 4G) and, when there is a
connection, how long a fixed-size download took. The ledger keeps it as a ``VillageFact`` of the
``signal_check`` layer (shown with the village, never changing the computed coverage); the
measurement and the device's ``client_id`` go into the audit event of the check, which is also
how a replayed record is recognised.

``record_signal_check`` is the one write path; ``apply_signal_check`` is the mentor app's sync
handler for records of kind ``signal_check``, listed in ``settings.MENTOR_SYNC_KINDS``.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.services import acting_person
from tumbuh.connectivity import queries
from tumbuh.connectivity.access import Actor
from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.models import Technology, VillageFact
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.core.times import local_date
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.mentor import caseload
from tumbuh.programmes.mentor.sync import (
    APPLIED,
    DUPLICATE,
    Result,
    SyncRecord,
    moment_field,
    text_field,
)
from tumbuh.regions.models import Village

SOURCE = "Cek sinyal pendamping"
ACTION = "connectivity.signal_check"
MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024
MAX_DOWNLOAD_MS = 10 * 60 * 1000


def kbit_per_second(download_bytes: int | None, download_ms: int | None) -> int | None:
    if not download_bytes or not download_ms:
        return None
    return round(download_bytes * 8 / download_ms)


def _detail(technology: str, place: str, download_bytes, download_ms) -> str:
    parts = []
    if place:
        parts.append(place)
    speed = kbit_per_second(download_bytes, download_ms)
    if speed is not None:
        # Stored words are Indonesian, like the rest of the ledger's details, whatever the
        # language of the page the check came from.
        parts.append(
            f"unduh {round(download_bytes / 1024)} KB dalam {download_ms} ms ({speed} kbit/s)"
        )
    return "; ".join(parts)[:200]


def may_check_signal(by: Actor | None, village: Village, memo: dict | None = None) -> bool:
    """A mentor who covers the village (or has a business of their caseload there), or an actor
    who may plan infrastructure in it; nobody else, and no actor at all."""
    if isinstance(by, User):
        memo = {} if memo is None else memo
        try:
            mentor = caseload.require_mentor(by, memo)
        except Refused:
            mentor = None
        if mentor is not None and village.code in caseload.village_codes(mentor, memo):
            return True
    return by is not None and queries.may_plan(by) and queries.scope_of(by).allows(village.code)


def record_signal_check(
    *,
    by: Actor,
    village: Village,
    technology: str,
    checked_at: datetime.datetime,
    place: str = "",
    download_bytes: int | None = None,
    download_ms: int | None = None,
    client_id: str = "",
    memo: dict | None = None,
) -> VillageFact:
    """Write a signal check as a ledger fact of the village, with an audit event.

    ``by`` must be a mentor of the village or an actor who may plan there
    (:func:`may_check_signal`; ``memo`` keeps the mentor's caseload for a sync batch), or the
    check is refused with ``PermissionDenied``. Several checks of the same network in the same
    village on the same day are one fact (the first detail stays); every check keeps its own
    audit event with its measurement.
    """
    if not may_check_signal(by, village, memo):
        raise PermissionDenied(_("You do not check the signal in this village."))
    if technology not in Technology.values:
        raise Refused(
            ConnectivityError.UNKNOWN_TECHNOLOGY,
            _("Unknown network type “%(value)s”: choose none, 2G, 3G or 4G.")
            % {"value": technology[:10]},
            field="technology",
        )
    if (download_bytes is None) != (download_ms is None):
        raise Refused(
            ConnectivityError.MEASUREMENT_INCOMPLETE,
            _("A download measurement needs both its size and its time."),
        )
    if download_bytes is not None and not (
        0 < download_bytes <= MAX_DOWNLOAD_BYTES and 0 < download_ms <= MAX_DOWNLOAD_MS
    ):
        raise Refused(
            ConnectivityError.MEASUREMENT_OUT_OF_RANGE,
            _("The download measurement is out of range."),
        )
    observed_on = local_date(checked_at, village)
    with transaction.atomic():
        fact, _created = VillageFact.objects.get_or_create(
            village=village,
            layer=VillageFact.Layer.SIGNAL_CHECK,
            value=technology,
            source=SOURCE,
            observed_on=observed_on,
            defaults={
                "detail": _detail(technology, place, download_bytes, download_ms),
                "recorded_by": acting_person(by),
            },
        )
        record_event(
            actor=by,
            action=ACTION,
            target=fact,
            region_code=village.code,
            data={
                "client_id": client_id,
                "technology": technology,
                "checked_at": checked_at.isoformat(),
                "place": place,
                "download_bytes": download_bytes,
                "download_ms": download_ms,
            },
        )
    return fact


def _number(data: dict, key: str) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Refused(
            ProgrammesError.MALFORMED,
            _("The field “%(field)s” must be a number.") % {"field": key},
        )
    try:
        return int(value)
    except ValueError:
        raise Refused(
            ProgrammesError.MALFORMED,
            _("The field “%(field)s” must be a number.") % {"field": key},
        ) from None


def _server(fact: VillageFact, data: dict) -> dict:
    return {
        "village": fact.village_id,
        "technology": data.get("technology", fact.value),
        "observed_on": fact.observed_on.isoformat(),
        "kbit_per_second": kbit_per_second(data.get("download_bytes"), data.get("download_ms")),
    }


def apply_signal_check(*, user, record: SyncRecord, memo=None) -> Result:
    """The sync handler: ``{village, technology, checked_at, place?, download_bytes?,
    download_ms?}`` for a village the mentor covers or has a business of the caseload in."""
    mentor = caseload.require_mentor(user, memo)
    replay = (
        AuditEvent.objects.filter(actor=user, action=ACTION, data__client_id=record.client_id)
        .order_by("pk")
        .first()
    )
    if replay is not None:
        fact = VillageFact.objects.filter(pk=replay.target_id).first()
        server = _server(fact, replay.data) if fact else {"village": replay.region_code}
        return Result(client_id=record.client_id, status=DUPLICATE, server=server)
    data = record.data
    code = text_field(data, "village", limit=13)
    village = None
    if code in caseload.village_codes(mentor, memo):
        village = Village.objects.select_related("regency__province").get(code=code)
    if village is None:
        raise Refused(
            ProgrammesError.NOT_IN_CASELOAD,
            _("This village is not one you cover or have a business of your caseload in."),
        )
    download_bytes = _number(data, "download_bytes")
    download_ms = _number(data, "download_ms")
    technology = text_field(data, "technology", limit=4).lower()
    checked_at = moment_field(data, "checked_at", label=_("The time of the check"), place=village)
    place = text_field(data, "place", limit=80, required=False)
    try:
        fact = record_signal_check(
            by=user,
            village=village,
            technology=technology,
            checked_at=checked_at,
            place=place,
            download_bytes=download_bytes,
            download_ms=download_ms,
            client_id=record.client_id,
            memo=memo,
        )
    except ValidationError as error:
        # The sync protocol answers every refusal of the ledger's write path as "invalid".
        raise Refused(ProgrammesError.INVALID, " ".join(error.messages)) from None
    measured = {"technology": fact.value, "download_bytes": download_bytes}
    measured["download_ms"] = download_ms
    return Result(client_id=record.client_id, status=APPLIED, server=_server(fact, measured))
