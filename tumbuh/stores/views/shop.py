"""Public storefront pages: ``/toko/<store>/`` and ``/toko/<store>/<product>/``.

Server-rendered, usable without JavaScript, each page within the 14 KB compressed budget.
"""

from django.shortcuts import get_object_or_404, render

from tumbuh.stores.models import Product, Store


def storefront(request, slug):
    store = get_object_or_404(
        Store.objects.live().select_related("enterprise", "village"), slug=slug
    )
    products = store.products.filter(is_active=True).order_by("title", "pk")
    return render(request, "stores/storefront/store.html", {"store": store, "products": products})


def product(request, slug, product_slug):
    store = get_object_or_404(
        Store.objects.live().select_related("enterprise", "village"), slug=slug
    )
    item = get_object_or_404(
        Product.objects.filter(store=store, is_active=True).select_related("producer"),
        slug=product_slug,
    )
    return render(request, "stores/storefront/product.html", {"store": store, "product": item})
