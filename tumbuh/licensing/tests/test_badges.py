"""The halal badge data the store and catalogue read: only issued, unexpired certificates."""

import datetime

import pytest

from tumbuh.conftest import make_enterprise
from tumbuh.licensing.badges import (
    HalalBadge,
    halal_certified_enterprise_ids,
    valid_halal_certificates,
)
from tumbuh.licensing.models import HalalCase
from tumbuh.licensing.tests.conftest import halal_case_at, halal_ready_enterprise
from tumbuh.registry.services import merge_enterprises

pytestmark = pytest.mark.django_db

ISSUED = datetime.date(2026, 1, 10)
EXPIRES = datetime.date(2030, 1, 10)


def test_badge_appears_only_after_issuance(officer_32, mentor_32):
    enterprise = halal_ready_enterprise()
    case = halal_case_at(
        HalalCase.Step.FATWA, enterprise=enterprise, by=officer_32, mentor=mentor_32
    )
    on = datetime.date(2026, 6, 1)
    assert valid_halal_certificates([enterprise.pk], on=on) == {enterprise.pk: []}
    assert enterprise.pk not in halal_certified_enterprise_ids(on=on)

    from tumbuh.licensing import services

    services.issue_halal_certificate(
        case=case,
        number="ID32110001234560126",
        issued_on=ISSUED,
        valid_until=EXPIRES,
        by=officer_32,
    )

    assert valid_halal_certificates([enterprise.pk], on=on) == {
        enterprise.pk: [
            HalalBadge(
                enterprise_id=enterprise.pk,
                certificate_number="ID32110001234560126",
                valid_until=EXPIRES,
                product_names=("Keripik Pisang",),
            )
        ]
    }
    assert halal_certified_enterprise_ids(on=on) == {enterprise.pk}


def test_expired_and_not_yet_issued_certificates_do_not_count(officer_32, mentor_32):
    enterprise = halal_ready_enterprise()
    halal_case_at(HalalCase.Step.ISSUED, enterprise=enterprise, by=officer_32, mentor=mentor_32)
    assert valid_halal_certificates([enterprise.pk], on=EXPIRES)[enterprise.pk]
    assert valid_halal_certificates([enterprise.pk], on=EXPIRES + datetime.timedelta(days=1)) == {
        enterprise.pk: []
    }
    assert valid_halal_certificates([enterprise.pk], on=ISSUED - datetime.timedelta(days=1)) == {
        enterprise.pk: []
    }
    assert halal_certified_enterprise_ids(on=EXPIRES + datetime.timedelta(days=1)) == set()


def test_certificate_of_a_merged_record_counts_for_the_survivor(officer_32, mentor_32):
    keeper = make_enterprise("Keripik Ani Jaya")
    dropped = halal_ready_enterprise()
    halal_case_at(HalalCase.Step.ISSUED, enterprise=dropped, by=officer_32, mentor=mentor_32)
    merge_enterprises(keep=keeper, drop=dropped, by=officer_32)
    on = datetime.date(2026, 6, 1)
    badges = valid_halal_certificates([keeper.pk], on=on)
    assert [badge.certificate_number for badge in badges[keeper.pk]] == ["ID32110001234560126"]
    assert badges[keeper.pk][0].enterprise_id == keeper.pk
    assert halal_certified_enterprise_ids(on=on) == {keeper.pk, dropped.pk}


def test_one_query_for_many_businesses(officer_32, mentor_32, query_count):
    enterprise = halal_ready_enterprise()
    halal_case_at(HalalCase.Step.ISSUED, enterprise=enterprise, by=officer_32, mentor=mentor_32)
    with query_count() as queries:
        valid_halal_certificates(range(1, 200), on=datetime.date(2026, 6, 1))
    assert len(queries) == 1
