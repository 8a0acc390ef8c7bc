"""The work this app gives a person, for the console home (``accounts.work``).

A person who acts for a registered business (its owner or the BumDes's manager, a registry
business account) trades along its supply chain at ``/rantai-pasok/``: its offers and requests,
the suppliers near it, its B2B orders. The entry is as specific as the business itself
(``Specificity.BUSINESS``) and comes after the self-assessment's in the providers' order, so it
never changes where a person lands; with open B2B orders it says how many. Two queries, whatever
the number of businesses.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts.work import Specificity, Work
from tumbuh.registry.services import enterprises_of
from tumbuh.supply.models import SupplyOrder


def work_for(user, held) -> list[Work]:
    """The supply home for a person who acts for at least one business; else nothing."""
    businesses = enterprises_of(user)
    if not businesses:
        return []
    ids = [business.pk for business in businesses]
    open_orders = SupplyOrder.objects.filter(
        Q(supplier_id__in=ids) | Q(buyer_id__in=ids), status__in=SupplyOrder.OPEN_STATUSES
    ).count()
    detail = ", ".join(business.name for business in businesses)
    if open_orders:
        detail += " · " + ngettext(
            "%(count)d open B2B order", "%(count)d open B2B orders", open_orders
        ) % {"count": open_orders}
    return [
        Work(
            title=_("Supply chain: offers, suppliers near you and B2B orders"),
            url=reverse("supply:home"),
            specificity=Specificity.BUSINESS,
            detail=detail,
        )
    ]
