"""Enrolment: eligibility, quotas (also under concurrency), the transition map, transfers."""

import threading

import pytest
from django.db import connection

from tumbuh.accounts.models import Membership
from tumbuh.conftest import NAMOSAIN, make_enterprise, make_owner, make_user
from tumbuh.core.refusals import Refused
from tumbuh.programmes import services
from tumbuh.programmes.models import (
    Enrolment,
    EnrolmentEvent,
    PartnerQuota,
    QuotaTransfer,
)
from tumbuh.programmes.services import enrol, transfer_quota, transition
from tumbuh.programmes.tests.builders import (
    food_business,
    make_cohort,
    make_enrolment,
    make_partner,
    make_programme_area,
)
from tumbuh.registry.models import EnterpriseKbli

pytestmark = pytest.mark.django_db

S = Enrolment.Status


def nothing_written(before: tuple) -> bool:
    return before == (Enrolment.objects.count(), EnrolmentEvent.objects.count())


def counts() -> tuple:
    return (Enrolment.objects.count(), EnrolmentEvent.objects.count())


# --- enrol ------------------------------------------------------------------------------------


def test_officer_enrols_an_eligible_business(cohort, officer_32):
    business = food_business()
    enrolment = enrol(cohort=cohort, enterprise=business, by=officer_32)
    assert enrolment.status == S.APPLIED
    assert enrolment.enrolled_by == officer_32
    assert list(enrolment.events.values_list("from_status", "to_status")) == [("", "applied")]


def test_enrol_with_accept_writes_two_events(cohort, officer_32):
    enrolment = enrol(cohort=cohort, enterprise=food_business(), by=officer_32, accept=True)
    assert enrolment.status == S.ACCEPTED
    assert list(enrolment.events.values_list("to_status", flat=True)) == ["applied", "accepted"]


@pytest.mark.parametrize(
    ("kbli", "scale", "reason"),
    [
        ("47111", "mikro", "not_eligible_kbli"),  # retail trade, section G
        (None, "mikro", "not_eligible_kbli"),
        ("10794", "menengah", "not_eligible_scale"),
    ],
)
def test_ineligible_business_is_refused_with_the_reason(
    programme, cohort, officer_32, kbli, scale, reason
):
    programme.scales = ["mikro", "kecil"]
    programme.save()
    business = make_enterprise("Toko Kelontong", scale=scale)
    if kbli:
        EnterpriseKbli.objects.create(enterprise=business, code=kbli)
    before = counts()
    with pytest.raises(Refused) as refused:
        enrol(cohort=cohort, enterprise=business, by=officer_32)
    assert refused.value.reason == reason
    assert nothing_written(before)


def test_business_outside_the_area_is_refused(cohort, national_admin):
    business = food_business("Ikan Asap Kupang", village=NAMOSAIN)
    with pytest.raises(Refused) as refused:
        enrol(cohort=cohort, enterprise=business, by=national_admin)
    assert refused.value.reason == "outside_area"
    assert Enrolment.objects.count() == 0


def test_twice_in_one_cohort_is_refused(cohort, officer_32):
    business = food_business()
    enrol(cohort=cohort, enterprise=business, by=officer_32)
    before = counts()
    with pytest.raises(Refused) as refused:
        enrol(cohort=cohort, enterprise=business, by=officer_32)
    assert refused.value.reason == "already_enrolled"
    assert nothing_written(before)


def test_second_cohort_of_the_same_programme_is_refused(programme_area, cohort, officer_32):
    business = food_business()
    enrol(cohort=cohort, enterprise=business, by=officer_32)
    other = make_cohort(programme_area=programme_area)
    with pytest.raises(Refused) as refused:
        enrol(cohort=other, enterprise=business, by=officer_32)
    assert refused.value.reason == "already_in_programme"


def test_officer_of_another_province_may_not_enrol(cohort, officer_53):
    with pytest.raises(Refused) as refused:
        enrol(cohort=cohort, enterprise=food_business(), by=officer_53)
    assert refused.value.reason == "outside_partner_scope"
    assert Enrolment.objects.count() == 0


def test_partner_staff_enrol_only_into_their_own_cohorts(programme_area, cohort, partner):
    own_staff = make_user(organisation=partner, role=Membership.Role.OFFICER)
    other_partner = make_partner(name="Komunitas Lain")
    other_staff = make_user(organisation=other_partner, role=Membership.Role.OFFICER)
    enrol(cohort=cohort, enterprise=food_business(), by=own_staff)
    with pytest.raises(Refused) as refused:
        enrol(cohort=cohort, enterprise=food_business("Lain"), by=other_staff)
    assert refused.value.reason == "outside_partner_scope"


def test_owner_may_apply_but_not_accept_themselves(cohort):
    business = food_business()
    owner = make_owner(business)
    with pytest.raises(Refused):
        enrol(cohort=cohort, enterprise=business, by=owner, accept=True)
    enrolment = enrol(cohort=cohort, enterprise=business, by=owner)
    assert enrolment.status == S.APPLIED


def test_merged_record_enrols_the_surviving_business(cohort, officer_32):
    keeper = food_business("Keripik Bu Sari")
    duplicate = make_enterprise("Keripik Ibu Sari", merged_into=keeper)
    enrolment = enrol(cohort=cohort, enterprise=duplicate, by=officer_32)
    assert enrolment.enterprise == keeper


@pytest.mark.parametrize(
    ("area_quota", "partner_quota", "capacity", "reason"),
    [
        (2, 2, 10, "area_quota_full"),
        (10, 2, 10, "partner_quota_full"),
        (10, 10, 2, "cohort_full"),
    ],
)
def test_past_quota_or_capacity_is_refused(officer_32, area_quota, partner_quota, capacity, reason):
    programme_area = make_programme_area(quota=area_quota)
    cohort = make_cohort(programme_area=programme_area, quota=partner_quota, capacity=capacity)
    enrol(cohort=cohort, enterprise=food_business("Satu"), by=officer_32)
    enrol(cohort=cohort, enterprise=food_business("Dua"), by=officer_32)
    before = counts()
    with pytest.raises(Refused) as refused:
        enrol(cohort=cohort, enterprise=food_business("Tiga"), by=officer_32)
    assert refused.value.reason == reason
    assert nothing_written(before)


def test_withdrawn_enrolment_frees_its_place(officer_32):
    programme_area = make_programme_area(quota=1)
    cohort = make_cohort(programme_area=programme_area, quota=1)
    first = enrol(cohort=cohort, enterprise=food_business("Satu"), by=officer_32)
    transition(enrolment=first, to=S.WITHDRAWN, by=officer_32, reason="Pindah kota")
    enrol(cohort=cohort, enterprise=food_business("Dua"), by=officer_32)
    assert services.places_used(programme_area=programme_area) == 1


# --- the transition map -----------------------------------------------------------------------


ALLOWED = {
    (S.APPLIED, S.ACCEPTED),
    (S.APPLIED, S.REJECTED),
    (S.APPLIED, S.WITHDRAWN),
    (S.ACCEPTED, S.ACTIVE),
    (S.ACCEPTED, S.WITHDRAWN),
    (S.ACTIVE, S.COMPLETED),
    (S.ACTIVE, S.WITHDRAWN),
}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transition_map(cohort, business, officer_32, source, target):
    enrolment = make_enrolment(cohort, business, status=source)
    events = EnrolmentEvent.objects.count()
    if (source, target) in ALLOWED:
        transition(enrolment=enrolment, to=target, by=officer_32, reason="uji")
        enrolment.refresh_from_db()
        assert enrolment.status == target
        event = enrolment.events.last()
        assert (event.from_status, event.to_status, event.by, event.reason) == (
            source,
            target,
            officer_32,
            "uji",
        )
    else:
        with pytest.raises(Refused) as refused:
            transition(enrolment=enrolment, to=target, by=officer_32)
        assert refused.value.reason == "transition_not_allowed"
        enrolment.refresh_from_db()
        assert enrolment.status == source
        assert EnrolmentEvent.objects.count() == events


def test_stale_transition_loses_to_the_first(cohort, business, officer_32):
    enrolment = make_enrolment(cohort, business, status=S.APPLIED)
    stale = Enrolment.objects.get(pk=enrolment.pk)
    transition(enrolment=enrolment, to=S.ACCEPTED, by=officer_32)
    with pytest.raises(Refused) as refused:
        transition(enrolment=stale, to=S.REJECTED, by=officer_32, reason="dobel")
    assert refused.value.reason == "changed_meanwhile"
    assert Enrolment.objects.get(pk=enrolment.pk).status == S.ACCEPTED


def test_review_needs_a_reason_to_reject_and_cannot_complete(cohort, business, officer_32):
    enrolment = make_enrolment(cohort, business, status=S.APPLIED)
    with pytest.raises(Refused) as refused:
        services.decide_enrolment(enrolment=enrolment, to=S.REJECTED, by=officer_32)
    assert refused.value.reason == "reason_required"
    with pytest.raises(Refused) as refused:
        services.decide_enrolment(enrolment=enrolment, to=S.COMPLETED, by=officer_32)
    assert refused.value.reason == "completion_is_earned"
    assert Enrolment.objects.get(pk=enrolment.pk).status == S.APPLIED


# --- quota transfers --------------------------------------------------------------------------


def test_ministry_moves_unused_quota_with_a_record(programme_area, cohort, partner, national_admin):
    receiver = make_partner(name="Bank Mitra")
    enrol(cohort=cohort, enterprise=food_business(), by=national_admin)  # 1 of 50 used
    transfer = transfer_quota(
        programme_area=programme_area,
        from_partner=partner,
        to_partner=receiver,
        amount=49,
        reason="Mitra tidak aktif di kawasan ini",
        by=national_admin,
    )
    assert transfer.amount == 49
    shares = dict(
        PartnerQuota.objects.filter(programme_area=programme_area).values_list("partner", "quota")
    )
    assert shares == {partner.pk: 1, receiver.pk: 49}


def test_used_quota_cannot_be_moved(programme_area, cohort, partner, national_admin):
    enrol(cohort=cohort, enterprise=food_business(), by=national_admin)
    with pytest.raises(Refused) as refused:
        transfer_quota(
            programme_area=programme_area,
            from_partner=partner,
            to_partner=make_partner(),
            amount=50,
            reason="semua",
            by=national_admin,
        )
    assert refused.value.reason == "quota_in_use"
    assert PartnerQuota.objects.get(partner=partner).quota == 50
    assert QuotaTransfer.objects.count() == 0


def test_regional_officer_may_not_move_quota(programme_area, cohort, partner, officer_32):
    with pytest.raises(Refused) as refused:
        transfer_quota(
            programme_area=programme_area,
            from_partner=partner,
            to_partner=make_partner(),
            amount=1,
            reason="coba",
            by=officer_32,
        )
    assert refused.value.reason == "not_allowed"
    assert QuotaTransfer.objects.count() == 0


# --- concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers with immediate transactions; row locks need PostgreSQL",
)
def test_concurrent_enrolments_never_pass_the_quota(regions_after_flush):
    from tumbuh.accounts.models import Organisation
    from tumbuh.conftest import make_organisation

    ministry = make_organisation(kind=Organisation.Kind.MINISTRY, name="Kementerian")
    admin = make_user(organisation=ministry, role=Membership.Role.ADMIN)
    programme_area = make_programme_area(quota=100)
    cohort = make_cohort(programme_area=programme_area, quota=5, capacity=100)
    businesses = [food_business(f"Usaha {n}") for n in range(16)]
    barrier = threading.Barrier(len(businesses))
    outcomes = []

    def attempt(business):
        try:
            barrier.wait(timeout=10)
            enrol(cohort=cohort, enterprise=business, by=admin)
            outcomes.append("enrolled")
        except Refused as error:
            outcomes.append(error.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(b,)) for b in businesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["enrolled"] * 5 + ["partner_quota_full"] * 11
    assert Enrolment.objects.filter(cohort=cohort).count() == 5
