"""Supply links: who supplies whom, and how the platform knows (``SupplyLink.Basis``).

One write path, ``_upsert``: a link is found by supplier, buyer and commodity key and only ever
grows stronger. A link declared by one side becomes confirmed when the other side declares or
confirms it; a mentor's record, a BumDes's collections and paid B2B orders raise it further.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.registry.models import Enterprise
from tumbuh.supply.error_codes import SupplyError
from tumbuh.supply.models import Period, SupplyLink
from tumbuh.supply.services.common import (
    acting_user,
    check_acts_for,
    check_live,
    clean_kbli,
    clean_quantity,
    clean_text,
    clean_unit,
    commodity_key,
)


def _stronger(basis: str, than: str) -> bool:
    order = SupplyLink.STRENGTH
    return order.index(basis) > order.index(than)


def _clean(*, supplier, buyer, commodity, commodity_kbli, unit, usual_volume, period):
    if supplier.pk == buyer.pk:
        raise Refused(
            SupplyError.SAME_BUSINESS, _("A business cannot supply itself."), field="buyer"
        )
    check_live(supplier, field="supplier")
    check_live(buyer, field="buyer")
    if period not in Period.values:
        raise Refused(
            SupplyError.PERIOD_UNKNOWN, _("Choose per week or per month."), field="period"
        )
    return {
        "commodity": clean_text(commodity, field="commodity", max_length=80),
        "commodity_kbli": clean_kbli(commodity_kbli),
        "unit": clean_unit(unit),
        "usual_volume": (
            None
            if usual_volume in (None, "")
            else clean_quantity(usual_volume, field="usual_volume")
        ),
        "period": period,
    }


def _upsert(*, supplier, buyer, fields: dict, basis: str, declared_by=None, by) -> SupplyLink:
    """Create the link or make it stronger; returns it. Call inside a transaction."""
    key = commodity_key(fields["commodity_kbli"], fields["commodity"])
    link = (
        SupplyLink.objects.select_for_update()
        .filter(supplier=supplier, buyer=buyer, commodity_key=key)
        .first()
    )
    now = timezone.now()
    if link is None:
        try:
            with transaction.atomic():
                link = SupplyLink.objects.create(
                    supplier=supplier,
                    buyer=buyer,
                    commodity_key=key,
                    basis=basis,
                    declared_by=declared_by,
                    recorded_by=acting_user(by),
                    **fields,
                )
        except IntegrityError:  # the same link written at the same moment: take it
            link = SupplyLink.objects.select_for_update().get(
                supplier=supplier, buyer=buyer, commodity_key=key
            )
        else:
            record_event(
                actor=by,
                action="supply.link_recorded",
                target=link,
                region_code=buyer.village_id,
                data={"basis": basis},
            )
            return link
    before = link.basis
    if basis == SupplyLink.Basis.DECLARED:
        # The other side declaring the same link confirms it.
        if link.basis == SupplyLink.Basis.DECLARED and link.declared_by_id not in (
            None,
            getattr(declared_by, "pk", None),
        ):
            basis = SupplyLink.Basis.CONFIRMED
        else:
            basis = link.basis
    if _stronger(basis, link.basis):
        link.basis = basis
        if basis == SupplyLink.Basis.CONFIRMED:
            link.confirmed_at = now
    if fields.get("usual_volume"):
        link.usual_volume = fields["usual_volume"]
        link.period = fields["period"]
        link.unit = fields["unit"]
    link.save()
    if link.basis != before:
        record_event(
            actor=by,
            action="supply.link_strengthened",
            target=link,
            region_code=buyer.village_id,
            data={"from": before, "to": link.basis},
        )
    return link


def declare_link(
    *,
    supplier: Enterprise,
    buyer: Enterprise,
    commodity: str,
    commodity_kbli: str = "",
    unit: str = "kg",
    usual_volume=None,
    period: str = "week",
    side: Enterprise,
    by,
) -> SupplyLink:
    """One side (``side``, the supplier or the buyer, for whom ``by`` acts) says the link exists.
    When the other side had declared it already, it is confirmed."""
    if side.pk not in (supplier.pk, buyer.pk):
        raise Refused(
            SupplyError.NOT_YOUR_BUSINESS, _("Declare a link of your own business."), field="side"
        )
    check_acts_for(by, side)
    fields = _clean(
        supplier=supplier,
        buyer=buyer,
        commodity=commodity,
        commodity_kbli=commodity_kbli,
        unit=unit,
        usual_volume=usual_volume,
        period=period,
    )
    with transaction.atomic():
        return _upsert(
            supplier=supplier,
            buyer=buyer,
            fields=fields,
            basis=SupplyLink.Basis.DECLARED,
            declared_by=side,
            by=by,
        )


def confirm_link(*, link: SupplyLink, by) -> SupplyLink:
    """The side that did not declare the link confirms it."""
    other = link.buyer if link.declared_by_id == link.supplier_id else link.supplier
    if link.basis != SupplyLink.Basis.DECLARED:
        return link
    check_acts_for(by, other)
    with transaction.atomic():
        locked = SupplyLink.objects.select_for_update().get(pk=link.pk)
        if locked.basis == SupplyLink.Basis.DECLARED:
            locked.basis = SupplyLink.Basis.CONFIRMED
            locked.confirmed_at = timezone.now()
            locked.save(update_fields=["basis", "confirmed_at", "updated_at"])
            record_event(
                actor=by,
                action="supply.link_strengthened",
                target=locked,
                region_code=locked.buyer.village_id,
                data={"from": "declared", "to": "confirmed"},
            )
        return locked


def record_link_by_mentor(
    *,
    supplier: Enterprise,
    buyer: Enterprise,
    commodity: str,
    commodity_kbli: str = "",
    unit: str = "kg",
    usual_volume=None,
    period: str = "week",
    by,
) -> SupplyLink:
    """A mentor saw the link on a visit. The caller has checked that one of the two businesses
    is in the mentor's caseload (``supply.mentor.apply_supply_link``)."""
    fields = _clean(
        supplier=supplier,
        buyer=buyer,
        commodity=commodity,
        commodity_kbli=commodity_kbli,
        unit=unit,
        usual_volume=usual_volume,
        period=period,
    )
    with transaction.atomic():
        return _upsert(
            supplier=supplier, buyer=buyer, fields=fields, basis=SupplyLink.Basis.MENTOR, by=by
        )


def derive_link(*, supplier, buyer, commodity, commodity_kbli, unit, basis, by) -> SupplyLink:
    """A link the platform saw happen (a paid B2B order, a collection); inside the caller's
    transaction."""
    fields = {
        "commodity": commodity,
        "commodity_kbli": commodity_kbli,
        "unit": unit,
        "usual_volume": None,
        "period": "week",
    }
    return _upsert(supplier=supplier, buyer=buyer, fields=fields, basis=basis, by=by)
