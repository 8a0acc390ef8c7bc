"""The work this app gives a person, for the landing after sign-in and the console home.

A person who runs a store (the owner or manager of its business, through a registry business
account) works at ``/toko-saya/``: orders, products and stock. An owner without a store yet may
open one there; so may a person with the seller role whose account is not linked to a business
yet (the page tells them to ask for the link). See ``tumbuh.accounts.work`` for the registry of
work.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts.permissions import Capability
from tumbuh.accounts.work import Specificity, Work
from tumbuh.registry.services import enterprises_of
from tumbuh.stores.models import Store


def work_for(user, held) -> list[Work]:
    businesses = enterprises_of(user)
    stores = (
        list(Store.objects.filter(enterprise__in=businesses).order_by("name", "pk"))
        if businesses
        else []
    )
    home = reverse("stores:seller-home")
    if stores:
        return [
            Work(
                title=ngettext("Your store", "Your stores", len(stores)),
                url=home,
                specificity=Specificity.STORE,
                detail=", ".join(
                    f"{store.name} ({store.get_status_display()})" for store in stores
                ),
            )
        ]
    if businesses:
        return [
            Work(
                title=_("Open an online store for your business"),
                url=home,
                specificity=Specificity.NEXT_STEP,
                detail=", ".join(business.name for business in businesses),
            )
        ]
    if held.get(Capability.RUN_STORE):
        return [
            Work(
                title=_("My store"),
                url=home,
                specificity=Specificity.NEXT_STEP,
                detail=_("Your account is not linked to a business yet."),
                memberships=tuple(held[Capability.RUN_STORE]),
            )
        ]
    return []
