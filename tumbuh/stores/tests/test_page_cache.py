"""The public pages' cache: never stale, few queries, the visitor's own CSRF token, no shared nonce.

Each test reads a page as an anonymous visitor without a session (so from the page cache after
the first read), changes something through the services, and reads it again.
"""

import gzip
import os
import re
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tumbuh.accounts.services import system_actor
from tumbuh.catalogue.models import Campaign
from tumbuh.conftest import make_store
from tumbuh.core import page_cache
from tumbuh.stores import pages
from tumbuh.stores.models import Product
from tumbuh.stores.services import orders, shop
from tumbuh.stores.services.shop import Tier
from tumbuh.stores.tests.builders import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return make_store("Toko Cache")


@pytest.fixture
def product(store):
    return make_product(store, "Kopi Robusta Lampung", price_idr=25_000, stock=7)


def visitor() -> Client:
    """A new anonymous visitor reading English: no session, no other cookie."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response) -> str:
    return response.content.decode()


def test_a_second_read_comes_from_the_cache_with_no_query(product, django_assert_num_queries):
    url = product.get_absolute_url()
    first = visitor().get(url)
    assert first.status_code == 200 and "Rp25.000" in text(first)
    with django_assert_num_queries(0):
        again = visitor().get(url)
    assert again.status_code == 200 and again["ETag"] == first["ETag"]
    with django_assert_num_queries(0):
        assert visitor().get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


@pytest.mark.parametrize("page", ["product", "store", "stores", "catalogue", "search", "campaign"])
def test_each_public_page_renders_in_few_queries_on_a_miss(
    page, store, product, django_assert_max_num_queries
):
    """On a miss a product page reads its product, store and places in one query (then its
    tiers when it has some, and its producer's certificates when it names one). A ranked search
    (PostgreSQL) reads the page's ids nearest first, then their cards."""
    urls = {
        "product": (product.get_absolute_url(), 1),
        "store": (store.get_absolute_url(), 4),
        "stores": (reverse("stores:stores"), 3),
        "catalogue": (reverse("catalogue:home"), 5),
        "search": (
            reverse("catalogue:home") + "?q=kopi",
            6 if connection.vendor == "postgresql" else 5,
        ),
    }
    if page == "campaign":
        from datetime import timedelta

        from django.utils import timezone

        from tumbuh.catalogue.models import CampaignProduct

        now = timezone.now()
        running = Campaign.objects.create(
            slug="hari-kopi",
            title="Hari Kopi",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=1),
        )
        CampaignProduct.objects.create(campaign=running, product=product)
        urls["campaign"] = (running.get_absolute_url(), 4)
    url, most = urls[page]
    with django_assert_max_num_queries(most):
        assert visitor().get(url).status_code == 200
    with django_assert_max_num_queries(0):
        assert visitor().get(url).status_code == 200


def read_price_and_stock(url) -> tuple[str, str]:
    page = text(visitor().get(url))
    price = re.search(r"Rp[\d.]+", page)[0]
    stock = re.search(r"In stock: ([\d.]+)", page)
    return price, stock[1] if stock else "sold out"


def test_no_stale_price_or_stock_after_any_change(store, product):
    """Every way a price or stock changes shows on the next read of every page."""
    url, store_url, search = (
        product.get_absolute_url(),
        store.get_absolute_url(),
        reverse("catalogue:home") + "?q=kopi",
    )
    assert read_price_and_stock(url) == ("Rp25.000", "7")
    for page in (store_url, search):
        assert "Rp25.000" in text(visitor().get(page))

    shop.update_product(product=product, by=system_actor(), price_idr=27_500)
    assert read_price_and_stock(url) == ("Rp27.500", "7")
    assert "Rp27.500" in text(visitor().get(store_url))
    assert "Rp27.500" in text(visitor().get(search))

    shop.restock(product=Product.objects.get(pk=product.pk), quantity=3, by=system_actor())
    assert read_price_and_stock(url) == ("Rp27.500", "10")

    orders.place_order(
        store=store,
        items=[orders.Item(product=product.public_id, quantity=10)],
        buyer_name="Budi",
        buyer_phone="081234567891",
        village_code=store.village_id,
        delivery="pickup",
        payment_method="cod",
        notify=False,
    )
    assert read_price_and_stock(url)[1] == "sold out"
    assert "Sold out" in text(visitor().get(store_url))

    shop.update_product(
        product=Product.objects.get(pk=product.pk), by=system_actor(), tiers=[Tier(5, 24_000)]
    )
    assert "Rp24.000" in text(visitor().get(url))

    shop.update_product(
        product=Product.objects.get(pk=product.pk), by=system_actor(), is_active=False
    )
    assert visitor().get(url).status_code == 404
    assert "Kopi Robusta" not in text(visitor().get(search))


def test_a_closed_store_is_gone_at_once(store, product):
    url = product.get_absolute_url()
    assert visitor().get(url).status_code == 200
    assert store.name in text(visitor().get(reverse("stores:stores")))
    shop.suspend_store(store=store, by=system_actor())
    assert visitor().get(url).status_code == 404
    assert visitor().get(store.get_absolute_url()).status_code == 404
    assert store.name not in text(visitor().get(reverse("stores:stores")))


def test_a_lost_version_means_a_miss_never_an_old_page(product):
    url = product.get_absolute_url()
    visitor().get(url)
    cache.delete_many([page_cache._version_key(page_cache.EVERY_PAGE)])
    Product.objects.filter(pk=product.pk).update(price_idr=99_000)  # behind the services' back
    assert "Rp99.000" in text(visitor().get(url))


def test_every_visitor_gets_a_csrf_token_of_their_own_that_works(product):
    url = product.get_absolute_url()
    tokens = []
    for _number in range(2):
        buyer = visitor()
        page = buyer.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page))[1]
        tokens.append(token)
        buyer.handler.enforce_csrf_checks = True
        added = buyer.post(
            reverse("stores:cart"),
            {"csrfmiddlewaretoken": token, "product": product.public_id, "quantity": "1"},
        )
        assert added.status_code == 302  # to the cart, not a CSRF 403
    assert tokens[0] != tokens[1]


def test_a_page_without_a_form_is_served_compressed_as_stored(store, product):
    url = store.get_absolute_url()
    plain = visitor().get(url)
    packed = visitor().get(url, headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Accept-Encoding" in packed["Vary"] and "Cookie" in packed["Vary"]


def test_a_visitor_with_a_session_gets_their_own_page(store, product, client_of, officer_32):
    url = store.get_absolute_url()
    assert "Sign in" in text(visitor().get(url))
    officer = client_of(officer_32)
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    signed_in = officer.get(url)
    assert signed_in.status_code == 200
    assert "Sign in" not in text(signed_in) and "Console" in text(signed_in)
    assert signed_in["ETag"] != visitor().get(url)["ETag"]


def test_a_campaign_page_is_kept_no_longer_than_the_campaign_runs(product, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from tumbuh.catalogue.views import _until_a_campaign_starts_or_ends

    now = timezone.now()
    Campaign.objects.create(
        slug="hari-kopi",
        title="Hari Kopi",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(seconds=90),
    )
    assert 0 < _until_a_campaign_starts_or_ends() <= 90


@pytest.fixture
def redis_cache(settings):
    """Django's Redis cache on the local Redis (as in production), under a prefix of this test."""
    import secrets

    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("TUMBUH_REQUIRE_REDIS"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{secrets.token_hex(6)}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_pages_and_versions_in_redis(redis_cache, store, product, django_assert_num_queries):
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "RedisCache"
    url = product.get_absolute_url()
    assert "Rp25.000" in text(visitor().get(url))
    with django_assert_num_queries(0):
        assert "Rp25.000" in text(visitor().get(url))
    shop.update_product(product=product, by=system_actor(), price_idr=26_000)
    assert "Rp26.000" in text(visitor().get(url))


def test_a_kept_page_is_served_with_the_headers_of_a_rendered_one(product):
    url = product.get_absolute_url()
    rendered = visitor().get(url)
    kept = visitor().get(url)
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Content-Type",
        "Content-Language",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "ETag",
        "Cache-Control",
    ):
        assert kept[name] == rendered[name], name
    assert settings.CSRF_COOKIE_NAME in kept.cookies  # a new visitor's token comes with its cookie
    assert int(kept["Content-Length"]) == len(kept.content)  # not chunked by the server
    packed = visitor().get(product.store.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert int(packed["Content-Length"]) == len(packed.content)


def test_last_modified_is_the_latest_change_and_answers_if_modified_since(product):
    url = product.get_absolute_url()
    scope = pages.store_scope(product.store.slug)
    for name in (scope, page_cache.EVERY_PAGE):
        cache.set(page_cache._version_key(name), f"{int(time.time()) - 60}-earlier", None)
    first = visitor().get(url)
    since = first["Last-Modified"]
    assert visitor().get(url, headers={"if-modified-since": since}).status_code == 304
    # A change now: the page is new again, and says when it changed only once that second
    # has passed (a second change in the same second would have the same stamp).
    cache.set(page_cache._version_key(scope), f"{int(time.time())}-changed", None)
    changed = visitor().get(url, headers={"if-modified-since": since})
    assert changed.status_code == 200 and "Last-Modified" not in changed
