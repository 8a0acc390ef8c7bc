"""The mentor app's pages: access, caseload scoping, forms without JavaScript, page weights, no
personal identifiers, and the installable shell (manifest, service worker)."""

import datetime
import gzip
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.connectivity.models import VillageFact
from tumbuh.core.personal import encrypt, keyed_hash, mask_nik
from tumbuh.core.tests.weight import served_size
from tumbuh.core.validators import mask_phone
from tumbuh.programmes.attendance import attendance_code, save_visit_note
from tumbuh.programmes.models import Attendance, Enrolment, VisitNote
from tumbuh.programmes.tests.builders import assign, make_enrolment, make_mentor, make_session
from tumbuh.registry.models import Milestone, Ownership, Person
from tumbuh.registry.services import record_milestone

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 14 * 1024
PHONE = "+6281234567890"
NIK = "3204125708900002"


@pytest.fixture
def caseload(mentor, cohort):
    """A mentor with 30 businesses (one with an owner's NIK and a phone), a cohort session of
    today with 30 participants, and a visit note."""
    businesses = []
    for number in range(30):
        business = make_enterprise(f"Usaha Olahan Pangan Nomor {number:02d}", scale="mikro")
        assign(mentor, business)
        make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
        businesses.append(business)
    first = businesses[0]
    first.phone_encrypted = encrypt(PHONE)
    first.phone_hash = keyed_hash("phone", PHONE)
    first.phone_masked = mask_phone(PHONE)
    first.save()
    owner = Person.objects.create(
        full_name="Siti Aminah",
        nik_encrypted=encrypt(NIK),
        nik_hash=keyed_hash("nik", NIK),
        nik_masked=mask_nik(NIK),
    )
    Ownership.objects.create(enterprise=first, person=owner)
    record_milestone(enterprise=first, kind=Milestone.Kind.STORE_LIVE, source="uji", by=None)
    session = make_session(mentor=mentor, cohort=cohort, title="Foto produk dengan HP")
    note = save_visit_note(
        mentor=mentor,
        enterprise=first,
        text="Sudah bisa memotret produk.",
        visited_at=timezone.now(),
        by=mentor.user,
    )
    return {"businesses": businesses, "session": session, "note": note}


def pages(data) -> dict[str, str]:
    first = data["businesses"][0]
    return {
        "home": reverse("programmes:mentor-home"),
        "caseload": reverse("programmes:mentor-caseload"),
        "business": reverse("programmes:mentor-business", args=[first.public_id]),
        "note-new": reverse("programmes:mentor-note-new", args=[first.public_id]),
        "note": reverse("programmes:mentor-note", args=[data["note"].public_id]),
        "session": reverse("programmes:mentor-session", args=[data["session"].public_id]),
        "signal-check": reverse("programmes:mentor-signal-check"),
    }


def test_every_page_fits_in_14_kb_compressed_and_holds_no_personal_identifiers(
    client_of, mentor, caseload
):
    client = client_of(mentor.user)
    masked_nik = mask_nik(NIK)
    for name, url in pages(caseload).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content
        assert served_size(response) <= BUDGET_BYTES, name
        text = html.decode()
        assert NIK not in text and masked_nik not in text, name
        assert PHONE not in text and PHONE[3:] not in text and "081234567890" not in text, name
        assert 'lang="id"' in text, name
        assert re.search(r"<script(?![^>]*src=)(?![^>]*application/json)", text) is None, name
    caseload_page = client.get(reverse("programmes:mentor-caseload")).content.decode()
    assert mask_phone(PHONE) in caseload_page
    assert str(Milestone.Kind.STORE_LIVE.label) in caseload_page


def test_pages_are_indonesian_first(client_of, mentor, caseload):
    response = client_of(mentor.user).get(reverse("programmes:mentor-home"))
    assert response["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()


def test_mentor_pages_need_a_mentor(client, client_of, officer_32, caseload):
    url = reverse("programmes:mentor-home")
    response = client.get(url)
    assert response.status_code == 302 and "?next=" in response["Location"]
    assert client_of(officer_32).get(url).status_code == 403


def test_a_mentor_sees_only_their_own_caseload(client_of, mentor, cohort, caseload):
    other = make_mentor(villages=[NAMOSAIN])
    theirs = make_enterprise("Tenun Ikat Namosain", village=NAMOSAIN)
    assign(other, theirs)
    their_session = make_session(mentor=other, enterprise=theirs)
    their_note = save_visit_note(
        mentor=other, enterprise=theirs, text="Rahasia.", visited_at=timezone.now(), by=other.user
    )
    client = client_of(mentor.user)
    text = client.get(reverse("programmes:mentor-caseload")).content.decode()
    assert text.count("Usaha Olahan Pangan Nomor") == 30
    assert "Tenun Ikat Namosain" not in text
    for url in (
        reverse("programmes:mentor-business", args=[theirs.public_id]),
        reverse("programmes:mentor-note-new", args=[theirs.public_id]),
        reverse("programmes:mentor-note", args=[their_note.public_id]),
        reverse("programmes:mentor-session", args=[their_session.public_id]),
    ):
        assert client.get(url).status_code == 404, url
    signal = client.get(reverse("programmes:mentor-signal-check")).content.decode()
    assert DAYEUHKOLOT in signal and NAMOSAIN not in signal


def test_caseload_page_query_count_does_not_grow_with_the_caseload(
    client_of, mentor, caseload, django_assert_max_num_queries
):
    client = client_of(mentor.user)
    with django_assert_max_num_queries(12):
        client.get(reverse("programmes:mentor-caseload"))


def test_record_attendance_with_a_code_without_javascript(client_of, mentor, caseload):
    session = caseload["session"]
    business = caseload["businesses"][3]
    client = client_of(mentor.user)
    url = reverse("programmes:mentor-session", args=[session.public_id])
    form = {"client_id": "8f0a3c39-4a4b-4d0b-9a53-2f3a0f6f8c11", "enterprise": business.public_id}
    response = client.post(url, {**form, "code": attendance_code(session).lower()})
    assert response.status_code == 302
    row = Attendance.objects.get()
    assert (row.enterprise, row.method, row.recorded_by) == (business, "code", mentor.user)
    # A double submit of the same form is a replay: nothing new.
    assert client.post(url, {**form, "code": attendance_code(session)}).status_code == 302
    assert Attendance.objects.count() == 1
    page = client.get(url).content.decode()
    assert business.name in page.split('id="attendance-list"')[1].split("</ul>")[0]


def test_a_wrong_code_is_refused_with_the_reason(client_of, mentor, caseload):
    session = caseload["session"]
    response = client_of(mentor.user).post(
        reverse("programmes:mentor-session", args=[session.public_id]),
        {"enterprise": caseload["businesses"][1].public_id, "code": "AAAAAA"},
    )
    assert response.status_code == 400
    assert "salah" in response.content.decode() or "wrong" in response.content.decode()
    assert not Attendance.objects.exists()


def test_mark_without_phone_with_a_photo_of_the_sign_in_sheet(
    client_of, mentor, caseload, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    session = caseload["session"]
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(photo, "JPEG")
    photo.seek(0)
    photo.name = "daftar-hadir.jpg"
    response = client_of(mentor.user).post(
        reverse("programmes:mentor-session", args=[session.public_id]),
        {
            "enterprise": caseload["businesses"][2].public_id,
            "no_phone_reason": "Tidak punya HP",
            "evidence": photo,
        },
    )
    assert response.status_code == 302
    row = Attendance.objects.get()
    assert (row.method, row.reason) == ("marked", "Tidak punya HP")
    assert row.evidence.name.startswith("programmes/attendance/")
    # Kept in the private storage, not under the public media root.
    assert (settings.PRIVATE_MEDIA_ROOT / row.evidence.name).exists()
    assert not (tmp_path / row.evidence.name).exists()


def test_visit_note_form_and_its_conflict_without_javascript(client_of, mentor, caseload):
    business = caseload["businesses"][0]
    note = caseload["note"]
    client = client_of(mentor.user)
    response = client.post(
        reverse("programmes:mentor-note-new", args=[business.public_id]),
        {"text": "Kunjungan kedua.", "visited_at": "2026-01-05T09:30"},
    )
    assert response.status_code == 302
    created = VisitNote.objects.get(text="Kunjungan kedua.")
    assert created.visited_at == datetime.datetime(2026, 1, 5, 2, 30, tzinfo=datetime.UTC)

    edit_url = reverse("programmes:mentor-note", args=[note.public_id])
    assert client.get(edit_url).status_code == 200
    save_visit_note(
        mentor=mentor, enterprise=business, text="Diubah di tempat lain.",
        visited_at=timezone.now(), base_version=1, public_id=note.public_id, by=mentor.user,
    )  # fmt: skip
    response = client.post(
        edit_url, {"text": "Versi saya.", "visited_at": "2026-01-05T10:00", "base_version": "1"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Diubah di tempat lain." in page and "Versi saya." in page
    assert 'name="base_version" value="2"' in page
    response = client.post(
        edit_url, {"text": "Versi saya.", "visited_at": "2026-01-05T10:00", "base_version": "2"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.text, note.version) == ("Versi saya.", 3)


def test_signal_check_without_javascript(client_of, mentor, caseload):
    client = client_of(mentor.user)
    url = reverse("programmes:mentor-signal-check")
    response = client.post(url, {"village": DAYEUHKOLOT, "technology": "2g", "place": "pasar"})
    assert response.status_code == 302
    fact = VillageFact.objects.get()
    assert (fact.village_id, fact.value, fact.layer) == (DAYEUHKOLOT, "2g", "signal_check")
    response = client.post(url, {"village": NAMOSAIN, "technology": "2g"})
    assert response.status_code == 400
    assert VillageFact.objects.count() == 1


def test_home_lists_todays_sessions_in_the_villages_zone(client_of, mentor, cohort, caseload):
    yesterday = timezone.now() - datetime.timedelta(days=1, hours=2)
    make_session(mentor=mentor, cohort=cohort, title="Sesi kemarin", starts_at=yesterday)
    text = client_of(mentor.user).get(reverse("programmes:mentor-home")).content.decode()
    assert "Foto produk dengan HP" in text and "WIB" in text
    assert "Sesi kemarin" not in text


def test_manifest_and_service_worker(client):
    manifest = client.get(reverse("programmes:mentor-manifest"))
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["scope"] == data["start_url"] == "/pendamping/"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    worker = client.get(reverse("programmes:mentor-service-worker"))
    assert worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/pendamping/"
    script = worker.content.decode()
    assert '"/pendamping/sinkron/"' in script and '"/pendamping/paket.json"' in script
    probe = client.get(reverse("programmes:mentor-signal-probe"))
    assert len(probe.content) == 32 * 1024
    assert "no-store" in probe["Cache-Control"]
    assert len(gzip.compress(probe.content)) > 32 * 1024  # incompressible: a fair measurement


def test_a_long_caseload_is_split_into_pages(client_of, mentor, caseload, monkeypatch):
    from tumbuh.programmes.mentor import views

    monkeypatch.setattr(views, "CASELOAD_PAGE", 12)
    client = client_of(mentor.user)
    url = reverse("programmes:mentor-caseload")
    seen = []
    for number in (1, 2, 3):
        text = client.get(url, {"halaman": number}).content.decode()
        seen += re.findall(r"Usaha Olahan Pangan Nomor \d\d", text)
    assert sorted(seen) == sorted(business.name for business in caseload["businesses"])
    assert 'href="?halaman=2"' in client.get(url).content.decode()
