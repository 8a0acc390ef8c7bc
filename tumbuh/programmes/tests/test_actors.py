"""Every programmes service is given who acts, and checks it: nobody is let through because no
actor was named; the system actor of the demo and the tasks passes; the mentor sync's kinds are
one table in the settings; refusals carry codes of ``ProgrammesError``."""

import datetime
import importlib
import inspect

import pytest
from django.utils import timezone

from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_user
from tumbuh.core.idempotency import request_sha256
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.programmes import attendance, services
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.mentor import handlers, sync
from tumbuh.programmes.models import (
    Assignment,
    Benefit,
    BenefitDelivery,
    Cohort,
    Enrolment,
    Mentor,
    Programme,
    Session,
    VisitNote,
)
from tumbuh.programmes.tests.builders import assign, make_enrolment, make_mentor, make_partner
from tumbuh.regions.models import Village

pytestmark = pytest.mark.django_db

WRITES = [
    services.create_programme,
    services.update_programme,
    services.set_area_quota,
    services.set_partner_quota,
    services.transfer_quota,
    services.create_cohort,
    services.schedule_session,
    services.transition,
    services.enrol,
    services.enrol_businesses,
    services.decide_enrolment,
    services.check_completion,
    services.check_completion_of,
    services.complete_on_milestone,
    services.issue_certificate,
    services.revoke_certificate,
    services.deliver_benefit,
    services.register_mentor,
    services.assign_mentor,
    attendance.record_attendance,
    attendance.save_visit_note,
]


@pytest.mark.parametrize("service", WRITES, ids=lambda service: service.__name__)
def test_every_write_takes_its_actor_as_a_required_keyword(service):
    by = inspect.signature(service).parameters["by"]
    assert by.kind is inspect.Parameter.KEYWORD_ONLY
    assert by.default is inspect.Parameter.empty


@pytest.fixture
def outsider(db):
    """A signed-in person with no role that runs programmes."""
    return make_user(full_name="Orang Luar")


def test_creating_a_programme_without_the_right_is_refused_and_nothing_changes(outsider, ministry):
    today = timezone.localdate()
    fields = {"name": "Program Liar", "starts_on": today, "ends_on": today}
    with pytest.raises(Refused) as refused:
        services.create_programme(organisation=ministry, by=outsider, **fields)
    assert refused.value.reason == ProgrammesError.NOT_ALLOWED == "not_allowed"
    assert not Programme.objects.exists()
    programme = services.create_programme(organisation=ministry, by=system_actor(), **fields)
    assert programme.name == "Program Liar"
    event = AuditEvent.objects.get(action="programmes.programme_created")
    assert event.actor == system_actor()


def test_opening_a_cohort_without_the_right_is_refused(outsider, programme_area, partner):
    today = timezone.localdate()
    fields = {
        "name": "Angkatan Liar",
        "mode": Cohort.Mode.OFFLINE,
        "venue_village": Village.objects.get(code=DAYEUHKOLOT),
        "starts_on": today,
        "ends_on": today,
        "capacity": 10,
    }
    services.set_partner_quota(
        programme_area=programme_area, partner=partner, quota=10, by=system_actor()
    )
    with pytest.raises(Refused) as refused:
        services.create_cohort(
            programme_area=programme_area, partner=partner, by=outsider, **fields
        )
    assert refused.value.reason == "not_allowed"
    assert not Cohort.objects.exists()
    cohort = services.create_cohort(
        programme_area=programme_area, partner=partner, by=system_actor(), **fields
    )
    assert cohort.name == "Angkatan Liar"


def test_a_benefit_recorded_by_someone_without_the_right_is_refused(outsider, cohort, business):
    enrolment = make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    benefit = Benefit.objects.create(programme=cohort.programme, name="Paket data")
    with pytest.raises(Refused) as refused:
        services.deliver_benefit(enrolment=enrolment, benefit=benefit, by=outsider)
    assert refused.value.reason == "not_allowed"
    assert not BenefitDelivery.objects.exists()
    services.deliver_benefit(enrolment=enrolment, benefit=benefit, by=system_actor())
    assert BenefitDelivery.objects.get().enrolment == enrolment


def test_mentors_are_registered_and_assigned_only_by_those_who_run_their_partner(
    outsider, partner, business
):
    other_partner_staff = make_user(
        organisation=make_partner(name="Mitra Lain"), role=Membership.Role.OFFICER
    )
    user = make_user(full_name="Calon Pendamping")
    for by in (outsider, other_partner_staff):
        with pytest.raises(Refused) as refused:
            services.register_mentor(user=user, organisation=partner, region_code="32.04", by=by)
        assert refused.value.reason == "not_allowed"
    assert not Mentor.objects.exists()
    mentor = services.register_mentor(
        user=user, organisation=partner, region_code="32.04", by=system_actor()
    )
    with pytest.raises(Refused) as refused:
        services.assign_mentor(mentor=mentor, enterprise=business, by=outsider)
    assert refused.value.reason == "not_allowed"
    assert not Assignment.objects.exists()
    services.assign_mentor(mentor=mentor, enterprise=business, by=system_actor())
    assert Assignment.objects.get().mentor == mentor


def test_a_visit_is_booked_by_its_mentor_or_staff_of_the_mentors_partner(
    outsider, mentor, business, officer_32
):
    assign(mentor, business)
    starts_at = timezone.now() + datetime.timedelta(hours=2)
    other_mentor = make_mentor(organisation=mentor.organisation)
    for by in (outsider, other_mentor.user):
        with pytest.raises(Refused) as refused:
            services.schedule_session(
                mentor=mentor, enterprise=business, starts_at=starts_at, title="Kunjungan", by=by
            )
        assert refused.value.reason == "not_allowed"
    assert not Session.objects.exists()
    for by in (mentor.user, officer_32, system_actor()):
        services.schedule_session(
            mentor=mentor, enterprise=business, starts_at=starts_at, title="Kunjungan", by=by
        )
    assert Session.objects.filter(mentor=mentor, enterprise=business).count() == 3


def test_a_visit_note_is_written_only_by_its_mentor(mentor, business):
    assign(mentor, business)
    other_mentor = make_mentor(organisation=mentor.organisation)
    for by in (other_mentor.user, system_actor()):
        with pytest.raises(Refused) as refused:
            attendance.save_visit_note(
                mentor=mentor,
                enterprise=business,
                text="Ditulis orang lain",
                visited_at=timezone.now(),
                by=by,
            )
        assert refused.value.reason == "not_allowed"
    assert not VisitNote.objects.exists()


def test_the_system_actor_may_transfer_quota_and_review(programme_area, cohort, business):
    other = make_partner(name="Mitra Penerima")
    transfer = services.transfer_quota(
        programme_area=programme_area,
        from_partner=cohort.partner,
        to_partner=other,
        amount=5,
        reason="Penyesuaian",
        by=system_actor(),
    )
    assert (transfer.amount, transfer.by) == (5, system_actor())
    enrolment = make_enrolment(cohort, business, status=Enrolment.Status.APPLIED)
    services.decide_enrolment(enrolment=enrolment, to=Enrolment.Status.ACCEPTED, by=system_actor())
    assert Enrolment.objects.get().status == "accepted"


def test_the_mentor_sync_kinds_are_the_settings_table(settings):
    assert sync.registered_kinds() == [
        "assessment",
        "attendance",
        "signal_check",
        "supply_link",
        "visit_note",
    ]
    assert sync.kinds()["visit_note"] is handlers.apply_visit_note
    assert not hasattr(sync, "register_kind")
    settings.MENTOR_SYNC_KINDS = {
        kind: path for kind, path in settings.MENTOR_SYNC_KINDS.items() if kind != "signal_check"
    }
    record = {
        "client_id": "0b6c1e0a-6f0e-4f43-9f0a-1d2b3c4d5e6f",
        "kind": "signal_check",
        "data": {},
    }
    [result] = sync.apply_batch(user=make_user(), records=[record])
    assert (result.status, result.reason) == ("refused", "unknown_kind")


def test_every_code_is_its_own_string():
    assert all(code.value == code.name.lower() for code in ProgrammesError)
    assert len({code.value for code in ProgrammesError}) == len(ProgrammesError)


def test_the_copy_of_stored_enrolment_answers_rebuilds_the_request_it_verifies():
    copy = importlib.import_module(
        "tumbuh.programmes.migrations.0004_copy_idempotent_requests_to_core"
    )
    body = {"enterprises": ["abcdefghjkmn", "tidakada1234"], "accept": True}
    answer = {
        "cohort": "cohortcohort",
        "enrolled": 1,
        "refused": 1,
        "results": [
            {"enterprise": "abcdefghjkmn", "outcome": "enrolled", "status": "accepted"},
            {"enterprise": "tidakada1234", "outcome": "refused", "reason": "unknown_business"},
        ],
    }
    rebuilt = [
        candidate
        for candidate in copy.bodies(answer)
        if copy.old_sha256(candidate) == copy.old_sha256(body)
    ]
    assert rebuilt == [body]
    assert request_sha256(rebuilt[0]) == request_sha256(
        {"accept": True, "enterprises": ["abcdefghjkmn", "tidakada1234"]}
    )
    assert list(copy.bodies({"weird": 1})) == []


def test_an_enrolment_by_someone_else_than_the_business_or_its_runners_is_refused(outsider, cohort):
    business = make_enterprise("Usaha Orang", scale="mikro")
    with pytest.raises(Refused) as refused:
        services.enrol(cohort=cohort, enterprise=business, by=outsider)
    assert refused.value.reason == "outside_partner_scope"
    assert not Enrolment.objects.exists()
