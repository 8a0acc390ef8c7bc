"""A supply link recorded from the mentor app's business page: the form (server-rendered, within
the page's 14 KB), its post without JavaScript through the ``supply_link`` sync handler with the
handler's refusals shown at their field, and, in a real Chromium, the record queued offline and
synced when the connection returns.

The supply app is higher than programmes: these tests reach its model by name
(``apps.get_model``), never by import, like the page itself, which knows the kind only through
``settings.MENTOR_SYNC_KINDS``.
"""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, PASSWORD, make_enterprise
from tumbuh.core.tests.weight import served_size
from tumbuh.programmes.mentor.views import LINK_CHOICES
from tumbuh.programmes.tests.builders import assign, make_mentor

BUDGET_BYTES = 14 * 1024
# A village of Bandung regency in another district than Dayeuhkolot (supply's test builders).
BANJARAN = "32.04.13.2003"


def supply_links():
    return apps.get_model("supply", "SupplyLink").objects


@pytest.fixture
def visit(db, mentor):
    """A keripik maker of the mentor's caseload, a neighbour in its district, and a grower in
    another district (not offered in the list: given by its registry id)."""
    maker = make_enterprise("Keripik Singkong Bu Sari", scale="mikro")
    assign(mentor, maker)
    neighbour = make_enterprise("Warung Oleh-oleh Dayeuhkolot", village=DAYEUHKOLOT)
    grower = make_enterprise("Tani Singkong Makmur", village=BANJARAN)
    return {"maker": maker, "neighbour": neighbour, "grower": grower}


def business_url(business) -> str:
    return reverse("programmes:mentor-business", args=[business.public_id])


def test_the_business_page_has_the_form_with_a_bounded_list_within_its_budget(
    client_of, mentor, visit
):
    # A district with more businesses than the list holds.
    for number in range(LINK_CHOICES + 20):
        make_enterprise(f"Usaha Tetangga Nomor {number:03d}", village=DAYEUHKOLOT)
    client = client_of(mentor.user)
    response = client.get(business_url(visit["maker"]))
    assert response.status_code == 200
    page = response.content.decode()
    form = re.search(r'<form[^>]*data-queue="supply_link".*?</form>', page, re.S).group(0)
    assert f'data-enterprise="{visit["maker"].public_id}"' in form
    assert f'action="{business_url(visit["maker"])}"' in form
    assert 'name="client_id"' in form and 'name="other_id"' in form
    assert 'list="link-units"' in form and '<option value="karung">' in form
    select = re.search(r'<select id="id_link_other".*?</select>', form, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)"', select)
    assert len(options) == LINK_CHOICES
    assert visit["maker"].public_id not in options  # never itself
    assert visit["grower"].public_id not in options  # another district, not of the caseload
    assert served_size(response, page="mentor business, 200 others") <= BUDGET_BYTES


def test_without_javascript_the_form_records_the_link_through_the_handler(client_of, mentor, visit):
    maker, grower = visit["maker"], visit["grower"]
    client = client_of(mentor.user)
    url = business_url(maker)
    form = {
        "client_id": "6f1d8a52-6a0c-4f47-9a3e-6c1e4b1b2f10",
        "direction": "buys",
        "other": visit["neighbour"].public_id,
        "other_id": grower.public_id.capitalize(),
        "commodity": "Singkong segar",
        "unit": "Kg",
        "usual_volume": "200",
        "period": "week",
    }
    response = client.post(url, form, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "Hubungan pasok sudah dicatat."  # Indonesian first
    ]
    link = supply_links().get()
    # The typed registry id wins over the list; "buys" makes the other business the supplier.
    assert (link.supplier, link.buyer, link.commodity, link.unit) == (
        grower,
        maker,
        "Singkong segar",
        "kg",
    )
    assert (link.usual_volume, link.period, link.basis, link.recorded_by) == (
        200,
        "week",
        "mentor",
        mentor.user,
    )

    # A double submit is a replay of the same record: nothing more is written.
    assert client.post(url, form).status_code == 302
    assert supply_links().count() == 1

    # The other direction, chosen from the list, per month, without a volume.
    response = client.post(
        url,
        {
            "direction": "supplies",
            "other": visit["neighbour"].public_id,
            "commodity": "Keripik singkong",
            "unit": "pak",
            "period": "month",
        },
    )
    assert response.status_code == 302
    sold = supply_links().get(commodity="Keripik singkong")
    assert (sold.supplier, sold.buyer, sold.usual_volume, sold.period) == (
        maker,
        visit["neighbour"],
        None,
        "month",
    )


def test_without_javascript_a_refusal_is_shown_at_its_field_and_writes_nothing(
    client_of, mentor, visit
):
    maker = visit["maker"]
    client = client_of(mentor.user)
    url = business_url(maker)
    good = {
        "direction": "supplies",
        "other": visit["neighbour"].public_id,
        "commodity": "Keripik singkong",
        "unit": "kg",
        "period": "week",
    }
    cases = [
        ({"other": "", "other_id": "ZZZZZZZZZZ"}, "id_link_other"),
        ({"unit": "gantang"}, "id_link_unit"),
        ({"usual_volume": "banyak"}, "id_link_usual_volume"),
        ({"commodity": ""}, "id_link_commodity"),
    ]
    for change, field in cases:
        response = client.post(url, {**good, **change})
        assert response.status_code == 400, change
        page = response.content.decode()
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page), change
        error = re.search(r'<p class="error" role="alert" id="link-error">([^<]+)</p>', page)
        assert error and error.group(1).strip(), change
        # What was typed comes back, to correct.
        if change.get("unit"):
            assert 'value="gantang"' in page
    assert not supply_links().exists()

    # A business outside the caseload has no page here to post to: a 404, nothing written.
    stranger = make_enterprise("Usaha Orang Lain", village=NAMOSAIN)
    response = client.post(business_url(stranger), {**good, "other": maker.public_id})
    assert response.status_code == 404
    assert not supply_links().exists()


@pytest.mark.browser
@pytest.mark.usefixtures("live_regions")
def test_with_javascript_a_link_recorded_offline_is_queued_and_synced(new_context):
    from playwright.sync_api import expect

    mentor = make_mentor()
    maker = make_enterprise("Keripik Singkong Bu Sari", scale="mikro")
    assign(mentor, maker)
    grower = make_enterprise("Tani Singkong Makmur", village=BANJARAN)
    context = new_context(locale="id-ID")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/masuk/")
    page.locator("#id_username").fill(mentor.user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(business_url(maker))
    page.wait_for_function("() => document.documentElement.classList.contains('js')")

    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    form = page.locator("form[data-queue=supply_link]")
    # Incomplete: refused on the device, nothing queued.
    form.locator("#id_link_commodity").fill("Singkong segar")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-note")).to_have_class("form-note warn")
    expect(page.locator("#mentor-queue li")).to_have_count(0)

    form.locator("input[name=direction][value=buys]").check()
    form.locator("#id_link_other_id").fill(grower.public_id.upper())
    form.locator("#id_link_commodity").fill("Singkong segar")
    form.locator("#id_link_unit").fill("kg")
    form.locator("#id_link_usual_volume").fill("200")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-note")).to_have_class("form-note ok")
    queued = page.locator("#mentor-queue li[data-state=queued]")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text("Singkong segar")
    assert not supply_links().exists()

    # The connection returns: the queue goes to the server by itself.
    context.set_offline(False)
    expect(page.locator("#mentor-queue li")).to_have_count(0)
    expect(page.locator("#mentor-queue .ok")).to_contain_text("1")
    link = supply_links().get()
    assert (link.supplier, link.buyer, link.commodity, link.unit, link.usual_volume) == (
        grower,
        maker,
        "Singkong segar",
        "kg",
        200,
    )
    assert (link.basis, link.recorded_by) == ("mentor", mentor.user)
