"""Halal self-declare assistance (SEHATI in SiHalal): what each step needs, the products, the
verification visit's checklist and photos, and the certificate that ends a case. The
self-declare rules themselves are in ``eligibility``.

Steps (``HalalCase.Step``): the SiHalal account, choosing the halal-process mentor, products
and process, submitted, the mentor's verification, BPJPH's document check, the fatwa committee,
certificate issued. The moving itself is ``cases.advance_case``.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tumbuh.accounts.models import User
from tumbuh.accounts.services import acting_person
from tumbuh.core import images, times
from tumbuh.core.images import ImageError
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.licensing.error_codes import LicensingError
from tumbuh.licensing.models import (
    HalalCase,
    HalalCertificate,
    HalalEvidencePhoto,
    HalalIngredient,
    HalalProduct,
)
from tumbuh.licensing.services.cases import (
    Actor,
    advance_case,
    check_mentor,
    check_transition,
    key_seen,
    lock,
    move,
    open_case,
    record_case_milestone,
    region_code,
    require_may_move,
    require_may_start,
    step_label,
)
from tumbuh.licensing.services.eligibility import (
    ProductDraft,
    Refusal,
    check_halal_eligibility,
    raise_refusals,
)
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.services import surviving

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# The codes licensing always answered for a photo it cannot take (``core.images`` says why).
PHOTO_CODES = {
    ImageError.TOO_LARGE: LicensingError.PHOTO_TOO_LARGE,
    ImageError.TOO_MANY_PIXELS: LicensingError.PHOTO_TOO_LARGE,
    ImageError.EMPTY: LicensingError.PHOTO_NOT_IMAGE,
    ImageError.NOT_AN_IMAGE: LicensingError.PHOTO_NOT_IMAGE,
    ImageError.BROKEN: LicensingError.PHOTO_NOT_IMAGE,
}
# Also what the step forms say when they cannot read the input.
MENTOR_MISSING = gettext_lazy("Choose the halal-process mentor (Pendamping PPH).")
DATE_MESSAGE = gettext_lazy("Enter a date as YYYY-MM-DD.")

# The mentor's verification and validation visit (PPH verification): each item must hold
# before the application goes to BPJPH's document check.
HALAL_CHECKLIST: dict[str, str] = {
    "production_place": gettext_noop(
        "The production place is clean and used only for halal production"
    ),
    "tools": gettext_noop("Tools and utensils are not used for non-halal products"),
    "ingredients_match": gettext_noop("The ingredients in stock match the declared ingredients"),
    "process_matches": gettext_noop("The process seen matches the declared process description"),
    "no_najis": gettext_noop("No pets or unclean (najis) material in the production area"),
    "pledge": gettext_noop("The owner has signed the halal pledge (ikrar) and the halal statement"),
}


def checklist_labels() -> dict[str, str]:
    """The checklist items with their labels in the active language."""
    return {key: _(label) for key, label in HALAL_CHECKLIST.items()}


# --- the pipeline -----------------------------------------------------------------------------


def start_halal_case(
    *, enterprise: Enterprise, by: Actor, assigned_mentor: User | None = None
) -> HalalCase:
    """Open a halal self-declare case for ``enterprise`` after the business eligibility check.

    Refused when ``by`` may not start cases for the business; refused, with every failed rule,
    when the business is not micro or small or has no NIB; refused when it already has an open
    halal case.
    """
    require_may_start(by, enterprise)
    # Read afresh: the NIB and scale may have been recorded since the caller loaded it.
    enterprise = Enterprise.objects.get(pk=surviving(enterprise).pk)
    raise_refusals(check_halal_eligibility(enterprise=enterprise))
    return open_case(
        model=HalalCase,
        enterprise=enterprise,
        by=by,
        assigned_mentor=assigned_mentor,
        already_open=_("%(name)s already has an open halal case."),
        sihalal_account=enterprise.email,
    )


def set_halal_products(
    *,
    case: HalalCase,
    products: Iterable[ProductDraft],
    process_description: str,
    is_simple_process: bool | None,
    by: Actor,
) -> HalalCase:
    """Replace the products, their ingredients and the process description of a case.

    Only while the case is in the products step. Names must be given and unique per case;
    exemptions must be known ones. Eligibility is not enforced here (a draft may be incomplete)
    but at submission. ``is_simple_process`` None: not yet said.
    """
    require_may_move(by, case)
    drafts = list(products)
    problems = []
    names = [draft.name for draft in drafts]
    if any(not name for name in names):
        problems.append(_("Every product needs a name."))
    if len({name.casefold() for name in names}) != len(names):
        problems.append(_("Two products have the same name."))
    for draft in drafts:
        for ingredient in draft.ingredients:
            if not ingredient.name:
                problems.append(
                    _("An ingredient of “%(product)s” has no name.") % {"product": draft.name}
                )
            if ingredient.exemption not in HalalIngredient.Exemption.values:
                problems.append(
                    _("Unknown exemption “%(value)s”.") % {"value": ingredient.exemption}
                )
    process_description = (process_description or "").strip()
    with transaction.atomic():
        case = lock(case)
        if case.step != HalalCase.Step.PRODUCTS:
            raise Refused(
                LicensingError.WRONG_STEP,
                _(
                    "Products can be changed only in the step “%(step)s”; this case is in “%(current)s”."
                ),
                params={
                    "step": HalalCase.Step.PRODUCTS.label,
                    "current": step_label(HalalCase, case.step),
                },
            )
        if problems:
            raise Refused(LicensingError.PRODUCTS_INVALID, problems)
        case.products.all().delete()
        for draft in drafts:
            product = HalalProduct.objects.create(
                case=case, name=draft.name, is_risky=draft.is_risky
            )
            HalalIngredient.objects.bulk_create(
                HalalIngredient(
                    product=product,
                    name=ingredient.name,
                    certificate_number=ingredient.certificate_number,
                    exemption=ingredient.exemption,
                    is_from_slaughtered_animal=ingredient.is_from_slaughtered_animal,
                )
                for ingredient in draft.ingredients
            )
        case.process_description = process_description
        case.is_simple_process = is_simple_process
        case.save(update_fields=["process_description", "is_simple_process"])
        record_event(
            actor=by,
            action="licensing.halalcase.products",
            target=case,
            region_code=region_code(case.enterprise),
            data={"products": names},
        )
    return case


def _clean_checklist(case: HalalCase, given: Mapping[str, bool] | None) -> dict:
    """The case's checklist with the items ``given`` (None: none) updated; unknown items are
    refused."""
    checklist = dict(case.checklist)
    if given is not None:
        unknown = set(given) - set(HALAL_CHECKLIST)
        if unknown:
            raise Refused(
                LicensingError.CHECKLIST_UNKNOWN,
                _("Unknown checklist items: %(items)s."),
                params={"items": ", ".join(sorted(unknown))},
            )
        checklist.update({key: bool(value) for key, value in given.items()})
    return checklist


def _leave_account(case: HalalCase, sihalal_account: str) -> dict:
    account = (sihalal_account or case.sihalal_account or "").strip()
    try:
        validate_email(account)
    except ValidationError:
        raise Refused(
            LicensingError.SIHALAL_ACCOUNT,
            _("Enter the e-mail address of the business's SiHalal account."),
        ) from None
    case.sihalal_account = account
    return {}


def _leave_mentor(case: HalalCase, mentor: User | None) -> dict:
    mentor = mentor or case.assigned_mentor
    if mentor is None:
        raise Refused(LicensingError.MENTOR_MISSING, MENTOR_MISSING)
    check_mentor(mentor, case.enterprise)
    case.assigned_mentor = mentor
    return {"mentor": mentor.pk}


def _leave_products(case: HalalCase, registration_number: str) -> dict:
    number = (registration_number or "").strip()
    refusals = check_halal_eligibility(
        enterprise=case.enterprise,
        products=case.products.prefetch_related("ingredients"),
        is_simple_process=case.is_simple_process,
    )
    if not case.process_description:
        refusals.append(Refusal(LicensingError.PROCESS, _("Describe the production process.")))
    if not number:
        refusals.append(
            Refusal(LicensingError.REGISTRATION_NUMBER, _("Enter the SiHalal registration number."))
        )
    raise_refusals(refusals)
    case.registration_number = number[:40]
    return {"registration_number": number[:40]}


def _leave_verification(case: HalalCase, checklist: Mapping[str, bool] | None) -> dict:
    checklist = _clean_checklist(case, checklist)
    missing = [label for key, label in checklist_labels().items() if checklist.get(key) is not True]
    problems = []
    if missing:
        problems.append(
            _("Not yet confirmed in the verification: %(items)s.") % {"items": "; ".join(missing)}
        )
    if not case.photos.exists():
        problems.append(_("Upload at least one evidence photo from the visit."))
    if problems:
        raise Refused(LicensingError.VERIFICATION_INCOMPLETE, problems)
    case.checklist = checklist
    return {}


def advance_halal_case(
    *,
    case: HalalCase,
    to: str,
    by: Actor,
    sihalal_account: str = "",
    mentor: User | None = None,
    registration_number: str = "",
    checklist: Mapping[str, bool] | None = None,
    certificate_number: str = "",
    issued_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    reason: str = "",
    idempotency_key: str = "",
) -> HalalCase:
    """Move a halal case to ``to`` with the data of the step it leaves.

    Forwards, one step at a time: leaving "account" needs the SiHalal account (an e-mail
    address; the case's when none is given); leaving "mentor" needs the chosen halal-process
    ``mentor`` (the case's when none is given), holding a mentor membership in the business's
    region, who becomes the assigned mentor; leaving "products" needs the SiHalal
    ``registration_number`` and passes the full eligibility check; leaving "verification"
    needs every ``checklist`` item confirmed and at least one evidence photo; reaching "issued"
    needs the certificate (see :func:`issue_halal_certificate`). The verification, the
    document check and the fatwa committee may send the case back to the products step, with a
    ``reason``.
    """
    if to == HalalCase.Step.ISSUED:
        issue_halal_certificate(
            case=case,
            number=certificate_number,
            issued_on=issued_on,
            valid_until=valid_until,
            by=by,
            idempotency_key=idempotency_key,
        )
        case.refresh_from_db()
        return case
    return advance_case(
        case,
        to=to,
        by=by,
        leaving={
            HalalCase.Step.ACCOUNT: lambda locked: _leave_account(locked, sihalal_account),
            HalalCase.Step.MENTOR: lambda locked: _leave_mentor(locked, mentor),
            HalalCase.Step.PRODUCTS: lambda locked: _leave_products(locked, registration_number),
            HalalCase.Step.VERIFICATION: lambda locked: _leave_verification(locked, checklist),
        },
        reason=reason,
        idempotency_key=idempotency_key,
    )


def record_checklist(*, case: HalalCase, checklist: Mapping[str, bool], by: Actor) -> HalalCase:
    """Save the verification checklist as the mentor fills it in (only in the verification step)."""
    require_may_move(by, case)
    with transaction.atomic():
        case = lock(case)
        if case.step != HalalCase.Step.VERIFICATION:
            raise Refused(
                LicensingError.WRONG_STEP,
                _("The checklist is filled in during the mentor's verification."),
            )
        case.checklist = _clean_checklist(case, checklist)
        case.save(update_fields=["checklist"])
    return case


def add_evidence_photo(
    *, case: HalalCase, upload: UploadedFile, caption: str = "", by: Actor
) -> HalalEvidencePhoto:
    """Store a photo from the verification visit, decoded and encoded again as a JPEG.

    Refused when the case is not in the verification step, when the file is larger than 5 MB,
    or when it is not an image Pillow can read (``core.images``: JPEG, PNG, WebP, GIF...; a
    decompression bomb is refused as too large). What is stored has no EXIF: a phone photo's GPS
    position of the kitchen stays on the phone.
    """
    require_may_move(by, case)
    if case.step != HalalCase.Step.VERIFICATION:
        raise Refused(
            LicensingError.WRONG_STEP,
            _("Evidence photos are added during the mentor's verification visit."),
        )
    cleaned = images.clean_image(
        upload, max_bytes=MAX_PHOTO_BYTES, codes=PHOTO_CODES, field="photo"
    )
    with transaction.atomic():
        photo = HalalEvidencePhoto(
            case=case, caption=(caption or "").strip()[:200], uploaded_by=acting_person(by)
        )
        cleaned_file = cleaned.as_file("photo")
        photo.image.save(cleaned_file.name, cleaned_file, save=False)
        photo.save()
        record_event(
            actor=by,
            action="licensing.halalcase.photo",
            target=case,
            region_code=region_code(case.enterprise),
        )
    return photo


def _given_date(value: datetime.date | None, field: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise Refused(LicensingError.DATE_INVALID, DATE_MESSAGE, field=field)
    return value


def issue_halal_certificate(
    *,
    case: HalalCase,
    number: str,
    issued_on: datetime.date | None,
    valid_until: datetime.date | None,
    by: Actor,
    idempotency_key: str = "",
) -> HalalCertificate:
    """Record the certificate BPJPH issued after the fatwa committee's decision.

    The case must be at the fatwa decision step; the number must be new; the issue date (None:
    not given, refused) not in the future and the validity after it. The certificate covers
    the case's products. The case reaches "issued" and the business gets the milestone
    ``halal_certified``. Repeating the same issuance returns the certificate already recorded.
    """
    require_may_move(by, case)
    number = (number or "").strip()
    if not number:
        raise Refused(
            LicensingError.CERTIFICATE_NUMBER_MISSING,
            _("Enter the certificate number."),
            field="number",
        )
    issued_on = _given_date(issued_on, "issued_on")
    valid_until = _given_date(valid_until, "valid_until")
    # "Today" is the business's: in Jayapura the day starts two hours before it does in Jakarta.
    if issued_on > times.today(case.enterprise):
        raise Refused(
            LicensingError.ISSUE_DATE_IN_FUTURE,
            _("The issue date cannot be in the future."),
            field="issued_on",
        )
    if valid_until <= issued_on:
        raise Refused(
            LicensingError.VALIDITY_BEFORE_ISSUE,
            _("The validity must end after the issue date."),
            field="valid_until",
        )
    with transaction.atomic():
        case = lock(case)
        existing = HalalCertificate.objects.filter(case=case).first()
        if existing is not None and existing.number == number:
            return existing
        if key_seen(case, idempotency_key):
            return existing
        check_transition(case, HalalCase.Step.ISSUED)
        if HalalCertificate.objects.filter(number=number).exists():
            raise Refused(
                LicensingError.CERTIFICATE_TAKEN,
                _("The certificate number %(number)s is already recorded."),
                params={"number": number},
            )
        enterprise = surviving(case.enterprise)
        certificate = HalalCertificate.objects.create(
            case=case,
            enterprise=enterprise,
            number=number,
            issued_on=issued_on,
            valid_until=valid_until,
            product_names=list(case.products.values_list("name", flat=True)),
            recorded_by=acting_person(by),
        )
        move(
            case=case,
            to=HalalCase.Step.ISSUED,
            by=by,
            now=timezone.now(),
            data={"certificate": number},
            idempotency_key=idempotency_key,
        )
        issued_at = datetime.datetime.combine(issued_on, datetime.time(12), tzinfo=datetime.UTC)
        record_case_milestone(
            enterprise=enterprise,
            kind=Milestone.Kind.HALAL_CERTIFIED,
            occurred_at=min(issued_at, timezone.now()),
            by=by,
        )
    return certificate
