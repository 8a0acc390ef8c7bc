"""A partner's reach: the businesses it brought, serves or mentors, never its whole region.

``accounts.scoping.Reach`` asks the apps above (``settings.PARTNER_BUSINESSES``) which businesses
a partner brought (its import rows), serves (enrolled in its cohorts) or mentors (its mentors'
active caseloads). The ministry and the regional offices keep their regions. The whole matrix
of pages is walked in ``test_permission_matrix.py``; this module checks each source alone.
"""

import pytest

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation
from tumbuh.accounts.scoping import NATIONAL, NO_REACH, RegionScope, reach_for, scoped_businesses
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise, make_organisation, make_user
from tumbuh.registry import queries as registry_queries
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import Enterprise
from tumbuh.registry.tests.console_helpers import import_rows, partner, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketplace():
    return partner("", name="Pasar Nasional")


@pytest.fixture
def staff(marketplace):
    """The marketplace's administrator, national scope (as in the review's finding)."""
    return make_user(organisation=marketplace, role=Membership.Role.ADMIN)


def registry_names(actor) -> list[str]:
    return [enterprise.name for enterprise in registry_queries.registry_enterprises(actor)]


def test_a_partner_sees_what_it_brought_not_its_region(tmp_path, marketplace, staff, officer_32):
    import_rows(tmp_path, marketplace, [row("Warung Sendiri")], name="sendiri.csv")
    import_rows(tmp_path, partner("32"), [row("Warung Tetangga")], name="tetangga.csv")
    make_enterprise("Usaha Survei Desa")

    assert registry_names(staff) == ["Warung Sendiri"]
    assert registry_names(officer_32) == ["Usaha Survei Desa", "Warung Sendiri", "Warung Tetangga"]


def test_a_partner_sees_what_it_serves_and_mentors(marketplace, staff):
    from tumbuh.programmes.models import Assignment
    from tumbuh.programmes.tests.builders import assign, make_cohort, make_enrolment, make_mentor

    enrolled = make_enterprise("Peserta Angkatan")
    mentored = make_enterprise("Binaan Pendamping")
    ended = make_enterprise("Binaan Lama")
    neither = make_enterprise("Usaha Lain")
    make_enrolment(make_cohort(partner=marketplace), enrolled)
    mentor = make_mentor(organisation=marketplace)
    assign(mentor, mentored)
    assign(mentor, ended)
    Assignment.objects.filter(enterprise=ended).update(is_active=False)  # the caseload ended

    assert registry_names(staff) == ["Binaan Pendamping", "Peserta Angkatan"]
    assert neither.name not in registry_names(staff)


def test_with_no_source_listed_a_partner_sees_no_business(
    tmp_path, settings, marketplace, staff, officer_32
):
    import_rows(tmp_path, marketplace, [row("Warung Sendiri")], name="sendiri.csv")
    settings.PARTNER_BUSINESSES = []

    assert registry_names(staff) == []
    assert registry_names(officer_32) == ["Warung Sendiri"]


def test_a_partner_membership_of_one_province_sees_its_businesses_there(tmp_path, marketplace):
    import_rows(
        tmp_path,
        marketplace,
        [row("Warung Bandung"), row("Kios Kupang", village=NAMOSAIN)],
        name="dua.csv",
    )
    staff_32 = make_user(organisation=marketplace, role=Membership.Role.OFFICER, region_code="32")

    assert registry_names(staff_32) == ["Warung Bandung"]


def test_a_merged_business_stays_with_the_partner_that_brought_it(tmp_path, marketplace, staff):
    import_rows(tmp_path, marketplace, [row("Warung Sari")], name="sendiri.csv")
    import_rows(tmp_path, partner("32"), [row("Warung Sari Asli")], name="lain.csv")
    own, other = (Enterprise.objects.get(name=name) for name in ("Warung Sari", "Warung Sari Asli"))
    registry_services.merge_enterprises(keep=other, drop=own, by=system_actor())

    # Its row moved to the survivor, which it now sees; its first record too (for the undo).
    assert registry_names(staff) == ["Warung Sari Asli"]
    assert registry_queries.visible_enterprise(staff, own.public_id) is not None


def test_government_and_partner_memberships_add_up(tmp_path, marketplace, office_53):
    import_rows(tmp_path, marketplace, [row("Warung Sendiri")], name="sendiri.csv")
    make_enterprise("Kios Kupang", village=NAMOSAIN)
    make_enterprise("Usaha Bandung", village=DAYEUHKOLOT)
    person = make_user(organisation=marketplace, role=Membership.Role.OFFICER)
    account_services.grant_membership(
        user=person, organisation=office_53, role="officer", by=system_actor()
    )

    assert registry_names(person) == ["Kios Kupang", "Warung Sendiri"]
    reach = reach_for(person)
    assert reach.regions == RegionScope(frozenset({"53"}))
    assert reach.partners == ((marketplace.pk, NATIONAL),)


def test_reach_of_keys_superusers_and_nobody(marketplace, office_53):
    from django.contrib.auth.models import AnonymousUser

    key, _secret = account_services.issue_api_key(
        organisation=marketplace, label="crm", by=system_actor()
    )
    office_key, _secret = account_services.issue_api_key(
        organisation=office_53, label="dinas", by=system_actor()
    )
    assert reach_for(key).regions.is_empty and reach_for(key).organisation_ids == {marketplace.pk}
    assert reach_for(office_key).regions == RegionScope(frozenset({"53"}))
    assert reach_for(key, roles={"mentor"}) == NO_REACH
    assert reach_for(make_user(is_superuser=True)).is_national
    assert reach_for(AnonymousUser()) == NO_REACH
    account_services.revoke_api_key(api_key=key, by=system_actor())
    assert reach_for(key) == NO_REACH


def test_a_bumdes_is_not_a_regional_office():
    bumdes = make_organisation(kind=Organisation.Kind.BUMDES, region_code="32.04")
    manager = make_user(organisation=bumdes, role=Membership.Role.ADMIN)
    make_enterprise("Usaha Desa Tetangga")

    assert registry_names(manager) == []
    assert scoped_businesses(Enterprise.objects.all(), manager, enterprise="pk").count() == 0
