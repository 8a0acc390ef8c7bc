"""Public storefront pages: ``/toko/<store>/`` and ``/toko/<store>/<product>/``.

Server-rendered, browsable and orderable without JavaScript, each page within 14 KB compressed
with its critical CSS inline. Both pages are served from the page cache (``core.page_cache``)
under the store's version scope (``stores.pages``), which every change of the store, its
products, stock or prices bumps; the ETag comes from that version, so a conditional GET
answers 304 without a query. A tiny service worker scoped to ``/toko/`` keeps the last visited
pages readable offline.
"""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tumbuh.core.page_cache import cached_page
from tumbuh.stores import pages, queries
from tumbuh.stores.models import Product, Store, WholesaleTier

PRODUCTS_PER_PAGE = 24


def _live_store(slug) -> Store:
    return get_object_or_404(queries.live_stores(), slug=slug)


def _store_pages(request, slug, *args, **kwargs) -> list[str]:
    return [pages.store_scope(slug)]


@require_GET
@cached_page(_store_pages)
def storefront(request, slug):
    store = _live_store(slug)
    products = queries.products_on_sale(store)
    category = request.GET.get("kategori", "")
    if category in Product.Category.values:
        products = products.filter(category=category)
    else:
        category = ""
    page = Paginator(
        products.only(
            "public_id",
            "slug",
            "title",
            "price_idr",
            "unit",
            "stock",
            "thumbnail",
            "thumbnail_width",
            "thumbnail_height",
            "made_in_indonesia",
            "halal_certificate_number",
            "producer_id",
            "store_id",
        ),
        PRODUCTS_PER_PAGE,
    ).get_page(request.GET.get("halaman"))
    items = list(page.object_list)
    needs_halal = {p.producer_id for p in items if p.halal_certificate_number}
    numbers = queries.halal_numbers(needs_halal) if needs_halal else {}
    for item in items:
        item.store = store  # for get_absolute_url without a query per product
        item.has_halal_badge = queries.has_halal_badge(item, numbers)
    categories = (
        store.products.filter(is_active=True)
        .values_list("category", flat=True)
        .distinct()
        .order_by()
    )
    return render(
        request,
        "stores/storefront/store.html",
        {
            "store": store,
            "items": items,
            "page": page,
            "category": category,
            "categories": [
                (value, label)
                for value, label in Product.Category.choices
                if value in set(categories)
            ],
            "whatsapp_link": store.whatsapp_link(
                _("Hello %(store)s, I would like to order.") % {"store": store.name}
            ),
        },
    )


@require_GET
@cached_page(_store_pages)
def product(request, slug, product_slug):
    # One query for the product, its live store and the places both pages name; a second
    # only for a product with wholesale tiers (and one for a named halal certificate).
    item = get_object_or_404(
        Product.objects.filter(store__slug=slug, store__status=Store.Status.LIVE, is_active=True)
        .select_related(
            "store__enterprise",
            "store__village__regency",
            "producer__village__regency",
        )
        .annotate(has_tiers=Exists(WholesaleTier.objects.filter(product=OuterRef("pk")))),
        slug=product_slug,
    )
    store = item.store
    numbers = queries.halal_numbers([item.producer_id]) if item.halal_certificate_number else {}
    return render(
        request,
        "stores/storefront/product.html",
        {
            "store": store,
            "product": item,
            "tiers": list(item.wholesale_tiers.all()) if item.has_tiers else [],
            "has_halal_badge": queries.has_halal_badge(item, numbers),
            "cart_url": reverse("stores:cart"),
            "whatsapp_link": store.whatsapp_link(
                _("Hello %(store)s, I would like to order %(product)s (%(url)s).")
                % {
                    "store": store.name,
                    "product": item.title,
                    "url": request.build_absolute_uri(item.get_absolute_url()),
                }
            ),
        },
    )


@require_GET
def service_worker(request):
    """The storefront's service worker, served from ``/toko/`` so that its scope is ``/toko/``."""
    body = render_to_string("stores/storefront/sw.js", {"offline_text": _("You are offline.")})
    response = HttpResponse(body, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    store = None
    slug = request.GET.get("toko", "")
    if slug:
        store = Store.objects.live().filter(slug=slug).first()
        if store is None:
            raise Http404
    start = store.get_absolute_url() if store else reverse("stores:stores")
    body = {
        "name": store.name if store else _("Tumbuh stores"),
        "short_name": (store.name if store else _("Stores"))[:12],
        "start_url": start,
        "scope": "/toko/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6b3a",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {
                "src": static(f"stores/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    patch_cache_control(response, public=True, max_age=3600)
    return response


def _every_store(request, *args, **kwargs) -> list[str]:
    return [pages.CATALOGUE]  # every store's save bumps it


@require_GET
@cached_page(_every_store)
def store_list(request):
    """``/toko/``: the live stores, newest first (the national catalogue searches products)."""
    stores = Store.objects.live().select_related("village").order_by("-went_live_at", "pk")
    page = Paginator(stores.only("slug", "name", "description", "village__name"), 30).get_page(
        request.GET.get("halaman")
    )
    return render(request, "stores/storefront/list.html", {"page": page})
