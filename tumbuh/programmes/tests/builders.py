"""Small builders for programme tests (also used by the mentor app's tests).

Each makes one valid row with sensible defaults; pass fields to change them.
"""

import datetime
import itertools

from django.utils import timezone

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_organisation, make_user
from tumbuh.programmes.models import (
    Assignment,
    Cohort,
    Enrolment,
    EnrolmentEvent,
    Mentor,
    PartnerQuota,
    Programme,
    ProgrammeArea,
    Session,
)
from tumbuh.regions.models import PriorityArea, PriorityAreaRegency
from tumbuh.registry.models import EnterpriseKbli

_numbers = itertools.count(1)


def make_area(*, regencies=("32.04",), name=None) -> PriorityArea:
    number = next(_numbers)
    area = PriorityArea.objects.create(
        slug=f"test-area-{number}", name=name or f"Kawasan Uji {number}", collection="test"
    )
    for code in regencies:
        PriorityAreaRegency.objects.create(area=area, regency_id=code)
    return area


def make_programme(*, organisation=None, **fields) -> Programme:
    if organisation is None:
        organisation = make_organisation(kind=Organisation.Kind.MINISTRY, name="Kementerian Uji")
    today = timezone.now().date()
    fields.setdefault("name", f"Program Uji {next(_numbers)}")
    fields.setdefault("starts_on", today - datetime.timedelta(days=30))
    fields.setdefault("ends_on", today + datetime.timedelta(days=150))
    fields.setdefault("kbli_sections", ["C"])
    fields.setdefault("sessions_required", 2)
    return Programme.objects.create(organisation=organisation, **fields)


def make_programme_area(*, programme=None, area=None, quota=100) -> ProgrammeArea:
    return ProgrammeArea.objects.create(
        programme=programme or make_programme(), area=area or make_area(), quota=quota
    )


def make_partner(*, name=None, region_code="") -> Organisation:
    return make_organisation(kind=Organisation.Kind.UNIVERSITY, region_code=region_code, name=name)


def make_partner_quota(*, programme_area=None, partner=None, quota=50) -> PartnerQuota:
    return PartnerQuota.objects.create(
        programme_area=programme_area or make_programme_area(),
        partner=partner or make_partner(),
        quota=quota,
    )


def make_cohort(
    *, programme_area=None, partner=None, village=DAYEUHKOLOT, capacity=30, quota=None, **fields
) -> Cohort:
    """A cohort with a partner quota for its partner in its area (``quota`` defaults to 50)."""
    programme_area = programme_area or make_programme_area()
    partner = partner or make_partner()
    PartnerQuota.objects.get_or_create(
        programme_area=programme_area,
        partner=partner,
        defaults={"quota": 50 if quota is None else quota},
    )
    today = timezone.now().date()
    fields.setdefault("name", f"Angkatan Uji {next(_numbers)}")
    fields.setdefault("mode", Cohort.Mode.OFFLINE)
    fields.setdefault("starts_on", today - datetime.timedelta(days=7))
    fields.setdefault("ends_on", today + datetime.timedelta(days=60))
    return Cohort.objects.create(
        programme=programme_area.programme,
        programme_area=programme_area,
        partner=partner,
        venue_village_id=village,
        capacity=capacity,
        **fields,
    )


def food_business(name="Keripik Singkong", village=DAYEUHKOLOT, *, scale="mikro", phone=""):
    """A food business (KBLI 10794, section C), the kind a food programme takes."""
    enterprise = make_enterprise(name, village=village, scale=scale, phone_masked=phone)
    EnterpriseKbli.objects.create(enterprise=enterprise, code="10794")
    return enterprise


def make_enrolment(cohort, enterprise, *, status=Enrolment.Status.ACTIVE) -> Enrolment:
    """An enrolment put straight into ``status`` (for tests that start from there)."""
    enrolment = Enrolment.objects.create(
        cohort=cohort, enterprise=enterprise, status=status, applied_at=timezone.now()
    )
    EnrolmentEvent.objects.create(
        enrolment=enrolment, from_status="", to_status=status, at=timezone.now()
    )
    return enrolment


def make_mentor(*, organisation=None, region_code="32.04", villages=(DAYEUHKOLOT,), **fields):
    organisation = organisation or make_partner()
    user = make_user(
        organisation=organisation, role=Membership.Role.MENTOR, region_code=region_code
    )
    mentor = Mentor.objects.create(
        user=user, organisation=organisation, region_code=region_code, **fields
    )
    mentor.villages.set(villages)
    return mentor


def assign(mentor, enterprise) -> Assignment:
    return Assignment.objects.create(
        mentor=mentor, enterprise=enterprise, assigned_at=timezone.now()
    )


def make_session(*, mentor, cohort=None, enterprise=None, starts_at=None, village=None, **fields):
    """A cohort session (``cohort``) or a one-to-one visit (``enterprise``), starting now."""
    fields.setdefault("title", f"Sesi Uji {next(_numbers)}")
    if village is None:
        village = cohort.venue_village_id if cohort else enterprise.village_id
    return Session.objects.create(
        mentor=mentor,
        cohort=cohort,
        enterprise=enterprise,
        starts_at=starts_at or timezone.now().replace(microsecond=0),
        village_id=village,
        **fields,
    )
