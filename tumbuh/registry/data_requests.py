"""Owners' requests to correct or delete their personal data (UU 27/2022), and their answers.

The owner writes a request for one of their businesses (``open_data_request``) from their data
page; the registry staff of the business's region answer it in the console before its due time
(``settings.TUMBUH_DATA_REQUEST_DAYS`` per kind) with ``decide_data_request``: refused, or done —
a correction made (``correct_owner_data``), or the person erased (``erase_person``). Every step
is an audit event that names the fields changed, never their values. A partner's source record
is otherwise never overwritten; erasure is the exception the law makes.
"""

import datetime
import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.services import acting_person
from tumbuh.core import personal
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.core.validators import mask_phone, normalise_phone, validate_nik
from tumbuh.registry.error_codes import RegistryError
from tumbuh.registry.models import DataRequest, Enterprise, Person, SourceRecord
from tumbuh.registry.personal_data import (
    REQUEST_REGION_FIELD,
    account_roles,
    clean_text,
    may_handle,
    name_key,
    own_people,
    personal_data_scope,
    require_handler,
)
from tumbuh.registry.services import surviving


def due_after(kind: str) -> datetime.timedelta:
    return datetime.timedelta(days=settings.TUMBUH_DATA_REQUEST_DAYS[kind])


@transaction.atomic
def open_data_request(*, enterprise: Enterprise, kind: str, text: str, by: User) -> DataRequest:
    """``by``, who acts for ``enterprise``, asks to correct or delete their data there."""
    roles = account_roles(by) if isinstance(by, User) and by.is_authenticated else {}
    enterprise = surviving(enterprise)
    if enterprise.pk not in roles:
        raise Refused(
            RegistryError.NOT_YOUR_BUSINESS, _("You can ask only about your own business.")
        )
    if kind not in DataRequest.Kind.values:
        raise Refused(
            RegistryError.UNKNOWN_REQUEST_KIND,
            _("Choose a correction or a deletion."),
            field="kind",
        )
    text = clean_text(
        text,
        code=RegistryError.REQUEST_TEXT_REQUIRED,
        message=_("Say what should be corrected or deleted."),
        field="text",
    )
    if DataRequest.objects.filter(
        enterprise=enterprise, requested_by=by, kind=kind, status=DataRequest.Status.OPEN
    ).exists():
        raise Refused(
            RegistryError.REQUEST_ALREADY_OPEN,
            _("You already have an open request of this kind for this business."),
        )
    people = own_people(by, enterprise, role=roles[enterprise.pk])
    now = timezone.now()
    data_request = DataRequest.objects.create(
        kind=kind,
        enterprise=enterprise,
        person=people[0] if len(people) == 1 else None,
        requested_by=by,
        text=text,
        created_at=now,
        due_at=now + due_after(kind),
    )
    record_event(
        actor=by,
        action="registry.data_request_opened",
        target=data_request,
        region_code=enterprise.village_id,
        data={"kind": kind, "enterprise": enterprise.public_id},
    )
    return data_request


def handled_requests(user) -> QuerySet[DataRequest]:
    """The requests about businesses of the handler's regions."""
    scope = personal_data_scope(user)
    requests = DataRequest.objects.select_related(
        "enterprise__village__regency", "requested_by", "handled_by", "person"
    )
    return scope.filter(requests, REQUEST_REGION_FIELD)


def request_people(data_request: DataRequest) -> list[Person]:
    """The people whose data a request may change: the owners of its (surviving) business."""
    enterprise = surviving(data_request.enterprise)
    return [
        ownership.person
        for ownership in enterprise.ownerships.select_related("person").order_by("pk")
        if ownership.person.erased_at is None
    ]


def decide_data_request(
    *,
    data_request: DataRequest,
    accept: bool,
    answer: str,
    by: User,
    person: Person | None = None,
    corrections: dict | None = None,
) -> DataRequest:
    """Answer a request: accepted (the correction made, or ``person`` erased) or refused.

    ``corrections`` (for an accepted correction) holds the new values of ``full_name``,
    ``nik``, ``birth_date``, ``sex`` of ``person`` and ``phone`` of the business; empty ones
    are left as they are. The answer is what the owner reads.
    """
    enterprise = surviving(data_request.enterprise)
    require_handler(by, enterprise)
    answer = clean_text(
        answer,
        code=RegistryError.ANSWER_REQUIRED,
        message=_("Write the answer the owner will read."),
        field="answer",
    )
    corrections = {key: value for key, value in (corrections or {}).items() if value}
    needs_person = data_request.kind == DataRequest.Kind.DELETION or (set(corrections) - {"phone"})
    owners = {owner.pk for owner in request_people(data_request)}
    if accept and needs_person and (person is None or person.pk not in owners):
        raise Refused(
            RegistryError.PERSON_REQUIRED, _("Choose the owner whose data this is."), field="person"
        )
    status = DataRequest.Status.DONE if accept else DataRequest.Status.REFUSED
    with transaction.atomic():
        claimed = DataRequest.objects.filter(
            pk=data_request.pk, status=DataRequest.Status.OPEN
        ).update(
            status=status, answer=answer, handled_by=acting_person(by), handled_at=timezone.now()
        )
        if not claimed:
            raise Refused(
                RegistryError.REQUEST_ALREADY_ANSWERED, _("This request was already answered.")
            )
        changed: list[str] = []
        if accept and data_request.kind == DataRequest.Kind.DELETION:
            erase_person(person=person, by=by)
        elif accept and corrections:
            changed = correct_owner_data(person=person, enterprise=enterprise, by=by, **corrections)
        record_event(
            actor=by,
            action=f"registry.data_request_{status}",
            target=data_request,
            region_code=enterprise.village_id,
            data={
                "kind": data_request.kind,
                "person": person.public_id if person and accept else None,
                "corrected": changed,
            },
        )
    data_request.refresh_from_db()
    return data_request


@transaction.atomic
def correct_owner_data(
    *,
    person: Person | None,
    enterprise: Enterprise,
    by: User,
    full_name: str = "",
    nik: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    phone: str = "",
) -> list[str]:
    """Correct an owner's record and the business's phone; returns the fields changed (their
    names only: the event never holds the values)."""
    require_handler(by, enterprise)
    changed = []
    if person is not None:
        person = Person.objects.select_for_update().get(pk=person.pk)
        if full_name.strip():
            person.full_name = " ".join(full_name.split())[:150]
            changed.append("full_name")
        if birth_date:
            person.birth_date = birth_date
            changed.append("birth_date")
        if sex:
            if sex not in Person.Sex.values:
                raise Refused(RegistryError.SEX_INVALID, _("Choose the sex."), field="sex")
            person.sex = sex
            changed.append("sex")
        if nik:
            try:
                check = validate_nik(nik, birth_date=person.birth_date, sex=person.sex or None)
            except ValidationError as error:
                raise Refused(RegistryError.NIK_INVALID, error.messages, field="nik") from None
            nik_hash = personal.keyed_hash("nik", check.nik)
            if Person.objects.filter(nik_hash=nik_hash).exclude(pk=person.pk).exists():
                raise Refused(
                    RegistryError.NIK_TAKEN,
                    _("Another person in the registry has this NIK; check it against the KTP."),
                    field="nik",
                )
            person.nik_hash = nik_hash
            person.nik_encrypted = personal.encrypt(check.nik, context="nik")
            person.nik_masked = personal.mask_nik(check.nik)
            person.nik_flags = list(check.flags)
            changed.append("nik")
        person.save()
    if phone:
        try:
            e164 = normalise_phone(phone)
        except ValidationError as error:
            raise Refused(RegistryError.PHONE_INVALID, error.messages, field="phone") from None
        Enterprise.objects.filter(pk=enterprise.pk).update(
            phone_hash=personal.keyed_hash("phone", e164),
            phone_encrypted=personal.encrypt(e164, context="phone"),
            phone_masked=mask_phone(e164),
        )
        changed.append("phone")
    record_event(
        actor=by,
        action="registry.owner_data_corrected",
        target=person or enterprise,
        region_code=enterprise.village_id,
        data={"enterprise": enterprise.public_id, "fields": changed},
    )
    return changed


def _digits(text: str) -> str:
    return re.sub(r"\D", "", str(text or ""))


def _is_about(record: SourceRecord, person: Person, name: str, sole_owner: bool) -> bool:
    """True when ``record`` (a partner row) describes ``person``."""
    if sole_owner:
        return True
    owner_header = (record.batch.mapping if record.batch else {}).get("owner_name")
    if owner_header and name and name_key(record.values.get(owner_header, "")) == name:
        return True
    if person.nik_hash and record.personal_encrypted:
        values = json.loads(personal.decrypt(bytes(record.personal_encrypted), context="source"))
        return any(
            len(_digits(value)) == 16
            and personal.keyed_hash("nik", _digits(value)) == person.nik_hash
            for value in values.values()
        )
    return False


@transaction.atomic
def erase_person(*, person: Person, by: User) -> Person:
    """Erase ``person``'s name, NIK, birth date, sex and phone, at their request.

    The person stays an owner of their businesses (each still counted once), without anything
    that identifies them. The partner rows about them lose their personal columns and the
    owner's name; a business they alone own loses its phone number, which is theirs. Only the
    staff of one of their businesses' regions may do it (through an accepted deletion request).
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        raise Refused(RegistryError.ALREADY_ERASED, _("This person's data was already erased."))
    enterprise_ids = list(person.ownerships.values_list("enterprise_id", flat=True))
    enterprises = list(Enterprise.objects.filter(pk__in=enterprise_ids).order_by("pk"))
    if not any(may_handle(by, enterprise) for enterprise in enterprises):
        raise Refused(
            RegistryError.PERSONAL_DATA_NOT_ALLOWED,
            _("Only the registry staff of this business's region may do this."),
        )
    owners_of = {enterprise.pk: enterprise.ownerships.count() for enterprise in enterprises}
    name = name_key(person.full_name)
    nik_digits = (
        personal.decrypt(bytes(person.nik_encrypted), context="nik")
        if person.nik_encrypted
        else None
    )
    erased_rows = 0
    records = SourceRecord.objects.filter(enterprise_id__in=enterprise_ids).select_related("batch")
    for record in records.order_by("pk"):
        if not _is_about(record, person, name, owners_of[record.enterprise_id] == 1):
            continue
        owner_header = (record.batch.mapping if record.batch else {}).get("owner_name")
        record.values = {
            header: ""
            if header == owner_header or (nik_digits and nik_digits in _digits(value))
            else value
            for header, value in record.values.items()
        }
        record.personal_encrypted = None
        record.save(update_fields=["values", "personal_encrypted"])
        erased_rows += 1
    phones = Enterprise.objects.filter(
        pk__in=[pk for pk, count in owners_of.items() if count == 1]
    ).update(phone_hash="", phone_encrypted=None, phone_masked="")
    person.full_name = ""
    person.nik_hash = None
    person.nik_encrypted = None
    person.nik_masked = ""
    person.nik_flags = []
    person.birth_date = None
    person.sex = ""
    person.phone_hash = ""
    person.phone_encrypted = None
    person.phone_masked = ""
    person.erased_at = timezone.now()
    person.save()
    # The blocking keys of their businesses hash the owner's name: made again without it.
    from tumbuh.registry.resolution import candidates
    from tumbuh.registry.services import registry_records

    candidates.store_keys(candidates.keys_of(registry_records(enterprise_ids=enterprise_ids)))
    record_event(
        actor=by,
        action="registry.person_erased",
        target=person,
        region_code=enterprises[0].village_id if enterprises else "",
        data={
            "enterprises": [enterprise.public_id for enterprise in enterprises],
            "partner_rows": erased_rows,
            "business_phones": phones,
        },
    )
    return person
