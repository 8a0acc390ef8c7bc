"""The one write path for licensing cases: start, advance, record the NIB, issue a certificate.

Every function checks everything first and raises ``ValidationError`` with a translated reason
when it refuses (nothing is written then); otherwise it writes in one transaction: the case, an
event row (who, when, from which step to which) and an audit event. Repeating a step change
that already happened (the same request sent twice, or the same ``idempotency_key``) changes
nothing and returns the case as it is.

Who may act is checked by the callers (views and API endpoints, through
``tumbuh.licensing.queries``); these functions hold the rules of the processes themselves.
"""

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tumbuh.accounts.models import User
from tumbuh.accounts.permissions import Capability, has_capability, roles_with
from tumbuh.accounts.scoping import scope_for
from tumbuh.core import personal, times
from tumbuh.core.services import record_event
from tumbuh.core.validators import (
    mask_phone,
    normalise_phone,
    validate_kbli,
    validate_nib,
    validate_nik,
)
from tumbuh.licensing import oss
from tumbuh.licensing.models import (
    HalalCase,
    HalalCaseEvent,
    HalalCertificate,
    HalalEvidencePhoto,
    HalalIngredient,
    HalalProduct,
    NibCase,
    NibCaseEvent,
)
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.services import record_milestone, surviving

MILESTONE_SOURCE = "licensing"
MAX_KBLI_CODES = 10
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

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


def _refuse(message: str, code: str, params: dict | None = None):
    raise ValidationError(message, code=code, params=params)


def _region_code(enterprise: Enterprise) -> str:
    return enterprise.village_id or ""


def _is_mentor_for(user, enterprise: Enterprise) -> bool:
    """A user with a mentor membership whose region holds the business."""
    if user is None or not has_capability(user, Capability.MENTOR_CASELOAD):
        return False
    return scope_for(user, roles=roles_with(Capability.MENTOR_CASELOAD)).allows(
        _region_code(enterprise)
    )


def _check_mentor(mentor, enterprise: Enterprise) -> None:
    if mentor is not None and not _is_mentor_for(mentor, enterprise):
        _refuse(
            _("%(name)s is not a mentor working in the region of this business."),
            "mentor_not_eligible",
            {"name": mentor.get_full_name() or mentor.email},
        )


def _step_label(model, step: str) -> str:
    return str(model.Step(step).label) if step in model.Step.values else step


def _check_transition(case, to_step: str) -> None:
    model = type(case)
    if to_step not in model.Step.values:
        _refuse(_("There is no step %(step)s."), "unknown_step", {"step": to_step})
    allowed = model.TRANSITIONS[case.step]
    if to_step not in allowed:
        if allowed:
            _refuse(
                _(
                    "A case in the step “%(current)s” cannot move to “%(target)s”; it can move "
                    "to: %(allowed)s."
                ),
                "transition_not_allowed",
                {
                    "current": _step_label(model, case.step),
                    "target": _step_label(model, to_step),
                    "allowed": ", ".join(f"“{_step_label(model, step)}”" for step in allowed),
                },
            )
        _refuse(
            _("The case is finished (“%(current)s”); it cannot move any more."),
            "case_finished",
            {"current": _step_label(model, case.step)},
        )


def _already_done(case, event_model, to_step: str, idempotency_key: str) -> bool:
    """True when this request was already applied: same key, or the case is already there."""
    if idempotency_key:
        previous = event_model.objects.filter(case=case, idempotency_key=idempotency_key).first()
        if previous is not None:
            return True
    return case.step == to_step


def _move(case, event_model, to_step: str, by, *, now, data: dict, idempotency_key: str):
    """Write the step change: the case, its event row and an audit event."""
    from_step = case.step
    case.step = to_step
    case.step_entered_at = now
    case.save()
    event_model.objects.create(
        case=case,
        from_step=from_step,
        to_step=to_step,
        actor=by if getattr(by, "is_authenticated", False) else None,
        at=now,
        data=data,
        idempotency_key=idempotency_key,
    )
    record_event(
        actor=by,
        action=f"licensing.{type(case).__name__.lower()}.{to_step}",
        target=case,
        region_code=_region_code(case.enterprise),
        data={"from": from_step, "to": to_step, **data},
    )


def _lock(case):
    return type(case).objects.select_for_update().select_related("enterprise").get(pk=case.pk)


# --- NIB assistance ---------------------------------------------------------------------------


def _enterprise_for_case(enterprise: Enterprise) -> Enterprise:
    return surviving(enterprise)


def start_nib_case(*, enterprise: Enterprise, by, assigned_mentor: User | None = None) -> NibCase:
    """Open a NIB case for ``enterprise`` (its surviving record), in the first step.

    Refused when the business already has a NIB or already has an open NIB case, or when the
    assigned mentor does not mentor in the business's region. A mentor who starts a case is its
    assigned mentor.
    """
    enterprise = _enterprise_for_case(enterprise)
    if enterprise.nib:
        _refuse(
            _("%(name)s already has a NIB (%(nib)s)."),
            "already_has_nib",
            {"name": enterprise.name, "nib": enterprise.nib},
        )
    if NibCase.objects.filter(enterprise=enterprise).exclude(step=NibCase.Step.ISSUED).exists():
        _refuse(_("%(name)s already has an open NIB case."), "case_open", {"name": enterprise.name})
    if assigned_mentor is None and _is_mentor_for(by, enterprise):
        assigned_mentor = by
    _check_mentor(assigned_mentor, enterprise)
    now = timezone.now()
    try:
        with transaction.atomic():
            case = _create_nib_case(enterprise, by, assigned_mentor, now)
    except IntegrityError:
        _refuse(_("%(name)s already has an open NIB case."), "case_open", {"name": enterprise.name})
    return case


def _create_nib_case(enterprise, by, assigned_mentor, now) -> NibCase:
    """The case, its first event and the audit event (inside the caller's transaction)."""
    case = NibCase.objects.create(
        enterprise=enterprise,
        step=NibCase.Step.ACCOUNT,
        step_entered_at=now,
        assigned_mentor=assigned_mentor,
        business_name=enterprise.name,
        address=enterprise.address,
        village_id=enterprise.village_id,
        scale=enterprise.scale,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    NibCaseEvent.objects.create(
        case=case,
        from_step="",
        to_step=NibCase.Step.ACCOUNT,
        actor=case.created_by,
        at=now,
    )
    record_event(
        actor=by,
        action="licensing.nibcase.start",
        target=case,
        region_code=_region_code(enterprise),
    )
    return case


def _clean_applicant(data: dict) -> dict:
    """Step 1's data: the applicant's name, NIK, and an e-mail or WhatsApp number."""
    errors = {}
    cleaned: dict = {}
    name = str(data.get("applicant_name") or "").strip()
    if not name:
        errors["applicant_name"] = _("Enter the applicant's name as on the KTP.")
    cleaned["applicant_name"] = name
    try:
        cleaned["nik"] = validate_nik(str(data.get("nik") or "")).nik
    except ValidationError as error:
        errors["nik"] = error.messages
    email = str(data.get("email") or "").strip()
    phone = str(data.get("phone") or "").strip()
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
        raise ValidationError(errors)
    return cleaned


def _clean_business(case: NibCase, data: dict) -> dict:
    """Step 2's data; anything not given is taken from what the case (the registry) holds."""
    errors = {}
    cleaned: dict = {}
    name = str(data.get("business_name") or case.business_name or "").strip()
    if not name:
        errors["business_name"] = _("Enter the business name.")
    cleaned["business_name"] = name
    address = str(data.get("address") or case.address or "").strip()
    if not address:
        errors["address"] = _("Enter the business address.")
    cleaned["address"] = address
    village_code = str(data.get("village") or case.village_id or "").strip()
    if not Village.objects.filter(code=village_code).exists():
        errors["village"] = _("Choose the village (kelurahan/desa) of the business.")
    cleaned["village_id"] = village_code
    for field, message in (
        ("capital_idr", _("Enter the business capital in whole rupiah (0 or more).")),
        ("workforce", _("Enter the number of workers (0 or more).")),
    ):
        value = data.get(field, getattr(case, field))
        try:
            number = int(str(value).replace(".", "").strip())
            if number < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors[field] = message
        else:
            cleaned[field] = number
    scale = str(data.get("scale") or case.scale or "")
    if scale not in Enterprise.Scale.values:
        errors["scale"] = _("Choose the scale: micro, small or medium.")
    cleaned["scale"] = scale
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_kbli_codes(values: Iterable[str] | str) -> list[str]:
    """KBLI 2020 kelompok codes, validated, duplicates dropped, order kept (main one first)."""
    if isinstance(values, str):
        values = values.replace(",", " ").split()
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
        raise ValidationError({"kbli_codes": problems})
    if not codes:
        raise ValidationError({"kbli_codes": _("Choose at least one KBLI code.")})
    if len(codes) > MAX_KBLI_CODES:
        raise ValidationError(
            {"kbli_codes": _("Choose at most %(count)d KBLI codes.") % {"count": MAX_KBLI_CODES}}
        )
    return codes


def advance_nib_case(
    case: NibCase, to_step: str, by, data: dict | None = None, *, idempotency_key: str = ""
) -> NibCase:
    """Move a NIB case to ``to_step`` with the data of the step it leaves.

    Forwards, one step at a time: leaving "account" needs the applicant's name, NIK and an
    e-mail or WhatsApp number; leaving "business" needs the business data; leaving "kbli" needs
    at least one valid KBLI 2020 code; reaching "issued" needs the NIB (see :func:`record_nib`).
    A submission that OSS sends back may return to the business data or KBLI step.
    """
    data = dict(data or {})
    if to_step == NibCase.Step.ISSUED:
        return record_nib(
            case,
            data.get("nib", ""),
            by,
            confirmed_with_oss=bool(data.get("confirmed_with_oss")),
            idempotency_key=idempotency_key,
        )
    with transaction.atomic():
        case = _lock(case)
        if _already_done(case, NibCaseEvent, to_step, idempotency_key):
            return case
        _check_transition(case, to_step)
        forward = NibCase.TRANSITIONS[case.step][0] == to_step
        event_data: dict = {}
        if forward and case.step == NibCase.Step.ACCOUNT:
            cleaned = _clean_applicant(data)
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
        elif forward and case.step == NibCase.Step.BUSINESS:
            for field, value in _clean_business(case, data).items():
                setattr(case, field, value)
            event_data = {"scale": case.scale}
        elif forward and case.step == NibCase.Step.KBLI:
            case.kbli_codes = clean_kbli_codes(data.get("kbli_codes") or case.kbli_codes or [])
            case.submitted_at = timezone.now()
            event_data = {"kbli_codes": case.kbli_codes}
        else:
            reason = str(data.get("reason") or "").strip()[:500]
            if reason:
                event_data = {"reason": reason}
        _move(
            case,
            NibCaseEvent,
            to_step,
            by,
            now=timezone.now(),
            data=event_data,
            idempotency_key=idempotency_key,
        )
    return case


def record_nib(
    case: NibCase,
    nib: str,
    by,
    confirmed_with_oss: bool = False,
    *,
    idempotency_key: str = "",
) -> NibCase:
    """Record the NIB OSS issued: the case reaches "issued", the business gets the NIB.

    The NIB must have 13 digits and must not belong to another business. The OSS client
    (``tumbuh.licensing.oss``) is asked about it: the status is "confirmed with OSS" only when
    OSS answered that the NIB exists; with no OSS connection it stays "entered", and a request
    to record it as confirmed is refused rather than pretended. Records the milestone
    ``nib_issued`` and fills in the business's scale when the registry lacked it.
    """
    number = validate_nib(nib)
    inquiry = oss.inquiry_nib(number)
    if inquiry.checked and not inquiry.found:
        _refuse(
            _("OSS does not know the NIB %(nib)s; check the number."),
            "nib_not_in_oss",
            {"nib": number},
        )
    if confirmed_with_oss and not inquiry.checked:
        _refuse(
            _(
                "The NIB cannot be recorded as confirmed with OSS: it was not checked with OSS "
                "(%(note)s). Record it as entered."
            ),
            "oss_not_checked",
            {"note": inquiry.note},
        )
    status = NibCase.NibStatus.CONFIRMED if inquiry.checked else NibCase.NibStatus.ENTERED
    with transaction.atomic():
        case = _lock(case)
        if case.step == NibCase.Step.ISSUED and case.nib == number:
            return case
        if idempotency_key and case.events.filter(idempotency_key=idempotency_key).exists():
            return case
        _check_transition(case, NibCase.Step.ISSUED)
        enterprise = Enterprise.objects.select_for_update().get(
            pk=_enterprise_for_case(case.enterprise).pk
        )
        if enterprise.nib and enterprise.nib != number:
            _refuse(
                _("%(name)s already has another NIB (%(nib)s)."),
                "already_has_nib",
                {"name": enterprise.name, "nib": enterprise.nib},
            )
        if Enterprise.objects.filter(nib=number).exclude(pk=enterprise.pk).exists():
            _refuse(
                _(
                    "The NIB %(nib)s is already recorded for another business. One NIB belongs "
                    "to one business: check the number, or ask the registry team to merge the "
                    "two records if they are the same business."
                ),
                "nib_taken",
                {"nib": number},
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
            _refuse(
                _("The NIB %(nib)s is already recorded for another business."),
                "nib_taken",
                {"nib": number},
            )
        case.nib = number
        case.nib_status = status
        case.nib_recorded_at = now
        _move(
            case,
            NibCaseEvent,
            NibCase.Step.ISSUED,
            by,
            now=now,
            data={"nib_status": status},
            idempotency_key=idempotency_key,
        )
        record_milestone(
            enterprise=enterprise,
            kind=Milestone.Kind.NIB_ISSUED,
            source=MILESTONE_SOURCE,
            occurred_at=now,
            by=by if getattr(by, "is_authenticated", False) else None,
        )
    return case


# --- halal self-declare -----------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A self-declare rule a business or product does not meet, explained for its owner."""

    rule: str
    message: str


@dataclass(frozen=True)
class IngredientDraft:
    name: str
    certificate_number: str = ""
    exemption: str = ""
    is_from_slaughtered_animal: bool = False


@dataclass(frozen=True)
class ProductDraft:
    name: str
    is_risky: bool = False
    ingredients: tuple[IngredientDraft, ...] = ()


def check_halal_eligibility(
    *,
    enterprise: Enterprise,
    products: Iterable[ProductDraft | HalalProduct] | None = None,
    is_simple_process: bool | None = None,
) -> list[Refusal]:
    """The self-declare rules (BPJPH) that are not met, each explained; empty when eligible.

    Business rules: micro or small scale, and a NIB. When ``products`` are given: none risky,
    the process simple, every ingredient halal-assured (a halal certificate number or an
    exemption), and no ingredient from a slaughtered animal without a certificate.
    """
    enterprise = surviving(enterprise)
    refusals: list[Refusal] = []
    if enterprise.scale not in (Enterprise.Scale.MIKRO, Enterprise.Scale.KECIL):
        refusals.append(
            Refusal(
                "scale",
                _(
                    "Self-declare is only for micro and small businesses; this business is "
                    "recorded as “%(scale)s”. Medium businesses apply through the regular route "
                    "with a halal inspection body (LPH)."
                )
                % {"scale": enterprise.get_scale_display() or _("scale not recorded")},
            )
        )
    if not enterprise.nib:
        refusals.append(
            Refusal(
                "nib",
                _("The business needs a NIB first: SiHalal asks for it. Start NIB assistance."),
            )
        )
    if products is None:
        return refusals
    products = list(products)
    if not products:
        refusals.append(Refusal("products", _("Add at least one product.")))
    if is_simple_process is False:
        refusals.append(
            Refusal(
                "process",
                _(
                    "Self-declare needs a simple production process (by hand or with simple "
                    "tools, no irradiation, genetic engineering or ozonisation)."
                ),
            )
        )
    elif is_simple_process is None:
        refusals.append(
            Refusal("process", _("Describe the production process and state whether it is simple."))
        )
    for product in products:
        ingredients = (
            list(product.ingredients.all())
            if isinstance(product, HalalProduct)
            else list(product.ingredients)
        )
        if product.is_risky:
            refusals.append(
                Refusal(
                    "risky_product",
                    _(
                        "“%(product)s” is a risky product (for example it contains alcohol or "
                        "hazardous materials); risky products need the regular route."
                    )
                    % {"product": product.name},
                )
            )
        if not ingredients:
            refusals.append(
                Refusal(
                    "ingredients",
                    _("List the ingredients of “%(product)s”.") % {"product": product.name},
                )
            )
        for ingredient in ingredients:
            certified = bool(ingredient.certificate_number.strip())
            if ingredient.is_from_slaughtered_animal and not certified:
                refusals.append(
                    Refusal(
                        "slaughtered_uncertified",
                        _(
                            "“%(ingredient)s” in “%(product)s” comes from a slaughtered animal "
                            "without a halal certificate; use meat from a certified slaughterhouse "
                            "(RPH) and enter its certificate number."
                        )
                        % {"ingredient": ingredient.name, "product": product.name},
                    )
                )
            elif not certified and not ingredient.exemption:
                refusals.append(
                    Refusal(
                        "ingredient_not_assured",
                        _(
                            "“%(ingredient)s” in “%(product)s” has no halal certificate number "
                            "and is not an exempt material; enter the certificate number printed "
                            "on its package."
                        )
                        % {"ingredient": ingredient.name, "product": product.name},
                    )
                )
    return refusals


def _raise_refusals(refusals: list[Refusal]) -> None:
    if refusals:
        raise ValidationError(
            [ValidationError(refusal.message, code=refusal.rule) for refusal in refusals]
        )


def start_halal_case(
    *, enterprise: Enterprise, by, assigned_mentor: User | None = None
) -> HalalCase:
    """Open a halal self-declare case for ``enterprise`` after the business eligibility check.

    Refused, with every failed rule, when the business is not micro or small or has no NIB;
    refused when it already has an open halal case.
    """
    # Read afresh: the NIB and scale may have been recorded since the caller loaded it.
    enterprise = Enterprise.objects.get(pk=_enterprise_for_case(enterprise).pk)
    _raise_refusals(check_halal_eligibility(enterprise=enterprise))
    if HalalCase.objects.filter(enterprise=enterprise).exclude(step=HalalCase.Step.ISSUED).exists():
        _refuse(
            _("%(name)s already has an open halal case."), "case_open", {"name": enterprise.name}
        )
    if assigned_mentor is None and _is_mentor_for(by, enterprise):
        assigned_mentor = by
    _check_mentor(assigned_mentor, enterprise)
    now = timezone.now()
    try:
        with transaction.atomic():
            case = _create_halal_case(enterprise, by, assigned_mentor, now)
    except IntegrityError:
        _refuse(
            _("%(name)s already has an open halal case."), "case_open", {"name": enterprise.name}
        )
    return case


def _create_halal_case(enterprise, by, assigned_mentor, now) -> HalalCase:
    """The case, its first event and the audit event (inside the caller's transaction)."""
    case = HalalCase.objects.create(
        enterprise=enterprise,
        step=HalalCase.Step.ACCOUNT,
        step_entered_at=now,
        assigned_mentor=assigned_mentor,
        sihalal_account=enterprise.email,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    HalalCaseEvent.objects.create(
        case=case, from_step="", to_step=HalalCase.Step.ACCOUNT, actor=case.created_by, at=now
    )
    record_event(
        actor=by,
        action="licensing.halalcase.start",
        target=case,
        region_code=_region_code(enterprise),
    )
    return case


def _as_drafts(products: Iterable[dict | ProductDraft]) -> list[ProductDraft]:
    drafts = []
    for product in products:
        if isinstance(product, ProductDraft):
            drafts.append(product)
            continue
        ingredients = tuple(
            item
            if isinstance(item, IngredientDraft)
            else IngredientDraft(
                name=str(item.get("name") or "").strip(),
                certificate_number=str(item.get("certificate_number") or "").strip(),
                exemption=str(item.get("exemption") or ""),
                is_from_slaughtered_animal=bool(item.get("is_from_slaughtered_animal")),
            )
            for item in product.get("ingredients") or ()
        )
        drafts.append(
            ProductDraft(
                name=str(product.get("name") or "").strip(),
                is_risky=bool(product.get("is_risky")),
                ingredients=ingredients,
            )
        )
    return drafts


def set_halal_products(
    *,
    case: HalalCase,
    products: Iterable[dict | ProductDraft],
    process_description: str,
    is_simple_process: bool,
    by,
) -> HalalCase:
    """Replace the products, their ingredients and the process description of a case.

    Only while the case is in the products step. Names must be given and unique per case;
    exemptions must be known ones. Eligibility is not enforced here (a draft may be incomplete)
    but at submission.
    """
    drafts = _as_drafts(products)
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
        case = _lock(case)
        if case.step != HalalCase.Step.PRODUCTS:
            _refuse(
                _(
                    "Products can be changed only in the step “%(step)s”; this case is in “%(current)s”."
                ),
                "wrong_step",
                {
                    "step": HalalCase.Step.PRODUCTS.label,
                    "current": _step_label(HalalCase, case.step),
                },
            )
        if problems:
            raise ValidationError(problems)
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
            region_code=_region_code(case.enterprise),
            data={"products": names},
        )
    return case


def _clean_checklist(case: HalalCase, data: dict) -> dict:
    given = data.get("checklist")
    checklist = dict(case.checklist)
    if isinstance(given, dict):
        unknown = set(given) - set(HALAL_CHECKLIST)
        if unknown:
            _refuse(
                _("Unknown checklist items: %(items)s."),
                "checklist_unknown",
                {"items": ", ".join(sorted(unknown))},
            )
        checklist.update({key: bool(value) for key, value in given.items()})
    return checklist


def advance_halal_case(
    case: HalalCase, to_step: str, by, data: dict | None = None, *, idempotency_key: str = ""
) -> HalalCase:
    """Move a halal case to ``to_step`` with the data of the step it leaves.

    Forwards, one step at a time: leaving "account" needs the SiHalal account (e-mail);
    leaving "mentor" needs the chosen halal-process mentor (``data["mentor"]``: a user, or its
    id, holding a mentor membership in the business's region), who becomes the assigned mentor;
    leaving "products" needs the SiHalal registration number and passes the full eligibility
    check; leaving "verification" needs every checklist item confirmed and at least one
    evidence photo; reaching "issued" needs the certificate (see :func:`issue_halal_certificate`).
    The verification, the document check and the fatwa committee may send the case back to the
    products step.
    """
    data = dict(data or {})
    if to_step == HalalCase.Step.ISSUED:
        issue_halal_certificate(
            case,
            data.get("number", ""),
            data.get("issued_on"),
            data.get("valid_until"),
            by,
            idempotency_key=idempotency_key,
        )
        case.refresh_from_db()
        return case
    with transaction.atomic():
        case = _lock(case)
        if _already_done(case, HalalCaseEvent, to_step, idempotency_key):
            return case
        _check_transition(case, to_step)
        forward = HalalCase.TRANSITIONS[case.step][0] == to_step
        event_data: dict = {}
        update: dict = {}
        if forward and case.step == HalalCase.Step.ACCOUNT:
            account = str(data.get("sihalal_account") or case.sihalal_account or "").strip()
            try:
                validate_email(account)
            except ValidationError:
                _refuse(
                    _("Enter the e-mail address of the business's SiHalal account."),
                    "sihalal_account",
                )
            update["sihalal_account"] = account
        elif forward and case.step == HalalCase.Step.MENTOR:
            mentor = data.get("mentor") or case.assigned_mentor
            if mentor is not None and not isinstance(mentor, User):
                mentor = User.objects.filter(pk=mentor).first() if str(mentor).isdigit() else None
            if mentor is None:
                _refuse(_("Choose the halal-process mentor (Pendamping PPH)."), "mentor_missing")
            _check_mentor(mentor, case.enterprise)
            update["assigned_mentor"] = mentor
            event_data = {"mentor": mentor.pk}
        elif forward and case.step == HalalCase.Step.PRODUCTS:
            number = str(data.get("registration_number") or "").strip()
            refusals = check_halal_eligibility(
                enterprise=case.enterprise,
                products=case.products.prefetch_related("ingredients"),
                is_simple_process=case.is_simple_process,
            )
            if not case.process_description:
                refusals.append(Refusal("process", _("Describe the production process.")))
            if not number:
                refusals.append(
                    Refusal("registration_number", _("Enter the SiHalal registration number."))
                )
            _raise_refusals(refusals)
            update["registration_number"] = number[:40]
            event_data = {"registration_number": number[:40]}
        elif forward and case.step == HalalCase.Step.VERIFICATION:
            checklist = _clean_checklist(case, data)
            missing = [
                label for key, label in checklist_labels().items() if checklist.get(key) is not True
            ]
            problems = []
            if missing:
                problems.append(
                    _("Not yet confirmed in the verification: %(items)s.")
                    % {"items": "; ".join(missing)}
                )
            if not case.photos.exists():
                problems.append(_("Upload at least one evidence photo from the visit."))
            if problems:
                raise ValidationError(problems)
            update["checklist"] = checklist
        else:
            reason = str(data.get("reason") or "").strip()[:500]
            if reason:
                event_data = {"reason": reason}
        for field, value in update.items():
            setattr(case, field, value)
        _move(
            case,
            HalalCaseEvent,
            to_step,
            by,
            now=timezone.now(),
            data=event_data,
            idempotency_key=idempotency_key,
        )
    return case


def record_checklist(*, case: HalalCase, checklist: dict, by) -> HalalCase:
    """Save the verification checklist as the mentor fills it in (only in the verification step)."""
    with transaction.atomic():
        case = _lock(case)
        if case.step != HalalCase.Step.VERIFICATION:
            _refuse(_("The checklist is filled in during the mentor's verification."), "wrong_step")
        case.checklist = _clean_checklist(case, {"checklist": checklist})
        case.save(update_fields=["checklist"])
    return case


def add_evidence_photo(*, case: HalalCase, upload, caption: str = "", by) -> HalalEvidencePhoto:
    """Store a photo from the verification visit, after checking it is a real image.

    Refused when the case is not in the verification step, when the file is larger than 5 MB,
    or when Pillow cannot read it as a JPEG, PNG or WebP image.
    """
    from PIL import Image, UnidentifiedImageError

    if case.step != HalalCase.Step.VERIFICATION:
        _refuse(
            _("Evidence photos are added during the mentor's verification visit."), "wrong_step"
        )
    if upload.size > MAX_PHOTO_BYTES:
        _refuse(
            _("The photo is %(size)s MB; the limit is %(limit)s MB."),
            "photo_too_large",
            {"size": round(upload.size / 1_048_576, 1), "limit": MAX_PHOTO_BYTES // 1_048_576},
        )
    content = upload.read()
    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        image_format = None
    if image_format not in PHOTO_FORMATS:
        _refuse(_("The file is not a JPEG, PNG or WebP photo."), "photo_not_image")
    upload.seek(0)
    upload.name = f"photo.{PHOTO_FORMATS[image_format]}"
    with transaction.atomic():
        photo = HalalEvidencePhoto(
            case=case,
            caption=(caption or "").strip()[:200],
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        photo.image.save(upload.name, upload, save=False)
        photo.save()
        record_event(
            actor=by,
            action="licensing.halalcase.photo",
            target=case,
            region_code=_region_code(case.enterprise),
        )
    return photo


def _as_date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationError(
            {field: _("Enter a date as YYYY-MM-DD.")}, code="date_invalid"
        ) from None


def issue_halal_certificate(
    case: HalalCase,
    number: str,
    issued_on,
    valid_until,
    by,
    *,
    idempotency_key: str = "",
) -> HalalCertificate:
    """Record the certificate BPJPH issued after the fatwa committee's decision.

    The case must be at the fatwa decision step; the number must be new; the issue date not in
    the future and the validity after it. The certificate covers the case's products. The
    case reaches "issued" and the business gets the milestone ``halal_certified``. Repeating
    the same issuance returns the certificate already recorded.
    """
    number = str(number or "").strip()
    if not number:
        raise ValidationError({"number": _("Enter the certificate number.")})
    issued_on = _as_date(issued_on, "issued_on")
    valid_until = _as_date(valid_until, "valid_until")
    # "Today" is the business's: in Jayapura the day starts two hours before it does in Jakarta.
    if issued_on > times.today(case.enterprise):
        raise ValidationError({"issued_on": _("The issue date cannot be in the future.")})
    if valid_until <= issued_on:
        raise ValidationError({"valid_until": _("The validity must end after the issue date.")})
    with transaction.atomic():
        case = _lock(case)
        existing = HalalCertificate.objects.filter(case=case).first()
        if existing is not None and existing.number == number:
            return existing
        if idempotency_key and case.events.filter(idempotency_key=idempotency_key).exists():
            return existing
        _check_transition(case, HalalCase.Step.ISSUED)
        if HalalCertificate.objects.filter(number=number).exists():
            _refuse(
                _("The certificate number %(number)s is already recorded."),
                "certificate_taken",
                {"number": number},
            )
        enterprise = _enterprise_for_case(case.enterprise)
        certificate = HalalCertificate.objects.create(
            case=case,
            enterprise=enterprise,
            number=number,
            issued_on=issued_on,
            valid_until=valid_until,
            product_names=list(case.products.values_list("name", flat=True)),
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        _move(
            case,
            HalalCaseEvent,
            HalalCase.Step.ISSUED,
            by,
            now=timezone.now(),
            data={"certificate": number},
            idempotency_key=idempotency_key,
        )
        issued_at = datetime.datetime.combine(issued_on, datetime.time(12), tzinfo=datetime.UTC)
        record_milestone(
            enterprise=enterprise,
            kind=Milestone.Kind.HALAL_CERTIFIED,
            source=MILESTONE_SOURCE,
            occurred_at=min(issued_at, timezone.now()),
            by=by if getattr(by, "is_authenticated", False) else None,
        )
    return certificate
