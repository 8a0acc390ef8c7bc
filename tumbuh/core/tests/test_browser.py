"""The main journeys in a real Chromium: the no-JavaScript public picker, signing in and out,
the console's htmx picker, and an officer's regional scope.

One browser per module; each test gets its own context (cookies, JavaScript on or off). The
live server runs on a transactional database that is flushed after every test, so each test
reloads the test provinces first, and the module reloads them once more when it is done, for the
tests that run after it (the shared browser fixtures of tumbuh/conftest.py).
"""

import re
import tempfile
from pathlib import Path

import pytest

from tumbuh.accounts.models import Organisation
from tumbuh.conftest import PASSWORD, make_organisation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]

# For a person to look at after the run: the home page on a small phone.
SCREENSHOT = Path(tempfile.gettempdir()) / "tumbuh-home.png"


def url(live_server, path: str) -> re.Pattern:
    """The exact URL of ``path`` on the live server, for ``expect(page).to_have_url``."""
    return re.compile("^" + re.escape(live_server.url + path) + "$")


def wait_for_htmx_settled(page) -> None:
    """Wait until htmx has processed what it swapped in.

    htmx wires up new content (its ``hx-get`` triggers) only when the swap settles, a moment
    after the new elements are already visible; a select changed in that moment sends nothing.
    htmx removes the ``htmx-added`` and ``htmx-settling`` classes as it finishes.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-added, .htmx-settling, .htmx-request')"
    )


def sign_in(page, login: str, password: str = PASSWORD) -> None:
    """Sign in through the form (the labels' wording is tested elsewhere, so ids here)."""
    page.goto("/masuk/")
    page.locator("#id_username").fill(login)
    page.locator("#id_password").fill(password)
    page.locator("main").get_by_role("button", name="Masuk").click()


def definitions(page, selector: str) -> dict[str, str]:
    """The ``<dt>`` → ``<dd>`` pairs of a description list."""
    terms = page.locator(f"{selector} dt").all_inner_texts()
    details = page.locator(f"{selector} dd").all_inner_texts()
    return dict(zip(terms, details, strict=True))


def test_visitor_without_javascript_finds_a_village_then_reads_it_in_english(new_page, live_server):
    from playwright.sync_api import expect

    village_path = "/wilayah/?province=53&regency=53.71&district=53.71.01&village=53.71.01.1001"
    # The browser asks for English; the page is Indonesian until the visitor chooses otherwise.
    page = new_page(java_script_enabled=False, locale="en-US")
    page.goto("/wilayah/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Wilayah Indonesia")
    show = page.get_by_role("button", name="Tampilkan", exact=True)

    # Without JavaScript, each level appears after pressing the button.
    page.get_by_label("Provinsi", exact=True).select_option(label="Nusa Tenggara Timur")
    show.click()
    expect(page).to_have_url(url(live_server, "/wilayah/?province=53"))
    page.get_by_label("Kabupaten/kota", exact=True).select_option(label="Kota Kupang")
    show.click()
    expect(page).to_have_url(url(live_server, "/wilayah/?province=53&regency=53.71"))
    page.get_by_label("Kecamatan", exact=True).select_option(label="Alak")
    show.click()
    page.get_by_label("Desa/kelurahan", exact=True).select_option(label="Namosain")
    show.click()

    expect(page).to_have_url(url(live_server, village_path))
    expect(page.locator("section.card h2")).to_have_text("Namosain 53.71.01.1001")
    details = definitions(page, "section.card")
    assert details["Kecamatan"] == "Alak"
    assert details["Kabupaten/kota"] == "Kota Kupang"
    assert details["Provinsi"] == "Nusa Tenggara Timur"
    assert details["Kode pos"] == "85232"

    # The footer link switches to English and comes back to the same village.
    page.locator("footer").get_by_role("link", name="English", exact=True).click()

    expect(page).to_have_url(url(live_server, village_path))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Regions of Indonesia")
    assert page.locator("form.picker label").all_inner_texts() == [
        "Province",
        "Regency or city",
        "District",
        "Village",
    ]
    expect(page.get_by_role("button", name="Show", exact=True)).to_be_visible()
    expect(page.get_by_label("Village", exact=True)).to_have_value("53.71.01.1001")
    in_english = definitions(page, "section.card")
    assert list(in_english)[:6] == [
        "Kind",
        "District",
        "Regency or city",
        "Province",
        "Postal code",
        "Time zone",
    ]
    assert in_english["District"] == "Alak"
    assert in_english["Postal code"] == "85232"
    expect(page.locator("footer").get_by_role("link", name="Bahasa Indonesia")).to_be_visible()
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies["bahasa"] == "en"


def test_seller_signs_in_with_a_phone_number_and_signs_out(new_page, live_server):
    from playwright.sync_api import expect

    make_user(email=None, phone="0812-3456-7890", full_name="Siti Rahayu")
    page = new_page()

    sign_in(page, "+62 812 3456 7890")

    expect(page).to_have_url(url(live_server, "/konsol/"))
    expect(page.locator("header .userbar")).to_contain_text("Siti Rahayu")
    expect(page.locator("h1")).to_have_text("Selamat datang, Siti")

    page.locator("header").get_by_role("button", name="Keluar", exact=True).click()

    expect(page).to_have_url(url(live_server, "/"))
    expect(page.locator("header nav").get_by_role("link", name="Masuk", exact=True)).to_be_visible()
    expect(page.locator("header")).not_to_contain_text("Siti Rahayu")
    page.goto("/konsol/")
    expect(page).to_have_url(url(live_server, "/masuk/?next=/konsol/"))


def test_console_picker_swaps_without_a_page_load_and_pushes_the_url(
    new_page, live_server, national_admin
):
    from playwright.sync_api import expect

    page = new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, national_admin.email)
    expect(page).to_have_url(url(live_server, "/konsol/"))

    page.goto("/konsol/wilayah/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.tumbuhMarker = 'still here' }")
    documents = []
    page.on(
        "request",
        lambda request: request.resource_type == "document" and documents.append(request.url),
    )
    expect(page.locator("#picker-regency")).to_have_count(0)

    with page.expect_response(lambda response: "province=53" in response.url) as swap:
        page.locator("#picker-province").select_option(label="Nusa Tenggara Timur")

    assert swap.value.request.headers["hx-request"] == "true"
    expect(page.locator("#picker-regency")).to_be_visible()
    wait_for_htmx_settled(page)
    expect(page).to_have_url(url(live_server, "/konsol/wilayah/?province=53"))
    assert page.evaluate("() => window.tumbuhMarker") == "still here"

    with page.expect_response(lambda response: "regency=53.71" in response.url):
        page.locator("#picker-regency").select_option(label="Kota Kupang")

    expect(page.locator("#picker-district")).to_be_visible()
    wait_for_htmx_settled(page)
    expect(page.locator("#picker section.card h2")).to_contain_text("Kota Kupang")
    expect(page).to_have_url(url(live_server, "/konsol/wilayah/?province=53&regency=53.71"))
    assert page.evaluate("() => window.tumbuhMarker") == "still here"
    assert documents == []
    assert page.locator("h1").count() == 1
    assert problems == []


def test_officer_sees_only_their_province(new_page, live_server, officer_32):
    from playwright.sync_api import expect

    bandung = make_organisation(
        region_code="32.73", name="Komunitas UMKM Bandung", kind=Organisation.Kind.COMMUNITY
    )
    kupang = make_organisation(
        region_code="53.71", name="Komunitas UMKM Kupang", kind=Organisation.Kind.COMMUNITY
    )
    page = new_page()
    sign_in(page, officer_32.email)
    expect(page).to_have_url(url(live_server, "/konsol/"))

    page.goto("/konsol/organisasi/")

    names = page.locator("#results tbody td:first-child a").all_inner_texts()
    assert names == ["Dinas Jawa Barat", "Komunitas UMKM Bandung"]
    assert "Kupang" not in page.locator("main").inner_text()

    page.locator("#results").get_by_role("link", name="Komunitas UMKM Bandung").click()
    expect(page).to_have_url(url(live_server, f"/konsol/organisasi/{bandung.slug}/"))
    expect(page.locator("h1")).to_have_text("Komunitas UMKM Bandung")

    response = page.goto(f"/konsol/organisasi/{kupang.slug}/")

    assert response.status == 404
    assert "Kupang" not in page.content()


def test_home_on_a_small_phone(new_page, live_server):
    page = new_page(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    response = page.goto("/")

    assert response.status == 200
    # Nothing wider than the screen: no sideways scrolling on a small phone.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    # One request for the whole page (the critical CSS is inline), apart from the favicon.
    assert [r for r in requests if not r.endswith("/favicon.ico")] == [live_server.url + "/"]
    page.screenshot(path=SCREENSHOT)
