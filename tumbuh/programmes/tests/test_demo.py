"""The programmes demo: the flagship programme, 15 areas summing to 30,000, every status but
"completed" (which only a real outcome makes), sessions run by mentors of each cohort's partner,
sessions today for the demo mentor; a second run adds nothing."""

import pytest

from tumbuh.accounts import demo as accounts_demo
from tumbuh.core.demodata import DemoReport
from tumbuh.programmes import demo
from tumbuh.programmes.models import Certificate, Enrolment, Programme, Session
from tumbuh.programmes.services import completion_status
from tumbuh.registry.models import Enterprise, EnterpriseKbli, Milestone
from tumbuh.registry.services import record_milestone

pytestmark = pytest.mark.django_db


def test_demo_builds_the_flagship_programme_and_is_idempotent(db):
    accounts_demo.load(seed=7, report=DemoReport())
    # Food processors in Belu and Kota Kupang, as the registry demo would have imported.
    villages = ["53.04.01.2001", "53.04.02.2001", "53.71.01.1001", "53.71.02.1001"]
    from tumbuh.regions.models import Village

    villages = [code for code in villages if Village.objects.filter(code=code).exists()] or list(
        Village.objects.filter(code__startswith="53.04.").values_list("code", flat=True)[:3]
    )
    for number in range(45):
        enterprise = Enterprise.objects.create(
            name=f"Olahan Pangan {number}",
            village_id=villages[number % len(villages)],
            scale="mikro",
        )
        EnterpriseKbli.objects.create(enterprise=enterprise, code="10799")

    report = DemoReport()
    demo.load(seed=7, report=report)
    programme = Programme.objects.get(name=demo.PROGRAMME_NAME)
    assert programme.areas.count() == 15
    assert sum(area.quota for area in programme.areas.all()) == 30_000
    for area in programme.areas.all():
        assert sum(share.quota for share in area.partner_quotas.all()) == area.quota
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert statuses == set(Enrolment.Status.values) - {"completed"}
    assert not Milestone.objects.filter(kind__in=["store_live", "trained"]).exists()
    assert not Certificate.objects.exists()
    for session in Session.objects.select_related("cohort", "mentor"):
        if session.cohort_id:
            assert session.mentor.organisation_id == session.cohort.partner_id
    # Participants who attended every session complete when the outcome is real: a store
    # going live records the milestone (here through the registry's service directly).
    trained = [
        enrolment
        for enrolment in Enrolment.objects.filter(status="active").order_by("pk")
        if completion_status(enrolment)["sessions_attended"] >= 3
    ]
    assert trained
    record_milestone(enterprise=trained[0].enterprise, kind="store_live", source="test", by=None)
    trained[0].refresh_from_db()
    assert trained[0].status == "completed"
    assert Certificate.objects.get().enrolment == trained[0]
    from django.utils import timezone

    from tumbuh.programmes.attendance import in_window

    mentor_sessions = Session.objects.filter(mentor__user__email=demo.DEMO_MENTOR)
    assert any(in_window(session, timezone.now()) for session in mentor_sessions)
    assert any(login.login == demo.HALAL_MENTOR for login in report.logins)

    counts = (Enrolment.objects.count(), Session.objects.count(), Certificate.objects.count())
    demo.load(seed=7, report=DemoReport())
    assert counts == (
        Enrolment.objects.count(),
        Session.objects.count(),
        Certificate.objects.count(),
    )
