"""Owners' personal data under UU 27/2022: who sees it in full, and the owners' own rights.

The registry keeps a person's NIK and phone number encrypted and shows them masked
(``core.personal``). This module holds every path that goes further, each one audited:

- **Revealing a NIK** (``reveal_nik``): the staff who answer for a region's registry (admins
  and officers of the ministry and the regional offices, not partners) may see an owner's full
  NIK, each time giving a reason; the event records who, when, which person and why, never the
  NIK. The ministry's and offices' admins list these events (``nik_reveals``).
- **An owner's copy of their data** (``export_owner_data``): the account, the businesses they
  act for, their own person record with the NIK in full (it is theirs), where the registry's
  rows came from, who saw their NIK and why, and their requests. Nobody else's person record
  is in it: co-owners are counted, not described.
- **Requests to correct or delete**: in ``registry.data_requests``.
- **Partner files at rest** (``purge_import_files``): an import deletes its stored copy of the
  partner's file when it is done; a file that was uploaded and never imported, or whose import
  failed, is deleted after a few days.

Which person record is an owner's own (``own_people``): the registry has no link from a login to
a person, so it is the person of the business whose phone number is the one the owner signs in
with or whose name is the account's name; failing that, when the login holds the owner's account
of a business with a single owner, that owner (the officer who linked the account vouched that
the login is the owner).
"""

import datetime
import json
import re

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Membership, User
from tumbuh.accounts.scoping import NOWHERE, RegionScope, reach_for
from tumbuh.core import personal
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.registry import queries
from tumbuh.registry.error_codes import RegistryError
from tumbuh.registry.models import (
    DataRequest,
    Enterprise,
    EnterpriseAccount,
    ImportBatch,
    Ownership,
    Person,
    SourceRecord,
)
from tumbuh.registry.services import enterprises_of, surviving

Role = Membership.Role
# Who answers for a region's personal data: the registry's government staff, never a partner.
HANDLER_ROLES = frozenset({Role.ADMIN, Role.OFFICER})
# Who reads the record of NIK reveals: the admins of the ministry and the regional offices.
AUDITOR_ROLES = frozenset({Role.ADMIN})
REVEAL_ACTION = "registry.nik_revealed"
REASON_MIN_LENGTH = 10
TEXT_MAX_LENGTH = 2000
REQUEST_REGION_FIELD = "enterprise__village__code"


# --- who may ----------------------------------------------------------------------------------


def personal_data_scope(user, *, roles=HANDLER_ROLES) -> RegionScope:
    """Where ``user`` may see personal data in full and answer owners' requests.

    The regions of ``user``'s memberships with one of ``roles`` in the ministry or a regional
    office (the government part of ``accounts.scoping.reach_for``); nowhere for everyone else
    (partners, mentors, sellers, owners, API keys). A superuser, the system actor included:
    everywhere. No query once the request has read the person's memberships.
    """
    if not isinstance(user, User):
        return NOWHERE
    return reach_for(user, roles=roles).regions


def may_handle(user, enterprise: Enterprise | None = None, *, roles=HANDLER_ROLES) -> bool:
    """True when ``user`` may reveal NIKs and answer requests (for ``enterprise``, if given)."""
    scope = personal_data_scope(user, roles=roles)
    if enterprise is None:
        return not scope.is_empty
    return scope.allows(enterprise.village_id)


def require_handler(by, enterprise: Enterprise) -> None:
    if not may_handle(by, enterprise):
        raise Refused(
            RegistryError.PERSONAL_DATA_NOT_ALLOWED,
            _("Only the registry staff of this business's region may do this."),
        )


def clean_text(text: str, *, code: RegistryError, message: str, field: str, minimum=1) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise Refused(code, message, field=field)
    if len(text) > TEXT_MAX_LENGTH:
        raise Refused(
            code,
            _("Write at most %(count)s characters.") % {"count": TEXT_MAX_LENGTH},
            field=field,
        )
    if personal.has_identity_number(text):
        raise Refused(RegistryError.IDENTITY_NUMBER_IN_TEXT, identity_number_message(), field=field)
    return text


def identity_number_message() -> str:
    return _(
        "Do not write a NIK or a family card number here: the text is kept as written. "
        "The officer checks identity numbers against the KTP."
    )


# --- revealing a NIK --------------------------------------------------------------------------


@transaction.atomic
def reveal_nik(*, person: Person, enterprise: Enterprise, reason: str, by: User) -> str:
    """Return ``person``'s full NIK for ``by``, an owner of ``enterprise``, and record why.

    The audit event names the actor, the person, the business and the reason, never the NIK.
    The caller shows it once, on a page that is not stored (``Cache-Control: no-store``), and
    never puts it in a URL, a log line or a cache.
    """
    require_handler(by, enterprise)
    if not Ownership.objects.filter(enterprise=enterprise, person=person).exists():
        raise Refused(
            RegistryError.NOT_AN_OWNER, _("This person is not an owner of this business.")
        )
    reason = clean_text(
        reason,
        code=RegistryError.REASON_REQUIRED,
        message=_("Say why you need the full NIK (at least %(count)s characters).")
        % {"count": REASON_MIN_LENGTH},
        field="reason",
        minimum=REASON_MIN_LENGTH,
    )
    if not person.nik_encrypted:
        raise Refused(RegistryError.NO_NIK, _("No NIK is recorded for this person."))
    record_event(
        actor=by,
        action=REVEAL_ACTION,
        target=person,
        region_code=enterprise.village_id,
        data={"enterprise": enterprise.public_id, "person": person.public_id, "reason": reason},
    )
    return personal.decrypt(bytes(person.nik_encrypted), context="nik")


def nik_reveals(user) -> QuerySet[AuditEvent]:
    """The NIK reveals of the auditor's regions, newest first."""
    scope = personal_data_scope(user, roles=AUDITOR_ROLES)
    events = AuditEvent.objects.filter(action=REVEAL_ACTION).select_related("actor")
    return scope.filter(events, "region_code").order_by("-created_at", "-pk")


def describe_reveals(events) -> list[dict]:
    """Each reveal of ``events`` with its business and person (two queries for a page)."""
    events = list(events)
    people = Person.objects.in_bulk({int(event.target_id) for event in events})
    enterprises = {
        enterprise.public_id: enterprise
        for enterprise in Enterprise.objects.filter(
            public_id__in={event.data.get("enterprise") for event in events}
        ).select_related("village__regency")
    }
    return [
        {
            "event": event,
            "person": people.get(int(event.target_id)),
            "enterprise": enterprises.get(event.data.get("enterprise")),
            "reason": event.data.get("reason", ""),
        }
        for event in events
    ]


# --- an owner's own data ----------------------------------------------------------------------


def name_key(name: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", (name or "").lower()).split())


def account_roles(user) -> dict[int, str]:
    """The role of ``user``'s business accounts by surviving business id (owner wins)."""
    roles: dict[int, str] = {}
    accounts = EnterpriseAccount.objects.filter(user=user).select_related("enterprise")
    for account in accounts:
        pk = surviving(account.enterprise).pk
        if roles.get(pk) != EnterpriseAccount.Role.OWNER:
            roles[pk] = account.role
    return roles


def own_people(user, enterprise: Enterprise, *, role: str | None = None) -> list[Person]:
    """The person records of ``enterprise`` (a surviving business) that are ``user``'s own.

    See the module's docstring for the rule. Erased people are no one's any more.
    """
    if role is None:
        role = account_roles(user).get(enterprise.pk)
    if role is None:
        return []
    ownerships = list(enterprise.ownerships.select_related("person").order_by("pk"))
    people = [ownership.person for ownership in ownerships if ownership.person.erased_at is None]
    phone_hash = personal.keyed_hash("phone", user.phone) if user.phone else None
    name = name_key(user.full_name)
    matched = [
        person
        for person in people
        if (phone_hash and person.phone_hash == phone_hash)
        or (name and name_key(person.full_name) == name)
    ]
    if matched:
        return matched
    if role == EnterpriseAccount.Role.OWNER and len(ownerships) == 1:
        return people
    return []


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def _person_data(person: Person) -> dict:
    return {
        "id": person.public_id,
        "full_name": person.full_name,
        "nik": personal.decrypt(bytes(person.nik_encrypted), context="nik")
        if person.nik_encrypted
        else None,
        "nik_flags": list(person.nik_flags),
        "birth_date": _moment(person.birth_date),
        "sex": person.get_sex_display() if person.sex else None,
        "phone": personal.decrypt(bytes(person.phone_encrypted), context="phone")
        if person.phone_encrypted
        else None,
    }


def _partner_rows(enterprise: Enterprise) -> list[dict]:
    """Where the registry's knowledge of the business came from, without anyone's name."""
    rows = []
    records = SourceRecord.objects.filter(enterprise=enterprise).select_related(
        "organisation", "batch"
    )
    for record in records.order_by("imported_at", "pk"):
        mapping = record.batch.mapping if record.batch else {}
        owner_header = mapping.get("owner_name")
        rows.append(
            {
                "organisation": record.organisation.name,
                "file": record.file_name,
                "row": record.row_number,
                "imported_at": _moment(record.imported_at),
                "values": {
                    header: value
                    for header, value in queries.shown_values(record.values, mapping)
                    if header != owner_header and value
                },
            }
        )
    return rows


def _business_data(user, enterprise: Enterprise, role: str) -> dict:
    people = own_people(user, enterprise, role=role)
    village = enterprise.village
    return {
        "id": enterprise.public_id,
        "name": enterprise.name,
        "your_role": role,
        "kind": enterprise.get_kind_display(),
        "scale": enterprise.get_scale_display() or None,
        "nib": enterprise.nib,
        "kbli": sorted(enterprise.kbli_codes.values_list("code", flat=True)),
        "village": {
            "code": village.code,
            "name": village.name,
            "regency": village.regency.name,
            "province": village.regency.province.name,
        },
        "address": enterprise.address,
        "phone": personal.decrypt(bytes(enterprise.phone_encrypted), context="phone")
        if enterprise.phone_encrypted
        else None,
        "email": enterprise.email or None,
        "links": list(enterprise.links),
        "you": [_person_data(person) for person in people],
        "other_people": enterprise.ownerships.exclude(person__in=people).count(),
        "milestones": [
            {"kind": milestone.get_kind_display(), "at": _moment(milestone.occurred_at)}
            for milestone in enterprise.milestones.order_by("occurred_at", "pk")
        ],
        "partner_rows": _partner_rows(enterprise),
        "nik_seen_by_staff": [
            {"at": _moment(event.created_at), "reason": event.data.get("reason", "")}
            for event in AuditEvent.objects.filter(
                action=REVEAL_ACTION, target_id__in=[str(person.pk) for person in people]
            ).order_by("created_at", "pk")
        ],
    }


def owner_data(user) -> dict:
    """Everything the registry holds about ``user`` as an owner or manager of businesses."""
    roles = account_roles(user)
    businesses = [
        _business_data(user, enterprise, roles[enterprise.pk])
        for enterprise in enterprises_of(user)
        if enterprise.pk in roles
    ]
    requests = DataRequest.objects.filter(requested_by=user).select_related("enterprise")
    return {
        "about": _(
            "The data Tumbuh holds about you, made when you asked for it. Your NIK and phone "
            "number are in full: keep this file safe."
        ),
        "made_at": _moment(timezone.now()),
        "account": {
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "joined_at": _moment(user.date_joined),
        },
        "businesses": businesses,
        "data_requests": [
            {
                "id": request.public_id,
                "business": request.enterprise.name,
                "kind": request.get_kind_display(),
                "text": request.text,
                "status": request.get_status_display(),
                "made_at": _moment(request.created_at),
                "due_at": _moment(request.due_at),
                "answered_at": _moment(request.handled_at),
                "answer": request.answer,
            }
            for request in requests.order_by("created_at", "pk")
        ],
    }


def export_owner_data(*, by: User) -> bytes:
    """``by``'s own data as JSON (UTF-8), made now and never written to disk; the copy is
    recorded as an audit event."""
    if not isinstance(by, User) or not by.is_authenticated:
        raise Refused(RegistryError.NOT_YOUR_BUSINESS, _("Sign in to download your data."))
    data = owner_data(by)
    record_event(
        actor=by,
        action="registry.owner_data_downloaded",
        target=by,
        data={"businesses": [business["id"] for business in data["businesses"]]},
    )
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


# --- partner files at rest --------------------------------------------------------------------


def purge_import_files(*, older_than: datetime.timedelta, by: User) -> int:
    """Delete the stored partner files of imports uploaded more than ``older_than`` ago that
    never ran or failed; returns how many. A done import deleted its file already; a queued or
    running one still needs it. Run by the system (``tumbuh purge_import_files``)."""
    if not isinstance(by, User) or not by.is_superuser:
        raise Refused(
            RegistryError.PERSONAL_DATA_NOT_ALLOWED, _("Only the system purges partner files.")
        )
    stale = (
        ImportBatch.objects.exclude(file="")
        .filter(
            status__in=[ImportBatch.Status.UPLOADED, ImportBatch.Status.FAILED],
            created_at__lt=timezone.now() - older_than,
        )
        .select_related("organisation")
    )
    purged = 0
    for batch in stale.order_by("pk"):
        with transaction.atomic():
            batch.file.delete(save=True)
            record_event(
                actor=by,
                action="registry.import_file_purged",
                target=batch,
                region_code=batch.organisation.region_code,
                data={"status": batch.status},
            )
        purged += 1
    return purged
