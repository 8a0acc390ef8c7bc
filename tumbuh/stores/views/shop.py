"""Public storefront pages: ``/toko/<store>/`` and ``/toko/<store>/<product>/``.

Server-rendered, browsable and orderable without JavaScript, each page within 14 KB compressed
with its critical CSS inline. Pages carry an ETag computed from what they show (before
rendering, so a conditional GET answers 304 without building the page) and short private
caching: they hold the visitor's CSRF token for the add-to-cart form. A tiny service worker
scoped to ``/toko/`` keeps the last visited pages readable offline.
"""

import hashlib

from django.core.paginator import Paginator
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET

from tumbuh.stores import queries
from tumbuh.stores.models import Product, Store

PRODUCTS_PER_PAGE = 24
CACHE_SECONDS = 60


def _live_store(slug) -> Store:
    return get_object_or_404(queries.live_stores(), slug=slug)


def _visitor_key(request) -> str:
    """What else a page depends on: language, who is signed in, the CSRF cookie, messages."""
    user = getattr(request, "user", None)
    return "|".join(
        [
            get_language() or "",
            str(user.pk if user is not None and user.is_authenticated else ""),
            request.COOKIES.get("csrftoken", ""),
            request.GET.urlencode(),
        ]
    )


def _etag(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def storefront_etag(request, slug):
    row = (
        Store.objects.live()
        .filter(slug=slug)
        .values("pk", "updated_at")
        .annotate(
            changed=Max("products__updated_at"),
            count=Count("products"),
            stock=Sum("products__stock"),
        )
        .first()
    )
    if row is None or "_messages" in request.COOKIES or request.session.get("_messages"):
        return None
    return _etag(
        "store",
        row["pk"],
        row["updated_at"],
        row["changed"],
        row["count"],
        row["stock"],
        _visitor_key(request),
    )


def product_etag(request, slug, product_slug):
    row = (
        Product.objects.filter(store__slug=slug, store__status=Store.Status.LIVE, slug=product_slug)
        .values("pk", "updated_at", "stock", "version", "store__updated_at")
        .first()
    )
    if row is None or "_messages" in request.COOKIES or request.session.get("_messages"):
        return None
    return _etag("product", *row.values(), _visitor_key(request))


def _cached(response):
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


@require_GET
@condition(etag_func=storefront_etag)
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
    response = render(
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
    return _cached(response)


@require_GET
@condition(etag_func=product_etag)
def product(request, slug, product_slug):
    store = _live_store(slug)
    item = get_object_or_404(
        Product.objects.filter(store=store, is_active=True).select_related(
            "producer", "producer__village", "producer__village__regency"
        ),
        slug=product_slug,
    )
    item.store = store
    numbers = queries.halal_numbers([item.producer_id]) if item.halal_certificate_number else {}
    cart_url = reverse("stores:cart")
    response = render(
        request,
        "stores/storefront/product.html",
        {
            "store": store,
            "product": item,
            "tiers": list(item.wholesale_tiers.all()),
            "has_halal_badge": queries.has_halal_badge(item, numbers),
            "cart_url": cart_url,
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
    return _cached(response)


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


@require_GET
def store_list(request):
    """``/toko/``: the live stores, newest first (the national catalogue searches products)."""
    stores = Store.objects.live().select_related("village").order_by("-went_live_at", "pk")
    page = Paginator(stores.only("slug", "name", "description", "village__name"), 30).get_page(
        request.GET.get("halaman")
    )
    return _cached(render(request, "stores/storefront/list.html", {"page": page}))
