"""Setting up programmes: their rules and benefits, priority areas, partner quotas and
transfers of quota between partners (ministry staff).
"""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Benefit, PartnerQuota, Programme, ProgrammeArea, QuotaTransfer
from tumbuh.programmes.services.access import Actor, is_ministry_staff
from tumbuh.programmes.services.eligibility import places_used
from tumbuh.registry.models import Enterprise, Milestone


def _checked_programme_fields(fields: dict) -> dict:
    """The programme fields, normalised; refused when a rule or the period is invalid."""
    fields = dict(fields)
    sections = [s.strip().upper() for s in fields.get("kbli_sections", []) if s.strip()]
    if any(len(s) != 1 or not "A" <= s <= "U" for s in sections):
        raise Refused(ProgrammesError.BAD_RULE, _("KBLI sections are letters A to U."))
    fields["kbli_sections"] = sections
    if "region_codes" in fields:
        fields["region_codes"] = [c.strip() for c in fields["region_codes"] if c.strip()]
    if set(fields.get("scales", [])) - set(Enterprise.Scale.values):
        raise Refused(ProgrammesError.BAD_RULE, _("Unknown business scale."))
    if set(fields.get("milestones_required", [])) - set(Milestone.Kind.values):
        raise Refused(ProgrammesError.BAD_RULE, _("Unknown milestone."))
    for name in ("target_count", "sessions_required"):
        if int(fields.get(name) or 0) < 0:
            raise Refused(ProgrammesError.BAD_NUMBER, _("Targets and counts cannot be negative."))
    if fields["starts_on"] > fields["ends_on"]:
        raise Refused(ProgrammesError.BAD_PERIOD, _("The programme ends before it starts."))
    return fields


def create_programme(*, organisation: Organisation, by: Actor, benefits=(), **fields) -> Programme:
    """Create a programme with its eligibility and completion rules and its benefits.

    ``benefits`` is a list of names. Unknown KBLI sections, scales or milestone kinds, or a
    period that ends before it starts, are refused. Ministry staff only.
    """
    if not is_ministry_staff(by):
        raise Refused(ProgrammesError.NOT_ALLOWED, _("Only ministry staff may set up programmes."))
    fields = _checked_programme_fields(fields)
    with transaction.atomic():
        programme = Programme.objects.create(organisation=organisation, **fields)
        for name in benefits:
            Benefit.objects.create(programme=programme, name=name)
        record_event(
            actor=by,
            action="programmes.programme_created",
            target=programme,
            region_code=organisation.region_code,
            data={"name": programme.name},
        )
    return programme


def update_programme(*, programme: Programme, by: Actor, **fields) -> Programme:
    """Change a programme's basic fields and rules (ministry staff); same checks as creating."""
    if not is_ministry_staff(by):
        raise Refused(ProgrammesError.NOT_ALLOWED, _("Only ministry staff may set up programmes."))
    fields = _checked_programme_fields(fields)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(programme, name, value)
        programme.save()
        record_event(
            actor=by,
            action="programmes.programme_updated",
            target=programme,
            region_code=programme.organisation.region_code,
            data={"name": programme.name},
        )
    return programme


def set_area_quota(*, programme: Programme, area, quota: int, by: Actor) -> ProgrammeArea:
    """Add a priority area to a programme, or change its quota (never below the places used
    nor below the partners' shares)."""
    quota = int(quota)
    if not is_ministry_staff(by):
        raise Refused(ProgrammesError.NOT_ALLOWED, _("Only ministry staff may set quotas."))
    if quota < 0:
        raise Refused(ProgrammesError.AMOUNT_INVALID, _("A quota cannot be negative."))
    with transaction.atomic():
        programme_area, _created = ProgrammeArea.objects.select_for_update().get_or_create(
            programme=programme, area=area, defaults={"quota": quota}
        )
        shares = programme_area.partner_quotas.aggregate(total=Sum("quota"))["total"] or 0
        if quota < max(shares, places_used(programme_area=programme_area)):
            raise Refused(
                ProgrammesError.QUOTA_BELOW_USE,
                _("The quota cannot be below the partners' shares (%(shares)s).")
                % {"shares": shares},
            )
        if programme_area.quota != quota:
            ProgrammeArea.objects.filter(pk=programme_area.pk).update(quota=quota)
            programme_area.quota = quota
        record_event(
            actor=by,
            action="programmes.area_quota_set",
            target=programme_area,
            data={"area": area.slug, "quota": quota},
        )
    return programme_area


def set_partner_quota(
    *, programme_area: ProgrammeArea, partner: Organisation, quota: int, by: Actor
) -> PartnerQuota:
    """Give a partner a share of an area's quota; the shares never exceed the area's quota."""
    quota = int(quota)
    if not is_ministry_staff(by):
        raise Refused(ProgrammesError.NOT_ALLOWED, _("Only ministry staff may set quotas."))
    if quota < 0:
        raise Refused(ProgrammesError.AMOUNT_INVALID, _("A quota cannot be negative."))
    if not partner.is_partner:
        raise Refused(
            ProgrammesError.NOT_A_PARTNER, _("%(name)s is not a partner.") % {"name": partner.name}
        )
    with transaction.atomic():
        area = ProgrammeArea.objects.select_for_update().get(pk=programme_area.pk)
        others = (
            area.partner_quotas.exclude(partner=partner).aggregate(total=Sum("quota"))["total"] or 0
        )
        if others + quota > area.quota:
            raise Refused(
                ProgrammesError.SHARES_EXCEED_QUOTA,
                _("The partners' shares would exceed the area's quota of %(quota)s.")
                % {"quota": area.quota},
            )
        if quota < places_used(programme_area=area, partner=partner):
            raise Refused(
                ProgrammesError.QUOTA_BELOW_USE, _("The share cannot be below the places used.")
            )
        share, created = PartnerQuota.objects.get_or_create(
            programme_area=area, partner=partner, defaults={"quota": quota}
        )
        if not created and share.quota != quota:
            PartnerQuota.objects.filter(pk=share.pk).update(quota=quota)
            share.quota = quota
        record_event(
            actor=by,
            action="programmes.partner_quota_set",
            target=share,
            data={"partner": partner.pk, "quota": quota},
        )
    return share


def transfer_quota(
    *,
    programme_area: ProgrammeArea,
    from_partner: Organisation,
    to_partner: Organisation,
    amount: int,
    reason: str,
    by: Actor,
) -> QuotaTransfer:
    """Move ``amount`` unused places of an area from one partner to another, with a record.

    Ministry staff only. The places moved must be unused by ``from_partner`` (not held by an
    enrolment); the area's total quota does not change.
    """
    if not is_ministry_staff(by):
        raise Refused(
            ProgrammesError.NOT_ALLOWED, _("Only ministry staff may move quota between partners.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise Refused(ProgrammesError.REASON_REQUIRED, _("Give the reason for moving the quota."))
    if from_partner.pk == to_partner.pk:
        raise Refused(ProgrammesError.SAME_PARTNER, _("Choose two different partners."))
    if not to_partner.is_partner:
        raise Refused(
            ProgrammesError.NOT_A_PARTNER,
            _("%(name)s is not a partner.") % {"name": to_partner.name},
        )
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if amount <= 0:
        raise Refused(ProgrammesError.AMOUNT_INVALID, _("Move at least one place."))
    with transaction.atomic():
        area = ProgrammeArea.objects.select_for_update().get(pk=programme_area.pk)
        shares = {
            share.partner_id: share
            for share in PartnerQuota.objects.select_for_update()
            .filter(programme_area=area, partner__in=[from_partner, to_partner])
            .order_by("pk")
        }
        source = shares.get(from_partner.pk)
        if source is None:
            raise Refused(
                ProgrammesError.NO_PARTNER_QUOTA,
                _("%(partner)s has no quota in %(area)s.")
                % {"partner": from_partner.name, "area": area.area.name},
            )
        unused = source.quota - places_used(programme_area=area, partner=from_partner)
        if amount > unused:
            raise Refused(
                ProgrammesError.QUOTA_IN_USE,
                _("%(partner)s has only %(unused)s unused places in %(area)s.")
                % {"partner": from_partner.name, "unused": max(unused, 0), "area": area.area.name},
            )
        target = shares.get(to_partner.pk) or PartnerQuota.objects.create(
            programme_area=area, partner=to_partner, quota=0
        )
        PartnerQuota.objects.filter(pk=source.pk).update(quota=source.quota - amount)
        PartnerQuota.objects.filter(pk=target.pk).update(quota=target.quota + amount)
        transfer = QuotaTransfer.objects.create(
            programme_area=area,
            from_partner=from_partner,
            to_partner=to_partner,
            amount=amount,
            reason=reason,
            by=by,
        )
        record_event(
            actor=by,
            action="programmes.quota_transferred",
            target=transfer,
            data={"from": from_partner.pk, "to": to_partner.pk, "amount": amount},
        )
    return transfer
