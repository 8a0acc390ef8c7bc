"""What a BumDes collects from its village's producers, members or not, and pays them.

A collection is the BumDes's purchase from one producer; it makes the supply link producer →
BumDes known "from a BumDes's collections", and when it names one of the BumDes's offers the
quantity is added to that offer's stock, to sell on B2B.
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.registry.models import Enterprise
from tumbuh.supply.error_codes import SupplyError
from tumbuh.supply.models import Collection, Offer, SupplyLink
from tumbuh.supply.services.common import (
    acting_user,
    check_acts_for,
    check_live,
    clean_kbli,
    clean_price,
    clean_quantity,
    clean_text,
    clean_unit,
)
from tumbuh.supply.services.links import derive_link


def record_collection(
    *,
    collector: Enterprise,
    producer: Enterprise,
    commodity: str,
    unit: str,
    quantity,
    unit_price_idr,
    collected_on,
    commodity_kbli: str = "",
    is_member: bool = False,
    offer: Offer | None = None,
    paid: bool = False,
    note: str = "",
    by,
) -> Collection:
    """The BumDes (``collector``, for whom ``by`` acts) records what it bought from a producer
    of its village."""
    check_acts_for(by, collector)
    check_live(collector, field="collector")
    check_live(producer, field="producer")
    if collector.kind != Enterprise.Kind.BUMDES:
        raise Refused(
            SupplyError.NOT_A_COLLECTOR,
            _("Only a BumDes records collections from its village's producers."),
            field="collector",
        )
    if producer.pk == collector.pk:
        raise Refused(SupplyError.SAME_BUSINESS, _("A BumDes cannot collect from itself."))
    if producer.village_id != collector.village_id:
        raise Refused(
            SupplyError.NOT_IN_VILLAGE,
            _("%(name)s is not in the BumDes's village.") % {"name": producer.name},
            field="producer",
        )
    if offer is not None and offer.supplier_id != collector.pk:
        raise Refused(
            SupplyError.NOT_YOUR_BUSINESS, _("That offer is not the BumDes's."), field="offer"
        )
    if isinstance(collected_on, str):
        try:
            collected_on = datetime.date.fromisoformat(collected_on)
        except ValueError:
            collected_on = None
    if not isinstance(collected_on, datetime.date):
        raise Refused(
            SupplyError.DATE_INVALID, _("Give a date as YYYY-MM-DD."), field="collected_on"
        )
    quantity = clean_quantity(quantity)
    price = clean_price(unit_price_idr, field="unit_price_idr")
    fields = {
        "commodity": clean_text(commodity, field="commodity", max_length=80),
        "commodity_kbli": clean_kbli(commodity_kbli),
        "unit": clean_unit(unit),
        "note": clean_text(note, field="note", max_length=300, required=False),
    }
    with transaction.atomic():
        collection = Collection.objects.create(
            collector=collector,
            producer=producer,
            is_member=bool(is_member),
            offer=offer,
            quantity=quantity,
            unit_price_idr=price,
            amount_idr=quantity * price,
            collected_on=collected_on,
            paid_at=timezone.now() if paid else None,
            recorded_by=acting_user(by),
            **fields,
        )
        if offer is not None:
            Offer.objects.filter(pk=offer.pk).update(
                available_quantity=F("available_quantity") + quantity, updated_at=timezone.now()
            )
        derive_link(
            supplier=producer,
            buyer=collector,
            commodity=fields["commodity"],
            commodity_kbli=fields["commodity_kbli"],
            unit=fields["unit"],
            basis=SupplyLink.Basis.COLLECTIONS,
            by=by,
        )
        record_event(
            actor=by,
            action="supply.collection_recorded",
            target=collection,
            region_code=collector.village_id,
            data={"quantity": quantity, "amount_idr": quantity * price},
        )
    return collection


def pay_collection(*, collection: Collection, by) -> Collection:
    """The BumDes paid the producer for a collection."""
    check_acts_for(by, collection.collector)
    with transaction.atomic():
        updated = Collection.objects.filter(pk=collection.pk, paid_at__isnull=True).update(
            paid_at=timezone.now()
        )
        if updated:
            record_event(
                actor=by,
                action="supply.collection_paid",
                target=collection,
                region_code=collection.collector.village_id,
            )
    collection.refresh_from_db()
    return collection
