"""The supply API: a B2B order from the offer found to the invoice paid, each operation's main
refusal (422, or 409 for a state conflict), idempotent order creation, access (another business's
things answer 404, anonymous callers 401, API keys and missing CSRF tokens 403), and no phone
number or NIK in any answer."""

import base64
import json

import pytest
from django.conf import settings
from django.test import Client

from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import issue_api_key, system_actor
from tumbuh.conftest import make_enterprise, make_organisation, make_owner
from tumbuh.core.models import IdempotencyRecord
from tumbuh.core.tests.pictures import metadata_in, phone_photo
from tumbuh.supply.models import (
    DeliveryNote,
    Invoice,
    Offer,
    SupplyLink,
    SupplyOrder,
    SupplyOrderEvent,
    SupplyRequest,
)
from tumbuh.supply.services import orders
from tumbuh.supply.tests.builders import NAMOSAIN, make_chain, ordered, starts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1/supply"
PHONE_DIGITS = "77665544"
# The answers of every test, read for personal data at the end of each.
_answers: list[str] = []


def signed_in(user) -> Client:
    """A client of its own for ``user`` (two sides of an order talk at once), reading English."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _keep(response):
    _answers.append(response.content.decode())
    return response


def get(client, path, **params):
    return _keep(client.get(API + path, params))


def post(client, path, body=None, **headers):
    return _keep(
        client.post(API + path, body or {}, content_type="application/json", headers=headers)
    )


@pytest.fixture(autouse=True)
def no_personal_data_in_answers():
    """Every answer a test read carries no phone number and no NIK (nor a field for one)."""
    _answers.clear()
    yield
    for text in _answers:
        assert PHONE_DIGITS not in text
        for word in ('"phone', "phone_masked", '"nik', "nik_masked", "+62", "@example.id"):
            assert word not in text, text[:300]


@pytest.fixture
def chain():
    """A grower (with a phone number on the registry) offering cassava near a keripik maker:
    ``(grower, grower_client, maker, maker_client, offer)``."""
    grower, grower_user, maker, maker_user, offer = make_chain(stock=500)
    type(grower).objects.filter(pk__in=[grower.pk, maker.pk]).update(
        phone_masked=f"0812****{PHONE_DIGITS[-4:]}"
    )
    return grower, signed_in(grower_user), maker, signed_in(maker_user), offer


def _lines(answer) -> dict:
    return {line["offer"]: line for line in answer.json()["lines"]}


def test_a_processor_finds_a_supplier_orders_and_pays_through_the_api(chain):
    grower, grower_client, maker, maker_client, offer = chain
    far = make_enterprise("Tani Kupang", village=NAMOSAIN)
    make_owner(far)
    found = get(maker_client, "/offers", near=maker.public_id, q="singkong")
    assert found.status_code == 200, found.content
    [row] = found.json()
    assert (row["public_id"], row["supplier"]["public_id"]) == (offer.public_id, grower.public_id)
    assert 5 < row["distance_km"] < 40
    assert row["tiers"] == [
        {"min_quantity": 100, "price_idr": 3000},
        {"min_quantity": 500, "price_idr": 2700},
    ]
    assert (row["available_quantity"], row["min_order_quantity"], row["unit"]) == (500, 100, "kg")
    assert get(maker_client, "/offers", near=maker.public_id, q="kopi").json() == []

    body = {
        "buyer": maker.public_id,
        "items": [{"offer": offer.public_id, "quantity": 300}],
        "delivery_address": "Jl. Raya Banjaran 12",
        "wanted_by": "2027-01-10",
    }
    created = post(maker_client, "/orders", body, **{"Idempotency-Key": "order-key-0001"})
    assert created.status_code == 201, created.content
    order = created.json()
    code = order["code"]
    assert (order["status"], order["your_side"], order["total_idr"]) == (
        "requested",
        "buyer",
        900_000,
    )
    assert order["allowed_next"] == ["quoted", "declined", "cancelled"]
    line_id = order["lines"][0]["id"]

    quoted = post(
        grower_client,
        f"/orders/{code}/quote",
        {
            "terms": "net14",
            "prices": [{"line": line_id, "price_idr": 2900}],
            "delivery_fee_idr": 25_000,
        },
    )
    assert quoted.status_code == 200, quoted.content
    assert (quoted.json()["status"], quoted.json()["total_idr"], quoted.json()["terms"]) == (
        "quoted",
        895_000,
        "net14",
    )
    purchase = post(maker_client, f"/orders/{code}/purchase-order")
    assert purchase.status_code == 200 and purchase.json()["status"] == "ordered"
    assert Offer.objects.get(pk=offer.pk).available_quantity == 200

    sent = post(
        grower_client,
        f"/orders/{code}/deliveries",
        {"quantities": [{"line": line_id, "quantity": 120}], "carrier": "Pikap L300"},
    )
    assert sent.status_code == 201, sent.content
    note = sent.json()
    assert (note["number"], note["lines"], note["handover"]) == (
        f"SJ-{code}-1",
        [{"line": line_id, "quantity": 120}],
        None,
    )
    photo = base64.b64encode(phone_photo()).decode()
    signed = post(
        maker_client,
        f"/orders/{code}/deliveries/{note['number']}/handover",
        {"receiver_name": "Sari", "photo_base64": photo, "note": "Baik"},
    )
    assert signed.status_code == 200, signed.content
    handover = signed.json()["handover"]
    assert (handover["number"], handover["received_by_name"], handover["has_photo"]) == (
        f"BAST-{code}-1",
        "Sari",
        True,
    )
    stored = DeliveryNote.objects.get(number=note["number"]).received_photo
    with stored.open("rb") as kept:
        assert metadata_in(kept.read()) == []  # the phone's GPS position is not kept

    invoiced = post(grower_client, f"/orders/{code}/invoices")
    assert invoiced.status_code == 201, invoiced.content
    invoice = invoiced.json()
    assert (invoice["amount_idr"], invoice["status"]) == (120 * 2900 + 25_000, "issued")
    paid = post(
        maker_client,
        f"/orders/{code}/invoices/{invoice['number']}/payment",
        {"method": "transfer", "reference": "BRI 123"},
    )
    assert paid.status_code == 200 and (paid.json()["status"], paid.json()["method"]) == (
        "paid",
        "transfer",
    )

    rest = post(
        grower_client,
        f"/orders/{code}/deliveries",
        {"quantities": [{"line": line_id, "quantity": 180}]},
    )
    assert rest.status_code == 201
    post(maker_client, f"/orders/{code}/deliveries/SJ-{code}-2/handover", {"receiver_name": "Sari"})
    last = post(grower_client, f"/orders/{code}/invoices").json()
    assert last["amount_idr"] == 180 * 2900
    post(grower_client, f"/orders/{code}/invoices/{last['number']}/payment", {"method": "cash"})

    detail = get(maker_client, f"/orders/{code}")
    assert detail.status_code == 200
    whole = detail.json()
    assert (whole["status"], whole["paid_idr"], whole["total_idr"]) == (
        "completed",
        895_000,
        895_000,
    )
    assert _lines(detail)[offer.public_id]["delivered_quantity"] == 300
    assert [n["handover"]["received_by_name"] for n in whole["delivery_notes"]] == ["Sari", "Sari"]
    assert [i["status"] for i in whole["invoices"]] == ["paid", "paid"]
    assert whole["events"][0]["to_status"] == "requested"
    assert whole["events"][-1]["to_status"] == "completed"
    assert whole["supplier"] == {
        "public_id": grower.public_id,
        "name": "Tani Singkong Makmur",
        "kind": "umkm",
        "village_code": grower.village_id,
        "village_name": grower.village.name,
    }
    assert SupplyLink.objects.get(supplier=grower, buyer=maker).basis == "orders"
    listed = get(grower_client, "/orders", business=grower.public_id, role="supplier").json()
    assert [o["code"] for o in listed["items"]] == [code] and listed["next_cursor"] is None


def test_order_creation_is_idempotent_with_the_key(chain):
    _grower, _grower_client, maker, maker_client, offer = chain
    body = {"buyer": maker.public_id, "items": [{"offer": offer.public_id, "quantity": 150}]}
    first = post(maker_client, "/orders", body, **{"Idempotency-Key": "retry-key-0001"})
    again = post(maker_client, "/orders", body, **{"Idempotency-Key": "retry-key-0001"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert SupplyOrder.objects.filter(buyer=maker).count() == 1

    other = {**body, "items": [{"offer": offer.public_id, "quantity": 200}]}
    conflict = post(maker_client, "/orders", other, **{"Idempotency-Key": "retry-key-0001"})
    assert conflict.status_code == 409
    assert (conflict.json()["code"], conflict.json()["reason"]) == (
        "conflict",
        "idempotency_key_reused",
    )
    short = post(maker_client, "/orders", body, **{"Idempotency-Key": "short"})
    assert (short.status_code, short.json()["reason"]) == (422, "idempotency_key_length")

    below = post(
        maker_client,
        "/orders",
        {"buyer": maker.public_id, "items": [{"offer": offer.public_id, "quantity": 99}]},
        **{"Idempotency-Key": "retry-key-0002"},
    )
    assert below.status_code == 422
    assert (below.json()["reason"], below.json()["field"]) == (
        "below_minimum",
        f"items.{offer.public_id}",
    )
    # A refused order records nothing: the key stays usable.
    assert not IdempotencyRecord.objects.filter(key="retry-key-0002").exists()
    assert SupplyOrder.objects.filter(buyer=maker).count() == 1
    no_key = post(maker_client, "/orders", body)
    assert no_key.status_code == 201 and SupplyOrder.objects.filter(buyer=maker).count() == 2


def test_offers_are_published_restocked_closed_and_refused_on_bad_tiers(chain):
    grower, grower_client, _maker, maker_client, _offer = chain
    body = {
        "supplier": grower.public_id,
        "commodity": "Jagung pipil",
        "commodity_kbli": "01112",
        "unit": "kg",
        "min_order_quantity": 50,
        "tiers": [
            {"min_quantity": 50, "price_idr": 5000},
            {"min_quantity": 200, "price_idr": 4500},
        ],
        "available_quantity": 400,
        "capacity_per_week": 1000,
        "lead_time_days": 3,
    }
    published = post(grower_client, "/offers", body)
    assert published.status_code == 201, published.content
    public_id = published.json()["public_id"]
    assert (published.json()["status"], published.json()["available_quantity"]) == ("open", 400)

    refused = post(
        grower_client,
        "/offers",
        {
            **body,
            "tiers": [
                {"min_quantity": 50, "price_idr": 5000},
                {"min_quantity": 200, "price_idr": 5100},
            ],
        },
    )
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["reason"], refused.json()["field"]) == (
        "invalid",
        "tiers_invalid",
        "tiers",
    )
    not_mine = post(maker_client, "/offers", body)
    assert not_mine.status_code == 404 and not_mine.json()["code"] == "not_found"
    assert Offer.objects.filter(supplier=grower).count() == 2

    restocked = post(grower_client, f"/offers/{public_id}/restock", {"add": 100})
    assert restocked.status_code == 200 and restocked.json()["available_quantity"] == 500
    bad = post(grower_client, f"/offers/{public_id}/restock", {"add": 0})
    assert (bad.status_code, bad.json()["reason"]) == (422, "quantity_invalid")
    assert post(maker_client, f"/offers/{public_id}/restock", {"add": 5}).status_code == 404

    assert get(maker_client, f"/offers/{public_id}").status_code == 200  # open: the market
    closed = post(grower_client, f"/offers/{public_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert get(maker_client, f"/offers/{public_id}").status_code == 404
    assert get(grower_client, f"/offers/{public_id}").json()["status"] == "closed"
    own = get(grower_client, "/offers", supplier=grower.public_id).json()
    assert {o["public_id"] for o in own} >= {public_id} and own[0]["distance_km"] is None
    neither = get(grower_client, "/offers")
    assert (neither.status_code, neither.json()["reason"]) == (422, "field_required")


def test_requests_are_published_matched_and_seen_by_their_sides(chain):
    grower, grower_client, maker, maker_client, offer = chain
    body = {
        "buyer": maker.public_id,
        "commodity": "Singkong",
        "commodity_kbli": "01135",
        "unit": "kg",
        "quantity": 200,
        "period": "week",
        "starts_on": starts().isoformat(),
        "max_price_idr": 3200,
    }
    published = post(maker_client, "/requests", body)
    assert published.status_code == 201, published.content
    public_id = published.json()["public_id"]
    detail = get(maker_client, f"/requests/{public_id}").json()
    assert [m["offer"] for m in detail["matches"]] == [offer.public_id]
    assert detail["matches"][0]["supplier"]["public_id"] == grower.public_id
    # The supplier matched with it sees it, with its own matches only.
    assert [m["offer"] for m in get(grower_client, f"/requests/{public_id}").json()["matches"]] == [
        offer.public_id
    ]
    stranger = signed_in(make_owner(make_enterprise("Usaha Lain", village=NAMOSAIN)))
    assert get(stranger, f"/requests/{public_id}").status_code == 404
    listed = get(maker_client, "/requests", business=maker.public_id).json()
    assert [r["public_id"] for r in listed] == [public_id]
    assert get(stranger, "/requests", business=maker.public_id).status_code == 404

    refused = post(maker_client, "/requests", {**body, "unit": "gantang"})
    assert (refused.status_code, refused.json()["reason"]) == (422, "unit_invalid")
    assert SupplyRequest.objects.filter(buyer=maker).count() == 1


def test_links_are_declared_by_one_side_and_confirmed_by_the_other(chain):
    grower, grower_client, maker, maker_client, _offer = chain
    body = {
        "supplier": grower.public_id,
        "buyer": maker.public_id,
        "side": "supplier",
        "commodity": "Singkong",
        "usual_volume": 200,
    }
    declared = post(grower_client, "/links", body)
    assert declared.status_code == 200, declared.content
    link = declared.json()
    assert (link["basis"], link["declared_by"], link["usual_volume"]) == (
        "declared",
        grower.public_id,
        200,
    )
    own_confirm = post(grower_client, f"/links/{link['id']}/confirm")
    assert own_confirm.status_code == 403
    assert own_confirm.json()["reason"] == "not_your_business"
    stranger = signed_in(make_owner(make_enterprise("Usaha Lain")))
    assert post(stranger, f"/links/{link['id']}/confirm").status_code == 404
    assert SupplyLink.objects.get(pk=link["id"]).basis == "declared"

    confirmed = post(maker_client, f"/links/{link['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["basis"] == "confirmed"
    assert [row["id"] for row in get(maker_client, "/links", business=maker.public_id).json()] == [
        link["id"]
    ]
    # Declaring for a business one does not act for: 404, as if it did not exist.
    assert post(maker_client, "/links", body).status_code == 404
    same = post(grower_client, "/links", {**body, "buyer": grower.public_id})
    assert (same.status_code, same.json()["reason"]) == (422, "same_business")
    assert SupplyLink.objects.count() == 1


def test_order_steps_out_of_turn_are_conflicts_and_change_nothing(chain):
    grower, grower_client, maker, maker_client, offer = chain
    created = post(
        maker_client,
        "/orders",
        {"buyer": maker.public_id, "items": [{"offer": offer.public_id, "quantity": 400}]},
    )
    code = created.json()["code"]
    early = post(maker_client, f"/orders/{code}/purchase-order")
    assert early.status_code == 409
    assert (early.json()["code"], early.json()["reason"]) == ("conflict", "order_transition")
    buyer_quote = post(maker_client, f"/orders/{code}/quote", {"terms": "cash"})
    assert (buyer_quote.status_code, buyer_quote.json()["reason"]) == (403, "not_your_business")
    unknown_terms = post(grower_client, f"/orders/{code}/quote", {"terms": "net60"})
    assert unknown_terms.status_code == 422
    assert post(grower_client, f"/orders/{code}/quote", {"terms": "cash"}).status_code == 200

    # Another buyer takes 400 of the 500 kg first: 100 are left for this order of 400.
    other = make_enterprise("Keripik Pak Dedi", village=maker.village_id)
    other_user = make_owner(other)
    ordered(offer, other, other_user, login_of(grower), quantity=400, terms="cash")
    short = post(maker_client, f"/orders/{code}/purchase-order")
    assert short.status_code == 409
    assert (short.json()["reason"], short.json()["field"]) == (
        "not_enough_stock",
        f"lines.{created.json()['lines'][0]['id']}",
    )
    assert SupplyOrder.objects.get(code=code).status == "quoted"
    assert Offer.objects.get(pk=offer.pk).available_quantity == 100

    declined = post(grower_client, f"/orders/{code}/decline", {"reason": "Stok habis"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = post(maker_client, f"/orders/{code}/cancel")
    assert (again.status_code, again.json()["reason"]) == (409, "order_transition")


def login_of(enterprise):
    """The login that acts for ``enterprise`` (the chain's clients keep only the session)."""
    return enterprise.accounts.get().user


def test_deliveries_handover_invoices_and_close_short_refuse_what_is_out_of_turn(chain):
    grower, grower_client, maker, maker_client, offer = chain
    order = ordered(offer, maker, login_of(maker), login_of(grower), quantity=300)
    code, line_id = order.code, order.lines.get().pk

    over = post(
        grower_client,
        f"/orders/{code}/deliveries",
        {"quantities": [{"line": line_id, "quantity": 301}]},
    )
    assert (over.status_code, over.json()["reason"]) == (422, "over_delivery")
    early = post(grower_client, f"/orders/{code}/invoices")
    assert (early.status_code, early.json()["reason"]) == (409, "order_transition")
    first = post(
        grower_client,
        f"/orders/{code}/deliveries",
        {"quantities": [{"line": line_id, "quantity": 100}], "expected_number": f"SJ-{code}-1"},
    )
    assert first.status_code == 201
    twice = post(
        grower_client,
        f"/orders/{code}/deliveries",
        {"quantities": [{"line": line_id, "quantity": 100}], "expected_number": f"SJ-{code}-1"},
    )
    assert (twice.status_code, twice.json()["reason"]) == (409, "order_transition")
    assert DeliveryNote.objects.filter(order=order).count() == 1

    number = first.json()["number"]
    nothing = post(grower_client, f"/orders/{code}/invoices")  # sent, not yet handed over
    assert (nothing.status_code, nothing.json()["reason"]) == (422, "nothing_to_invoice")
    nameless = post(
        maker_client, f"/orders/{code}/deliveries/{number}/handover", {"receiver_name": " "}
    )
    assert (nameless.status_code, nameless.json()["reason"]) == (422, "receiver_required")
    not_a_photo = post(
        maker_client,
        f"/orders/{code}/deliveries/{number}/handover",
        {
            "receiver_name": "Sari",
            "photo_base64": base64.b64encode(b"%PDF-1.4 not a photo").decode(),
        },
    )
    assert (not_a_photo.status_code, not_a_photo.json()["reason"]) == (422, "photo_invalid")
    not_base64 = post(
        maker_client,
        f"/orders/{code}/deliveries/{number}/handover",
        {"receiver_name": "Sari", "photo_base64": "bukan base64!"},
    )
    assert (not_base64.status_code, not_base64.json()["field"]) == (422, "photo_base64")
    assert DeliveryNote.objects.get(number=number).received_at is None
    assert (
        post(
            maker_client, f"/orders/{code}/deliveries/{number}/handover", {"receiver_name": "Sari"}
        ).status_code
        == 200
    )
    signed_twice = post(
        maker_client, f"/orders/{code}/deliveries/{number}/handover", {"receiver_name": "Sari"}
    )
    assert (signed_twice.status_code, signed_twice.json()["reason"]) == (409, "already_signed")
    assert (
        post(
            maker_client,
            f"/orders/{code}/deliveries/SJ-{code}-9/handover",
            {"receiver_name": "Sari"},
        ).status_code
        == 404
    )

    closed = post(maker_client, f"/orders/{code}/close-short", {"reason": "Cukup"})
    assert closed.status_code == 200 and closed.json()["status"] == "delivered"
    assert Offer.objects.get(pk=offer.pk).available_quantity == 400  # 200 went back on offer
    assert post(maker_client, f"/orders/{code}/close-short").status_code == 409

    invoice = post(grower_client, f"/orders/{code}/invoices").json()
    path = f"/orders/{code}/invoices/{invoice['number']}/payment"
    unknown = post(maker_client, path, {"method": "cek"})
    assert unknown.status_code == 422
    assert post(maker_client, path, {"method": "qris"}).status_code == 200
    paid_twice = post(grower_client, path, {"method": "cash"})
    assert (paid_twice.status_code, paid_twice.json()["reason"]) == (409, "invoice_paid")
    assert Invoice.objects.get(number=invoice["number"]).method == "qris"
    assert SupplyOrder.objects.get(pk=order.pk).status == "completed"


def test_cancelling_a_purchase_order_gives_the_stock_back(chain):
    grower, grower_client, maker, _maker_client, offer = chain
    order = ordered(offer, maker, login_of(maker), login_of(grower), quantity=300)
    assert Offer.objects.get(pk=offer.pk).available_quantity == 200
    cancelled = post(grower_client, f"/orders/{order.code}/cancel", {"reason": "Gagal panen"})
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["your_side"]) == ("cancelled", "supplier")
    assert Offer.objects.get(pk=offer.pk).available_quantity == 500
    assert SupplyOrderEvent.objects.filter(
        order=order, to_status="cancelled", side="supplier"
    ).exists()


def test_another_business_sees_none_of_it_and_strangers_are_turned_away(chain, client):
    grower, _grower_client, maker, _maker_client, offer = chain
    order = ordered(offer, maker, login_of(maker), login_of(grower), quantity=100)
    stranger = signed_in(make_owner(make_enterprise("Usaha Lain")))
    code = order.code
    reads = [f"/orders/{code}"]
    steps = [
        f"/orders/{code}/quote",
        f"/orders/{code}/purchase-order",
        f"/orders/{code}/decline",
        f"/orders/{code}/cancel",
        f"/orders/{code}/close-short",
        f"/orders/{code}/deliveries",
        f"/orders/{code}/invoices",
    ]
    for path in reads:
        assert get(stranger, path).json()["code"] == "not_found"
    for path, body in zip(
        steps,
        [{"terms": "cash"}, {}, {}, {}, {}, {"quantities": [{"line": 1, "quantity": 1}]}, {}],
        strict=True,
    ):
        answer = post(stranger, path, body)
        assert answer.status_code == 404, (path, answer.content)
    assert get(stranger, "/orders", business=maker.public_id).status_code == 404
    assert get(stranger, "/offers", near=maker.public_id).status_code == 404
    assert SupplyOrder.objects.get(pk=order.pk).status == "ordered"

    # Not signed in: 401 for every operation.
    anonymous = Client()
    assert anonymous.get(f"{API}/orders/{code}").status_code == 401
    refused = anonymous.post(f"{API}/orders/{code}/cancel", {}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated")
    assert anonymous.get(f"{API}/offers", {"near": maker.public_id}).status_code == 401

    # A partner's API key acts for an organisation, not for a business: 403.
    _key, secret = issue_api_key(
        organisation=make_organisation(region_code="32"),
        label="uji",
        role=Membership.Role.OFFICER,
        by=system_actor(),
    )
    keyed = Client().get(
        f"{API}/orders",
        {"business": maker.public_id},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert (keyed.status_code, keyed.json()["code"]) == (403, "forbidden")

    # A change with the session cookie but no CSRF token: 403, and nothing changes.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(login_of(maker))
    no_token = strict.post(f"{API}/orders/{code}/cancel", {}, content_type="application/json")
    assert no_token.status_code == 403
    assert SupplyOrder.objects.get(pk=order.pk).status == "ordered"


def test_the_orders_list_pages_by_cursor_and_filters(chain, query_count):
    grower, grower_client, maker, maker_client, offer = chain
    codes = []
    for _number in range(5):
        order = orders.request_quotation(buyer=maker, items={offer: 100}, by=login_of(maker))
        codes.append(order.code)
    codes.reverse()  # newest first
    with query_count() as queries:
        first = get(maker_client, "/orders", business=maker.public_id, limit=2)
    assert len(queries) <= 6  # session, user, businesses, page: not one per order
    page = first.json()
    assert [o["code"] for o in page["items"]] == codes[:2]
    second = get(
        maker_client, "/orders", business=maker.public_id, limit=2, cursor=page["next_cursor"]
    )
    assert [o["code"] for o in second.json()["items"]] == codes[2:4]
    assert (
        get(maker_client, "/orders", business=maker.public_id, role="supplier").json()["items"]
        == []
    )
    assert (
        len(
            get(grower_client, "/orders", business=grower.public_id, status="requested").json()[
                "items"
            ]
        )
        == 5
    )
    assert (
        get(grower_client, "/orders", business=grower.public_id, status="quoted").json()["items"]
        == []
    )
    bad = get(maker_client, "/orders", business=maker.public_id, cursor="bukan-kursor")
    assert (bad.status_code, bad.json()["reason"]) == (422, "bad_cursor")
    wrong_status = get(maker_client, "/orders", business=maker.public_id, status="lunas")
    assert wrong_status.status_code == 422


def test_the_openapi_document_declares_every_supply_operation_and_its_errors(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    operations = {
        (method.upper(), path): operation
        for path, methods in schema["paths"].items()
        if path.startswith(API)
        for method, operation in methods.items()
    }
    assert len(operations) == 23
    for (method, path), operation in operations.items():
        declared = set(operation["responses"])
        assert {"401", "403", "404"} <= {str(status) for status in declared}, (method, path)
        if method == "POST" and "/orders/" in path:
            assert "409" in {str(status) for status in declared}, path
    header = operations[("POST", f"{API}/orders")]["parameters"][0]
    assert header["name"] == "Idempotency-Key" and header["in"] == "header"


def test_a_conflict_answers_the_error_body_without_empty_fields(chain):
    _grower, _grower_client, maker, maker_client, offer = chain
    code = post(
        maker_client,
        "/orders",
        {"buyer": maker.public_id, "items": [{"offer": offer.public_id, "quantity": 100}]},
    ).json()["code"]
    conflict = post(maker_client, f"/orders/{code}/purchase-order")
    assert conflict.status_code == 409
    assert conflict.json() == {
        "code": "conflict",
        "reason": "order_transition",
        "detail": f"Order {code} is quotation requested; this step is not possible now.",
    }


def test_an_orders_detail_costs_the_same_queries_however_many_documents_it_has(chain, query_count):
    grower, _grower_client, maker, maker_client, offer = chain
    order = ordered(offer, maker, login_of(maker), login_of(grower), quantity=300)
    line = order.lines.get()

    def read() -> int:
        with query_count() as queries:
            assert get(maker_client, f"/orders/{order.code}").status_code == 200
        return len(queries)

    orders.send_delivery(order=order, quantities={line.pk: 100}, by=login_of(grower))
    before = read()
    for number in (2, 3):
        note = orders.send_delivery(order=order, quantities={line.pk: 100}, by=login_of(grower))
        orders.sign_handover(delivery=note, receiver_name="Sari", by=login_of(maker))
        orders.issue_invoice(order=order, by=login_of(grower))
        assert note.number.endswith(f"-{number}")
    assert read() == before
