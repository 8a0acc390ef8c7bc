"""Seller pages: the store-opening wizard and the seller's home (phone-first)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tumbuh.registry.services import enterprises_of
from tumbuh.stores.models import Store


@login_required
def seller_home(request):
    enterprises = enterprises_of(request.user)
    stores = Store.objects.filter(enterprise__in=enterprises).order_by("name", "pk")
    return render(
        request, "stores/seller/home.html", {"stores": stores, "enterprises": enterprises}
    )


@login_required
def open_store(request):
    enterprises = enterprises_of(request.user)
    return render(request, "stores/wizard/start.html", {"enterprises": enterprises})
