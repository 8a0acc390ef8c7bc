"""The mentor app on a phone set to WIB (Asia/Jakarta) for businesses in NTT (WITA) and Papua
(WIT), in a real Chromium: a note written offline is stamped on the business's clock and shown
in its zone after the sync; a record the server refuses stays on the phone, marked refused with
the server's reason, and is corrected and sent again; session times carry their zone.
"""

import datetime
import json
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone, translation

from tumbuh.conftest import NAMOSAIN, SENTANI_KOTA, make_enterprise
from tumbuh.core import times
from tumbuh.programmes.mentor.texts import mentor_texts
from tumbuh.programmes.models import VisitNote
from tumbuh.programmes.tests.builders import assign, make_cohort, make_mentor, make_session
from tumbuh.programmes.tests.test_mentor_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]

TIMEOUT_MS = 30_000
# For a person to look at after the run: a refused note opened for correction on the phone.
SCREENSHOT = Path(tempfile.gettempdir()) / "tumbuh-mentor-refused.png"
WIB = times.ZONES["WIB"]


@pytest.fixture
def phone_on_wib(new_context):
    """``phone_on_wib(**options)``: a phone in Indonesian whose clock is set to WIB."""

    def open_context(**options):
        context = new_context(locale="id-ID", timezone_id="Asia/Jakarta", **options)
        context.set_default_timeout(TIMEOUT_MS)
        return context

    return open_context


def field_mentor(village: str):
    """A mentor in the field around ``village`` with one business of the caseload there."""
    mentor = make_mentor(region_code=village[:5], villages=(village,))
    business = make_enterprise("Tenun Ikat Ibu Yuliana", village=village, scale="mikro")
    assign(mentor, business)
    return mentor, business


def texts() -> dict:
    with translation.override("id"):
        return mentor_texts()


def in_indonesian(moment, place, style="datetime") -> str:
    with translation.override("id"):
        return times.local_time(moment, place, style)


def queue_of(page) -> list[dict]:
    stored = page.evaluate(
        "() => Object.keys(localStorage).filter((key) => key.endsWith('.queue'))"
        ".map((key) => localStorage.getItem(key))"
    )
    return json.loads(stored[0]) if stored else []


def open_business_offline(page, context, business):
    """The business's page, then the connection gone. The queue lives in localStorage, so these
    tests need no service worker (the offline reading of pages is test_mentor_browser's)."""
    page.goto(f"/pendamping/binaan/{business.public_id}/")
    page.wait_for_function("() => document.documentElement.classList.contains('js')")
    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")


@pytest.mark.parametrize(
    ("village", "zone", "hours_ahead"), [(NAMOSAIN, "WITA", 1), (SENTANI_KOTA, "WIT", 2)]
)
def test_a_note_written_offline_on_a_wib_phone_is_stamped_on_the_business_clock(
    phone_on_wib, village, zone, hours_ahead
):
    from playwright.sync_api import expect

    mentor, business = field_mentor(village)
    # The phone's clock reads 21.30 WIB (yesterday, so that the server's clock is past it).
    yesterday = timezone.now().astimezone(WIB).date() - datetime.timedelta(days=1)
    phone_now = datetime.datetime.combine(yesterday, datetime.time(21, 30), tzinfo=WIB)
    context = phone_on_wib()
    context.clock.set_fixed_time(phone_now)
    page = context.new_page()
    sign_in(page, mentor.user.email)
    open_business_offline(page, context, business)

    # The form shows the business's wall clock and says which zone it is.
    visited = page.locator("#id_visited_at")
    local = phone_now.astimezone(times.zone_info(village))
    assert local.hour == 21 + hours_ahead
    expect(visited).to_have_value(local.strftime("%Y-%m-%dT%H:%M"))
    expect(page.locator("label[for=id_visited_at]")).to_contain_text(zone)
    page.locator("#id_text").fill("Sudah foto produk, lanjut buka toko.")
    page.locator("form[data-queue=visit_note] button[type=submit]").click()

    queued = page.locator("#mentor-queue li[data-state=queued]")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text(in_indonesian(phone_now, village))
    [record] = queue_of(page)
    offset = "+08:00" if zone == "WITA" else "+09:00"
    assert record["data"]["visited_at"] == local.strftime("%Y-%m-%dT%H:%M:00") + offset
    assert not VisitNote.objects.exists()

    context.set_offline(False)
    expect(page.locator("#mentor-queue li")).to_have_count(0)
    note = VisitNote.objects.get()
    assert (note.enterprise_id, note.text, note.visited_at) == (
        business.pk,
        "Sudah foto produk, lanjut buka toko.",
        phone_now,
    )
    page.reload()
    shown = in_indonesian(phone_now, village)
    assert shown.endswith(f"{21 + hours_ahead}.30 {zone}")
    expect(page.locator("article.card").first).to_contain_text(shown)


def test_a_refused_note_stays_on_the_phone_and_is_corrected_and_sent_again(phone_on_wib):
    from playwright.sync_api import expect

    mentor, business = field_mentor(NAMOSAIN)
    words = texts()
    context = phone_on_wib()
    page = context.new_page()
    sign_in(page, mentor.user.email)
    open_business_offline(page, context, business)
    form = page.locator("form[data-queue=visit_note]")

    # An identity number in a note is never kept on the phone.
    form.locator("#id_text").fill("NIK pemilik 5371012345670001, minta dicatat.")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-note")).to_have_text(words["note_has_identity_number"])
    assert queue_of(page) == []
    assert "5371012345670001" not in page.evaluate("() => JSON.stringify({...localStorage})")

    # A visit dated tomorrow by mistake: the phone keeps it, the server refuses it.
    tomorrow = times.today(NAMOSAIN) + datetime.timedelta(days=1)
    wrong = times.moment_at(datetime.datetime.combine(tomorrow, datetime.time(10, 0)), NAMOSAIN)
    form.locator("#id_text").fill("Pelatihan foto produk selesai.")
    form.locator("#id_visited_at").fill(times.input_value(wrong, NAMOSAIN))
    form.locator("button[type=submit]").click()
    expect(page.locator("#mentor-queue li[data-state=queued]")).to_have_count(1)

    context.set_offline(False)
    refused = page.locator("#mentor-queue li[data-state=refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_have_attribute("data-reason", "in_future")
    expect(refused).to_have_attribute("data-field", "visited_at")
    with translation.override("id"):
        what = translation.gettext("The visit time")
    expect(refused.locator(".reason")).to_contain_text(f"{what} ({in_indonesian(wrong, NAMOSAIN)})")
    assert not VisitNote.objects.exists()

    # Still there after the page is opened again: nothing written in the field is lost.
    page.reload()
    refused = page.locator("#mentor-queue li[data-state=refused]")
    expect(refused).to_have_count(1)
    [record] = queue_of(page)
    assert (record["state"], record["data"]["text"]) == (
        "refused",
        "Pelatihan foto produk selesai.",
    )

    # Corrected on the phone: the form holds what was written, the time at fault marked.
    refused.get_by_role("button", name=words["correct"]).click()
    text = refused.locator("textarea[name=text]")
    when = refused.locator("input[name=visited_at]")
    expect(text).to_have_value("Pelatihan foto produk selesai.")
    expect(when).to_have_value(times.input_value(wrong, NAMOSAIN))
    expect(when).to_have_attribute("aria-invalid", "true")
    expect(when).to_be_focused()
    expect(refused.locator(f"label[for='{when.get_attribute('id')}']")).to_contain_text("WITA")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    right = (timezone.now() - datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    text.fill("Pelatihan foto produk selesai (kemarin siang).")
    when.fill(times.input_value(right, NAMOSAIN))
    refused.get_by_role("button", name=words["send_again"]).click()
    expect(page.locator("#mentor-queue li")).to_have_count(0)
    note = VisitNote.objects.get()
    assert (note.text, note.visited_at) == ("Pelatihan foto produk selesai (kemarin siang).", right)
    page.reload()
    expect(page.locator("article.card").first).to_contain_text(in_indonesian(right, NAMOSAIN))


def test_a_refused_record_can_be_discarded_only_on_purpose(phone_on_wib):
    from playwright.sync_api import expect

    mentor, business = field_mentor(SENTANI_KOTA)
    words = texts()
    context = phone_on_wib()
    page = context.new_page()
    sign_in(page, mentor.user.email)
    open_business_offline(page, context, business)
    form = page.locator("form[data-queue=visit_note]")
    later = timezone.now() + datetime.timedelta(days=3)
    form.locator("#id_text").fill("Rencana kunjungan.")
    form.locator("#id_visited_at").fill(times.input_value(later, SENTANI_KOTA))
    form.locator("button[type=submit]").click()
    context.set_offline(False)
    refused = page.locator("#mentor-queue li[data-state=refused]")
    expect(refused).to_have_count(1)

    refused.get_by_role("button", name=words["discard"]).click()
    expect(refused).to_have_count(1)  # one click only asks
    refused.get_by_role("button", name=words["discard_sure"]).click()
    expect(page.locator("#mentor-queue li")).to_have_count(0)
    assert queue_of(page) == [] and not VisitNote.objects.exists()


@pytest.mark.parametrize(("village", "zone"), [(NAMOSAIN, "WITA"), (SENTANI_KOTA, "WIT")])
def test_a_session_shows_its_local_hour_with_its_zone_on_a_wib_phone(phone_on_wib, village, zone):
    from playwright.sync_api import expect

    mentor = make_mentor(region_code=village[:5], villages=(village,))
    cohort = make_cohort(village=village)
    starts_at = times.moment_at(
        datetime.datetime.combine(times.today(village), datetime.time(20, 0)), village
    )
    session = make_session(
        mentor=mentor, cohort=cohort, title="Jualan lewat WA", starts_at=starts_at
    )
    page = phone_on_wib().new_page()
    sign_in(page, mentor.user.email)

    page.goto("/pendamping/")
    expect(page.locator("main li", has_text="Jualan lewat WA")).to_contain_text(f"20.00 {zone}")
    page.goto(f"/pendamping/sesi/{session.public_id}/")
    expect(page.locator("#session-time")).to_contain_text(in_indonesian(starts_at, village, "long"))
    expect(page.locator("#session-time")).to_contain_text(f"20.00 {zone}")

    # The cohort's public page lists its sessions the same way.
    page.goto(f"/program/angkatan/{cohort.public_id}/")
    expect(page.locator("#sessions")).to_contain_text(in_indonesian(starts_at, village))


def test_a_note_refused_before_this_version_is_corrected_on_the_phones_clock(phone_on_wib):
    """A note the earlier app version queued without a zone, refused at sync ("in the future"),
    is still on the phone: its time is shown and read on the phone's own clock (WIB here)."""
    from playwright.sync_api import expect

    mentor, business = field_mentor(NAMOSAIN)
    words = texts()
    page = phone_on_wib().new_page()
    sign_in(page, mentor.user.email)
    page.goto(f"/pendamping/binaan/{business.public_id}/")
    typed = (timezone.now() + datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    legacy = {
        "client_id": "5f0c3c3e-6b1e-4d59-9a8e-2f1d9c0b7a11",
        "kind": "visit_note",
        "data": {
            "enterprise": business.public_id,
            "text": "Ditulis dengan versi lama.",
            "visited_at": typed.isoformat().replace("+00:00", ".000Z"),
        },
        "base_version": None,
        "label": f"Catatan kunjungan: {business.name}",
        "state": "refused",
        "detail": "visited_at di masa depan",
    }
    page.evaluate(
        "([key, item]) => localStorage.setItem(key, JSON.stringify([item]))",
        [f"tumbuh.mentor.{mentor.user.pk}.queue", legacy],
    )
    page.reload()
    refused = page.locator("#mentor-queue li[data-state=refused]")
    expect(refused).to_contain_text("visited_at di masa depan")
    refused.get_by_role("button", name=words["correct"]).click()
    when = refused.locator("input[name=visited_at]")
    expect(when).to_have_value(typed.astimezone(WIB).strftime("%Y-%m-%dT%H:%M"))
    expect(refused.locator(f"label[for='{when.get_attribute('id')}']")).to_have_text(
        words["field_visited_at_phone"]
    )
    right = typed - datetime.timedelta(hours=3)
    when.fill(right.astimezone(WIB).strftime("%Y-%m-%dT%H:%M"))
    refused.get_by_role("button", name=words["send_again"]).click()
    expect(page.locator("#mentor-queue li")).to_have_count(0)
    note = VisitNote.objects.get()
    assert (note.text, note.visited_at) == ("Ditulis dengan versi lama.", right)
