"""Input that once made the API crash: a NUL character anywhere, an offset past any page.

Each now gets the declared error shape (422 with the one error body; a page gets 400), and
nothing is written."""

import json

import pytest
from django.test import RequestFactory

from tumbuh.core.middleware import InputGuardMiddleware
from tumbuh.core.paging import MAX_OFFSET
from tumbuh.stores.models import Order
from tumbuh.stores.tests.order_builders import shop_with_product

pytestmark = pytest.mark.django_db
NUL_REFUSED = {
    "code": "invalid",
    "detail": "Permintaan ini memuat karakter NUL (bita nol), yang tidak boleh ada di kolom mana pun.",
    "reason": "nul_character",
}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions/search?q=a%00b",
        "/api/v1/stores/?province=5%003",
        "/api/v1/regions/search?q=%00",
    ],
)
def test_a_nul_in_the_query_of_the_api_is_refused(client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json() == NUL_REFUSED


def test_a_nul_in_an_order_is_refused_and_no_order_is_made(client):
    store, product = shop_with_product(stock=10)
    body = {
        "items": [{"product": product.public_id + "\u0000", "quantity": 1}],
        "buyer_name": "Dewi\u0000",
        "buyer_phone": "0813-2222-3333",
        "village_code": store.village_id,
        "delivery": "pickup",
        "payment_method": "qris",
    }
    response = client.post(
        f"/api/v1/stores/{store.slug}/orders", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["reason"] == "nul_character"
    assert not Order.objects.exists()


def test_a_nul_in_a_page_or_a_form_is_a_bad_request(client):
    assert client.get("/bbi/?q=kopi%00").status_code == 400
    response = client.post(
        "/masuk/", "username=a%00b&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert client.get("/bbi/?q=kopi").status_code == 200


def test_an_upload_with_nul_bytes_is_left_to_its_form():
    """A photo holds NUL bytes: multipart bodies pass through to the view."""
    reached = []
    middleware = InputGuardMiddleware(lambda request: reached.append(request) or "view")
    photo = RequestFactory().post("/toko-saya/x/", {"photo": _file(b"\x89PNG\x00\x00\x00")})
    assert middleware(photo) == "view" and reached


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("foto.png", content, content_type="image/png")


@pytest.mark.parametrize("path", ["/api/v1/stores/", "/api/v1/registry/enterprises"])
def test_an_offset_past_any_page_is_refused_not_a_crash(client_of, national_admin, path):
    client = client_of(national_admin)
    huge = client.get(f"{path}?offset=99999999999999999999")
    assert huge.status_code == 422, huge.content
    assert huge.json()["code"] == "invalid"
    assert client.get(f"{path}?offset={MAX_OFFSET + 1}").status_code == 422
    assert client.get(f"{path}?offset={MAX_OFFSET}").status_code == 200


def test_no_two_schemas_of_the_api_share_a_name():
    """The OpenAPI document names each schema by its class name: two classes of one name made
    the registry's enterprise place point at the catalogue's (a schema violation on every
    answer)."""
    from ninja import Schema

    import tumbuh.api  # noqa: F401 - imports every router and its schemas

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    by_name: dict[str, set[str]] = {}
    for schema in subclasses(Schema):
        if schema.__module__.startswith("tumbuh.") and ".tests" not in schema.__module__:
            by_name.setdefault(schema.__name__, set()).add(schema.__module__)
    assert {name: modules for name, modules in by_name.items() if len(modules) > 1} == {}


def test_a_change_without_any_credentials_is_unauthenticated_not_a_csrf_failure(client):
    response = client.post("/api/v1/licensing/nib-cases", "{}", content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_a_body_that_is_not_json_gets_the_error_body(client):
    store, _product = shop_with_product(stock=1)
    response = client.post(
        f"/api/v1/stores/{store.slug}/orders", b"\xff{not json", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not Order.objects.exists()


def test_a_value_longer_than_any_field_is_refused_before_the_view(client):
    store, product = shop_with_product(stock=5)
    body = {
        "items": [{"product": product.public_id, "quantity": 1}],
        "buyer_name": "D" * 10_001,
        "buyer_phone": "0813-2222-3333",
        "village_code": store.village_id,
        "delivery": "pickup",
        "payment_method": "qris",
    }
    response = client.post(
        f"/api/v1/stores/{store.slug}/orders", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["reason"] == "text_too_long"
    assert "10.000" in response.json()["detail"]
    assert not Order.objects.exists()
    long_query = client.get("/api/v1/regions/search?q=" + "a" * 1_001)
    assert long_query.status_code == 422 and long_query.json()["reason"] == "text_too_long"
    assert client.get("/bbi/?q=" + "a" * 1_001).status_code == 400
    form = client.post(
        "/masuk/",
        "username=" + "x" * 10_001 + "&password=y",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 400
    at_the_limit = client.get("/api/v1/regions/search?q=" + "a" * 1_000)
    assert "reason" not in at_the_limit.json()  # left to the operation (its own max_length)
    assert client.get("/bbi/?q=" + "a" * 1_000).status_code == 200


def test_the_mentor_apps_sync_may_carry_a_photo_as_long_text():
    """Its JSON holds a sign-in sheet as base64 (tens of thousands of characters): the guard
    leaves it to the sync's own handler, and still refuses a NUL there."""
    reached = []
    middleware = InputGuardMiddleware(lambda request: reached.append(request) or "view")
    factory = RequestFactory()
    photo = json.dumps({"records": [{"kind": "attendance", "evidence": "A" * 40_000}]})
    sync = factory.post("/pendamping/sinkron/", photo, content_type="application/json")
    assert middleware(sync) == "view" and reached
    with_nul = factory.post(
        "/pendamping/sinkron/", '{"a": "\\u0000"}', content_type="application/json"
    )
    assert middleware(with_nul).status_code == 400
