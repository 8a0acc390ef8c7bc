"""NIB assistance: what the OSS steps need, and recording the NIB that ends a case.

Steps (``NibCase.Step``): the applicant's account and data, the business data, the KBLI
activities, submitted to OSS, NIB issued. The moving itself is ``cases.advance_case``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts.models import User
from tumbuh.core import personal
from tumbuh.core.refusals import Refused
from tumbuh.core.validators import (
    mask_phone,
    normalise_phone,
    validate_kbli,
    validate_nib,
    validate_nik,
)
from tumbuh.licensing import oss
from tumbuh.licensing.error_codes import LicensingError
from tumbuh.licensing.models import NibCase
from tumbuh.licensing.services.cases import (
    Actor,
    advance_case,
    check_transition,
    key_seen,
    lock,
    move,
    open_case,
    record_case_milestone,
    require_may_move,
    require_may_start,
)
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.services import surviving

MAX_KBLI_CODES = 10
# Also what the business form says when it cannot read the number typed.
CAPITAL_MESSAGE = gettext_lazy("Enter the business capital in whole rupiah (0 or more).")
WORKFORCE_MESSAGE = gettext_lazy("Enter the number of workers (0 or more).")


@dataclass(frozen=True)
class Applicant:
    """What leaving the "account" step needs: the applicant as on the KTP, and an e-mail
    address or a WhatsApp number for the OSS account."""

    applicant_name: str = ""
    nik: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class BusinessData:
    """What leaving the "business" step needs, as entered in OSS. A field left empty (``""``,
    ``None``) keeps what the case holds: the registry's data copied when the case started."""

    business_name: str = ""
    address: str = ""
    village: str = ""  # the village's Kemendagri code
    capital_idr: int | None = None
    workforce: int | None = None
    scale: str = ""


def start_nib_case(
    *, enterprise: Enterprise, by: Actor, assigned_mentor: User | None = None
) -> NibCase:
    """Open a NIB case for ``enterprise`` (its surviving record), in the first step.

    Refused when ``by`` may not start cases for the business, when the business already has a
    NIB or already has an open NIB case, or when the assigned mentor does not mentor in the
    business's region. A mentor who starts a case is its assigned mentor.
    """
    require_may_start(by, enterprise)
    enterprise = surviving(enterprise)
    if enterprise.nib:
        raise Refused(
            LicensingError.ALREADY_HAS_NIB,
            _("%(name)s already has a NIB (%(nib)s)."),
            params={"name": enterprise.name, "nib": enterprise.nib},
        )
    return open_case(
        model=NibCase,
        enterprise=enterprise,
        by=by,
        assigned_mentor=assigned_mentor,
        already_open=_("%(name)s already has an open NIB case."),
        business_name=enterprise.name,
        address=enterprise.address,
        village_id=enterprise.village_id,
        scale=enterprise.scale,
    )


def _clean_applicant(applicant: Applicant) -> dict:
    """Step 1's data: the applicant's name, NIK, and an e-mail or WhatsApp number."""
    errors = {}
    cleaned: dict = {}
    name = (applicant.applicant_name or "").strip()
    if not name:
        errors["applicant_name"] = _("Enter the applicant's name as on the KTP.")
    cleaned["applicant_name"] = name
    try:
        cleaned["nik"] = validate_nik(applicant.nik or "").nik
    except ValidationError as error:
        errors["nik"] = error.messages
    email = (applicant.email or "").strip()
    phone = (applicant.phone or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if not email and not phone:
        errors["email"] = _("OSS needs an e-mail address or a WhatsApp number; enter one.")
    cleaned["email"], cleaned["phone"] = email, phone
    if errors:
        raise Refused(LicensingError.APPLICANT_INVALID, errors)
    return cleaned


def _leave_account(case: NibCase, applicant: Applicant | None) -> dict:
    cleaned = _clean_applicant(applicant or Applicant())
    nik = cleaned["nik"]
    case.applicant_name = cleaned["applicant_name"]
    case.nik_hash = personal.keyed_hash("nik", nik)
    case.nik_encrypted = personal.encrypt(nik, context="nik")
    case.nik_masked = personal.mask_nik(nik)
    case.email = cleaned["email"]
    phone = cleaned["phone"]
    case.phone_hash = personal.keyed_hash("phone", phone) if phone else ""
    case.phone_encrypted = personal.encrypt(phone, context="phone") if phone else None
    case.phone_masked = mask_phone(phone) if phone else ""
    return {}  # never the NIK or the phone number


def _clean_business(case: NibCase, business: BusinessData) -> dict:
    """Step 2's data; anything not given is taken from what the case (the registry) holds."""
    errors = {}
    cleaned: dict = {}
    name = (business.business_name or case.business_name or "").strip()
    if not name:
        errors["business_name"] = _("Enter the business name.")
    cleaned["business_name"] = name
    address = (business.address or case.address or "").strip()
    if not address:
        errors["address"] = _("Enter the business address.")
    cleaned["address"] = address
    village_code = (business.village or case.village_id or "").strip()
    if not Village.objects.filter(code=village_code).exists():
        errors["village"] = _("Choose the village (kelurahan/desa) of the business.")
    cleaned["village_id"] = village_code
    for field, message in (("capital_idr", CAPITAL_MESSAGE), ("workforce", WORKFORCE_MESSAGE)):
        number = getattr(business, field)
        if number is None:
            number = getattr(case, field)
        if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
            cleaned[field] = number
        else:
            errors[field] = str(message)
    scale = business.scale or case.scale or ""
    if scale not in Enterprise.Scale.values:
        errors["scale"] = _("Choose the scale: micro, small or medium.")
    cleaned["scale"] = scale
    if errors:
        raise Refused(LicensingError.BUSINESS_INVALID, errors)
    return cleaned


def _leave_business(case: NibCase, business: BusinessData | None) -> dict:
    for field, value in _clean_business(case, business or BusinessData()).items():
        setattr(case, field, value)
    return {"scale": case.scale}


def clean_kbli_codes(values: Iterable[str]) -> list[str]:
    """KBLI 2020 kelompok codes, validated, duplicates dropped, order kept (main one first)."""
    codes: list[str] = []
    problems: list[str] = []
    for value in values:
        try:
            code = validate_kbli(value)
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        if code not in codes:
            codes.append(code)
    if problems:
        raise Refused(LicensingError.KBLI_INVALID, {"kbli_codes": problems})
    if not codes:
        raise Refused(
            LicensingError.KBLI_INVALID, {"kbli_codes": _("Choose at least one KBLI code.")}
        )
    if len(codes) > MAX_KBLI_CODES:
        raise Refused(
            LicensingError.KBLI_INVALID,
            {"kbli_codes": _("Choose at most %(count)d KBLI codes.") % {"count": MAX_KBLI_CODES}},
        )
    return codes


def _leave_kbli(case: NibCase, kbli_codes: Sequence[str] | None) -> dict:
    # None or nothing chosen: the codes the case already holds (sent back from "submitted").
    case.kbli_codes = clean_kbli_codes(kbli_codes or case.kbli_codes or [])
    case.submitted_at = timezone.now()
    return {"kbli_codes": case.kbli_codes}


def advance_nib_case(
    *,
    case: NibCase,
    to: str,
    by: Actor,
    applicant: Applicant | None = None,
    business: BusinessData | None = None,
    kbli_codes: Sequence[str] | None = None,
    nib: str = "",
    confirmed_with_oss: bool = False,
    reason: str = "",
    idempotency_key: str = "",
) -> NibCase:
    """Move a NIB case to ``to`` with the data of the step it leaves.

    Forwards, one step at a time: leaving "account" needs the ``applicant``; leaving
    "business" needs the ``business`` data (what is not given comes from the case); leaving
    "kbli" needs at least one valid KBLI 2020 code (``kbli_codes``, or those the case holds);
    reaching "issued" needs the ``nib`` (see :func:`record_nib`). A submission that OSS sends
    back may return to the business data or KBLI step, with a ``reason``.
    """
    if to == NibCase.Step.ISSUED:
        return record_nib(
            case=case,
            nib=nib,
            confirmed_with_oss=confirmed_with_oss,
            by=by,
            idempotency_key=idempotency_key,
        )
    return advance_case(
        case,
        to=to,
        by=by,
        leaving={
            NibCase.Step.ACCOUNT: lambda locked: _leave_account(locked, applicant),
            NibCase.Step.BUSINESS: lambda locked: _leave_business(locked, business),
            NibCase.Step.KBLI: lambda locked: _leave_kbli(locked, kbli_codes),
        },
        reason=reason,
        idempotency_key=idempotency_key,
    )


def record_nib(
    *,
    case: NibCase,
    nib: str,
    confirmed_with_oss: bool = False,
    by: Actor,
    idempotency_key: str = "",
) -> NibCase:
    """Record the NIB OSS issued: the case reaches "issued", the business gets the NIB.

    The NIB must have 13 digits and must not belong to another business. The OSS client
    (``tumbuh.licensing.oss``) is asked about it: the status is "confirmed with OSS" only when
    OSS answered that the NIB exists; with no OSS connection it stays "entered", and a request
    to record it as confirmed is refused rather than pretended. Records the milestone
    ``nib_issued`` and fills in the business's scale when the registry lacked it. Repeating
    the same recording returns the case as it is.
    """
    require_may_move(by, case)
    number = validate_nib(nib)
    inquiry = oss.inquiry_nib(number)
    if inquiry.checked and not inquiry.found:
        raise Refused(
            LicensingError.NIB_NOT_IN_OSS,
            _("OSS does not know the NIB %(nib)s; check the number."),
            params={"nib": number},
        )
    if confirmed_with_oss and not inquiry.checked:
        raise Refused(
            LicensingError.OSS_NOT_CHECKED,
            _(
                "The NIB cannot be recorded as confirmed with OSS: it was not checked with OSS "
                "(%(note)s). Record it as entered."
            ),
            params={"note": inquiry.note},
        )
    status = NibCase.NibStatus.CONFIRMED if inquiry.checked else NibCase.NibStatus.ENTERED
    with transaction.atomic():
        case = lock(case)
        if case.step == NibCase.Step.ISSUED and case.nib == number:
            return case
        if key_seen(case, idempotency_key):
            return case
        check_transition(case, NibCase.Step.ISSUED)
        enterprise = Enterprise.objects.select_for_update().get(pk=surviving(case.enterprise).pk)
        if enterprise.nib and enterprise.nib != number:
            raise Refused(
                LicensingError.ALREADY_HAS_NIB,
                _("%(name)s already has another NIB (%(nib)s)."),
                params={"name": enterprise.name, "nib": enterprise.nib},
            )
        if Enterprise.objects.filter(nib=number).exclude(pk=enterprise.pk).exists():
            raise Refused(
                LicensingError.NIB_TAKEN,
                _(
                    "The NIB %(nib)s is already recorded for another business. One NIB belongs "
                    "to one business: check the number, or ask the registry team to merge the "
                    "two records if they are the same business."
                ),
                params={"nib": number},
            )
        now = timezone.now()
        enterprise.nib = number
        update = ["nib", "updated_at"]
        if not enterprise.scale and case.scale:
            enterprise.scale = case.scale
            update.append("scale")
        try:
            with transaction.atomic():
                enterprise.save(update_fields=update)
        except IntegrityError:
            raise Refused(
                LicensingError.NIB_TAKEN,
                _("The NIB %(nib)s is already recorded for another business."),
                params={"nib": number},
            ) from None
        case.nib = number
        case.nib_status = status
        case.nib_recorded_at = now
        move(
            case=case,
            to=NibCase.Step.ISSUED,
            by=by,
            now=now,
            data={"nib_status": status},
            idempotency_key=idempotency_key,
        )
        record_case_milestone(
            enterprise=enterprise, kind=Milestone.Kind.NIB_ISSUED, occurred_at=now, by=by
        )
    return case
