"""Times on the programme pages in the zone of their place (the server's zone is Asia/Jakarta):
sessions scheduled and shown in their village's zone, the mentor app's today, refusals that name
the field and its time, certificates dated where the cohort met."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA, make_enterprise
from tumbuh.core import times
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.programmes import services
from tumbuh.programmes.attendance import record_attendance
from tumbuh.programmes.mentor import caseload, sync
from tumbuh.programmes.models import Enrolment, Session, VisitNote
from tumbuh.programmes.tests.builders import (
    assign,
    make_cohort,
    make_enrolment,
    make_mentor,
    make_session,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def shown(moment, place, style="datetime") -> str:
    with translation.override("id"):
        return times.local_time(moment, place, style)


def test_a_session_typed_for_kupang_is_kupangs_hour_on_every_page(client_of, officer_53):
    cohort = make_cohort(village=NAMOSAIN)
    mentor = make_mentor(organisation=cohort.partner, region_code="53.71", villages=(NAMOSAIN,))
    client = client_of(officer_53)
    url = reverse("programmes:session-create", args=[cohort.public_id])
    form = client.get(url).content.decode()
    assert "WITA" in form and "Namosain" in form

    data = {"title": "Foto produk", "mentor": mentor.pk, "starts_at": "2027-01-10T20:00"}
    response = client.post(url, {**data, "duration_minutes": "90", "village": ""})
    assert response.status_code == 302
    session = Session.objects.get(cohort=cohort)
    assert session.starts_at == datetime.datetime(2027, 1, 10, 12, 0, tzinfo=UTC)

    console = client.get(cohort.get_absolute_url()).content.decode()
    assert "<td>10 Jan 2027 20.00 WITA</td>" in console
    public = client.get(reverse("programmes:cohort-public", args=[cohort.public_id]))
    assert "10 Jan 2027 20.00 WITA · Foto produk — Namosain" in public.content.decode()


def test_a_session_in_another_zone_than_the_venue_is_read_in_its_own_village(client_of, officer_53):
    cohort = make_cohort(village=NAMOSAIN)
    mentor = make_mentor(organisation=cohort.partner, region_code="53.71", villages=(NAMOSAIN,))
    url = reverse("programmes:session-create", args=[cohort.public_id])
    data = {"title": "Kelas daring", "mentor": mentor.pk, "starts_at": "2027-01-10T20:00"}
    response = client_of(officer_53).post(
        url, {**data, "duration_minutes": "90", "village": SENTANI_KOTA}
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.village_id == SENTANI_KOTA
    assert session.starts_at == datetime.datetime(2027, 1, 10, 11, 0, tzinfo=UTC)  # 20.00 WIT


@pytest.mark.parametrize(("village", "zone"), [(NAMOSAIN, "WITA"), (SENTANI_KOTA, "WIT")])
def test_mentor_pages_show_the_villages_hour_with_its_zone(client_of, village, zone):
    mentor = make_mentor(region_code=village[:5], villages=(village,))
    cohort = make_cohort(village=village)
    starts_at = times.moment_at(
        datetime.datetime.combine(times.today(village), datetime.time(20, 0)), village
    )
    session = make_session(
        mentor=mentor, cohort=cohort, title="Jualan lewat WA", starts_at=starts_at
    )
    client = client_of(mentor.user)
    home = client.get(reverse("programmes:mentor-home")).content.decode()
    assert f"20.00 {zone} · Jualan lewat WA" in home
    page = client.get(reverse("programmes:mentor-session", args=[session.public_id]))
    assert f'<p id="session-time">{shown(starts_at, village, "long")} · ' in page.content.decode()
    assert shown(starts_at, village, "long").endswith(f" 20.00 {zone}")


def test_today_is_each_villages_own_day_around_midnight():
    mentor = make_mentor()
    cohort_kupang = make_cohort(village=NAMOSAIN)
    cohort_bandung = make_cohort(village=DAYEUHKOLOT)
    now = datetime.datetime(2026, 4, 1, 16, 30, tzinfo=UTC)  # 23.30 WIB, 00.30 WITA on 2 April

    def at(place, day, hour, minute=0):
        wall = datetime.datetime(2026, 4, day, hour, minute)
        return times.moment_at(wall, place)

    titles = {
        "Kupang, new day": (cohort_kupang, at(NAMOSAIN, 2, 9)),
        "Kupang, day before": (cohort_kupang, at(NAMOSAIN, 1, 23)),
        "Bandung, still today": (cohort_bandung, at(DAYEUHKOLOT, 1, 23, 45)),
        "Bandung, tomorrow": (cohort_bandung, at(DAYEUHKOLOT, 2, 8)),
    }
    for title, (cohort, starts_at) in titles.items():
        make_session(mentor=mentor, cohort=cohort, title=title, starts_at=starts_at)
    today = [session.title for session in caseload.sessions_today(mentor, now=now)]
    assert today == ["Bandung, still today", "Kupang, new day"]


def test_a_visit_in_the_future_is_refused_at_its_field_with_the_times_of_the_place(client_of):
    mentor = make_mentor(region_code="53.71", villages=(NAMOSAIN,))
    business = make_enterprise("Abon Sapi Ibu Maria", village=NAMOSAIN)
    assign(mentor, business)
    later = (timezone.now() + datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    record = {
        "client_id": str(uuid.uuid4()),
        "kind": "visit_note",
        "data": {
            "enterprise": business.public_id,
            "text": "Kunjungan.",
            "visited_at": times.local_moment(later, NAMOSAIN).isoformat(),
        },
    }
    events = AuditEvent.objects.count()
    with translation.override("en"):
        [result] = sync.apply_batch(user=mentor.user, records=[record])
    assert (result.status, result.reason, result.field) == ("refused", "in_future", "visited_at")
    with translation.override("en"):
        moment = times.local_time(later, NAMOSAIN)
    assert result.detail.startswith(f"The visit time ({moment}) is in the future: it is now ")
    assert "WITA there." in result.detail
    assert result.as_dict()["field"] == "visited_at"
    assert not VisitNote.objects.exists() and AuditEvent.objects.count() == events

    # Within the clock skew a phone's clock may have, the same note is saved.
    record["data"]["visited_at"] = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
    [result] = sync.apply_batch(user=mentor.user, records=[record])
    assert result.status == "applied"


def test_a_note_holding_an_identity_number_is_refused_and_nothing_is_written(client_of):
    mentor = make_mentor()
    business = make_enterprise("Kopi Ibu Tini")
    assign(mentor, business)
    record = {
        "client_id": str(uuid.uuid4()),
        "kind": "visit_note",
        "data": {
            "enterprise": business.public_id,
            "text": "KTP 3204121234560001 sudah difoto.",
            "visited_at": timezone.now().isoformat(),
        },
    }
    [result] = sync.apply_batch(user=mentor.user, records=[record])
    assert (result.status, result.reason, result.field) == (
        "refused",
        "identity_number_in_text",
        "text",
    )
    assert not VisitNote.objects.exists()
    # A phone number or a 17-digit sum is not an identity number.
    record["data"]["text"] = "HP 081234567890, omzet Rp 12345678901234567."
    record["client_id"] = str(uuid.uuid4())
    [result] = sync.apply_batch(user=mentor.user, records=[record])
    assert result.status == "applied"


def test_the_no_javascript_note_form_reads_the_businesss_wall_clock(client_of):
    mentor = make_mentor(region_code="91.03", villages=(SENTANI_KOTA,))
    business = make_enterprise("Noken Mama Yoku", village=SENTANI_KOTA)
    assign(mentor, business)
    client = client_of(mentor.user)
    url = reverse("programmes:mentor-note-new", args=[business.public_id])
    form = client.get(url).content.decode()
    assert 'data-zone="WIT" data-utc-offset="540"' in form
    assert "(WIT, " in form
    response = client.post(
        url,
        {"text": "Noken dipotret.", "visited_at": "2026-01-05T08:15", "client_id": uuid.uuid4()},
    )
    assert response.status_code == 302
    note = VisitNote.objects.get()
    assert note.visited_at == datetime.datetime(2026, 1, 4, 23, 15, tzinfo=UTC)
    page = client.get(reverse("programmes:mentor-business", args=[business.public_id]))
    assert "5 Jan 2026 08.15 WIT" in page.content.decode()

    tomorrow = times.input_value(timezone.now() + datetime.timedelta(days=1), SENTANI_KOTA)
    response = client.post(
        url, {"text": "Besok.", "visited_at": tomorrow, "client_id": uuid.uuid4()}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="note-error"' in html
    assert html.index('id="note-error"') < html.index('name="visited_at"')
    assert VisitNote.objects.count() == 1


def test_an_expired_code_says_when_it_closed_in_the_sessions_zone():
    mentor = make_mentor(region_code="91.03", villages=(SENTANI_KOTA,))
    cohort = make_cohort(village=SENTANI_KOTA)
    starts_at = datetime.datetime(2026, 3, 31, 13, 0, tzinfo=UTC)  # 22.00 WIT
    session = make_session(mentor=mentor, cohort=cohort, starts_at=starts_at)
    business = make_enterprise("Sagu Ibu Rosa", village=SENTANI_KOTA)
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    with translation.override("en"), pytest.raises(Refused) as refusal:
        record_attendance(
            session=session,
            enterprise=business,
            by=mentor.user,
            no_phone_reason="Tidak punya HP",
            recorded_at=starts_at + datetime.timedelta(hours=3),
        )
    # The code closed two hours after the start: at midnight in Jayapura, 22.00 in Jakarta.
    assert refusal.value.messages == [
        "The attendance code has expired: it closed at 1 Apr 2026 00:00 WIT."
    ]
    assert refusal.value.reason == "expired"


def test_a_certificate_is_dated_where_the_cohort_met(client):
    cohort = make_cohort(village=SENTANI_KOTA)
    enrolment = make_enrolment(cohort, make_enterprise("Kopi Wamena"))
    enrolment.status = Enrolment.Status.COMPLETED
    # 31 March 16.30 UTC: still 31 March in Jakarta, 1 April in Jayapura.
    enrolment.completed_at = datetime.datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    enrolment.save()
    certificate = services.issue_certificate(enrolment=enrolment, by=None)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert f"<dd>{shown(enrolment.completed_at, SENTANI_KOTA, 'long_date')}</dd>" in page
    assert "<dd>1 April 2026</dd>" in page
