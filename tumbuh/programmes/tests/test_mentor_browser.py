"""The mentor app in a real Chromium: attendance recorded offline, checked on the device, queued,
and synced when the connection returns; the app's pages readable offline.

The shared browser fixtures of tumbuh/conftest.py: one browser per module, a fresh context per
test, the live server on a transactional database that is flushed after every test.
"""

import io
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from tumbuh.conftest import PASSWORD, make_enterprise
from tumbuh.programmes.attendance import attendance_code
from tumbuh.programmes.models import Attendance, Enrolment
from tumbuh.programmes.tests.builders import (
    assign,
    make_cohort,
    make_enrolment,
    make_mentor,
    make_session,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]

TIMEOUT_MS = 30_000
# For a person to look at after the run: the session page offline, one record queued.
SCREENSHOT = Path(tempfile.gettempdir()) / "tumbuh-mentor-offline.png"


@pytest.fixture
def context(new_context):
    """A context in Indonesian, with a longer timeout: the waits include the service worker."""
    context = new_context(locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def field_day():
    """A mentor with one participant in today's session (starting now) and one who is not."""
    mentor = make_mentor()
    cohort = make_cohort()
    session = make_session(
        mentor=mentor, cohort=cohort, title="Foto produk dengan HP",
        starts_at=timezone.now().replace(microsecond=0),
    )  # fmt: skip
    participant = make_enterprise("Keripik Tempe Bu Sari", scale="mikro")
    early = make_enterprise("Sambal Roa Ibu Ani", scale="mikro")
    for business in (participant, early):
        make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
        assign(mentor, business)
    return {"mentor": mentor, "session": session, "participant": participant, "early": early}


def sign_in(page, login: str) -> None:
    page.goto("/masuk/")
    page.locator("#id_username").fill(login)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def wait_for_the_worker(page) -> None:
    """Wait until the service worker controls the page. Installing it fetches the app's shell;
    an install that fails is dropped, and the browser tries again at the next visit, as a phone
    would. Once in a CI run (2026-12-07) the worker did not take control within 90 s, the cause
    unseen, and such runs failed twice in 2,500 before: so after 45 s the page is visited again
    once, rather than waiting on an install that may be gone."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    controlled = "() => navigator.serviceWorker && navigator.serviceWorker.controller"
    try:
        page.wait_for_function(controlled, timeout=45_000)
    except PlaywrightTimeout:
        page.reload()
        page.wait_for_function(controlled, timeout=90_000)


def sign_in_sheet() -> bytes:
    """A 2000 × 1500 PNG, bigger than the device keeps (1280 px on the longer side)."""
    image = Image.new("RGB", (2000, 1500), "white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_records_attendance_offline_in_the_mentor_app_and_sees_it_synced(
    context, field_day, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from playwright.sync_api import expect

    session, participant = field_day["session"], field_day["participant"]
    page = context.new_page()
    sign_in(page, field_day["mentor"].user.email)

    # Online once today: the app installs its service worker and takes today's bundle.
    page.goto("/pendamping/")
    wait_for_the_worker(page)
    page.goto(f"/pendamping/sesi/{session.public_id}/")
    page.wait_for_function(
        "() => Object.keys(localStorage).some((key) => key.endsWith('.bundle')"
        " && JSON.parse(localStorage.getItem(key)).sessions.length === 1)"
    )

    # With a connection the form goes straight to the server.
    form = page.locator("form[data-queue=attendance]")
    form.locator("#id_enterprise").select_option(label=field_day["early"].name)
    form.locator("#id_no_phone_reason").fill("Tidak membawa HP")
    form.locator("button[type=submit]").click()
    expect(page.locator("#attendance-list")).to_contain_text(field_day["early"].name)
    assert Attendance.objects.get().method == "marked"

    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    expect(page.locator("#mentor-status")).to_be_visible()

    form = page.locator("form[data-queue=attendance]")
    form.locator("#id_enterprise").select_option(label=participant.name)
    # A wrong code is refused on the device, with no connection and nothing queued.
    form.locator("#id_code").fill("AAAAAA")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-note")).to_have_class("form-note warn")
    assert page.evaluate("() => document.querySelectorAll('#mentor-queue li').length") == 0

    form.locator("#id_enterprise").select_option(label=participant.name)
    form.locator("#id_code").fill(attendance_code(session).lower())
    # The paper sign-in sheet, photographed offline: shrunk and kept with the record.
    form.locator("#id_evidence").set_input_files(
        {"name": "daftar-hadir.png", "mimeType": "image/png", "buffer": sign_in_sheet()}
    )
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-note")).to_have_class("form-note ok")
    queued = page.locator("#mentor-queue li[data-state=queued]")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text(participant.name)
    assert not Attendance.objects.filter(enterprise=participant).exists()
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The pages stay readable offline, from the service worker's copies.
    page.reload()
    expect(page.locator("h1")).to_have_text("Foto produk dengan HP")
    expect(page.locator("#mentor-queue li[data-state=queued]")).to_have_count(1)

    # The connection returns: the queue goes to the server by itself.
    context.set_offline(False)
    expect(page.locator("#mentor-queue li")).to_have_count(0)
    expect(page.locator("#mentor-queue .ok")).to_contain_text("1")
    row = Attendance.objects.get(enterprise=participant)
    assert (row.session_id, row.enterprise_id, row.method) == (session.pk, participant.pk, "code")
    assert row.client_id
    with Image.open(row.evidence) as photo:
        assert (photo.format, photo.size) == ("JPEG", (1280, 960))

    page.reload()
    expect(page.locator("#attendance-list")).to_contain_text(participant.name)

    # Nothing personal and no clear phone number on the device.
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert session.attendance_secret in stored  # today's own session only, for offline checks
    assert "nik" not in stored.lower()

    # Signed out (here: the session cookie gone), the app's copies leave the device.
    assert page.evaluate("async () => (await caches.keys()).length") == 1
    context.clear_cookies()
    page.goto("/pendamping/")
    expect(page).to_have_url(re.compile(r"/masuk/"))
    for _attempt in range(50):
        if page.evaluate("async () => (await caches.keys()).length") == 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("async () => (await caches.keys()).length") == 0


def test_a_visit_note_changed_on_the_server_while_offline_is_resolved_on_the_device(context):
    from django.utils import translation
    from playwright.sync_api import expect

    from tumbuh.programmes.attendance import save_visit_note
    from tumbuh.programmes.mentor.texts import mentor_texts
    from tumbuh.programmes.models import VisitNote

    mentor = make_mentor()
    business = make_enterprise("Kopi Bubuk Pak Ujang", scale="mikro")
    assign(mentor, business)
    note = save_visit_note(
        mentor=mentor,
        enterprise=business,
        text="Versi awal.",
        visited_at=timezone.now(),
        by=mentor.user,
    )
    with translation.override("id"):
        merge = mentor_texts()["merge"]
    page = context.new_page()
    sign_in(page, mentor.user.email)
    page.goto(f"/pendamping/catatan/{note.public_id}/")
    page.wait_for_function("() => document.documentElement.classList.contains('js')")

    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    page.locator("#id_text").fill("Ditulis di HP tanpa sinyal.")
    page.locator("form[data-queue=visit_note] button[type=submit]").click()
    expect(page.locator("#mentor-queue li[data-state=queued]")).to_have_count(1)

    # Meanwhile the note changes on the server (another device of the mentor).
    save_visit_note(
        mentor=mentor, enterprise=business, text="Diubah di laptop.", visited_at=timezone.now(),
        base_version=1, public_id=note.public_id, by=mentor.user,
    )  # fmt: skip

    context.set_offline(False)
    conflict = page.locator("#mentor-queue li[data-state=conflict]")
    expect(conflict).to_contain_text("Diubah di laptop.")
    expect(conflict).to_contain_text("Ditulis di HP tanpa sinyal.")
    note.refresh_from_db()
    assert (note.text, note.version) == ("Diubah di laptop.", 2)

    # The mentor merges both texts and syncs again.
    conflict.get_by_role("button", name=merge).click()
    expect(page.locator("#mentor-queue li[data-state=queued]")).to_have_count(1)
    page.locator("#mentor-sync-button").click()
    expect(page.locator("#mentor-queue li")).to_have_count(0)
    note = VisitNote.objects.get(pk=note.pk)
    assert note.text == "Ditulis di HP tanpa sinyal.\n\nDiubah di laptop."
    assert note.version == 3
