"""Licensing case times in the zone of the business's village (the server's zone is
Asia/Jakarta): the history, "in this step since", and "today" for a certificate's issue date."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tumbuh.conftest import DAYEUHKOLOT, SENTANI_KOTA, make_enterprise
from tumbuh.licensing import services
from tumbuh.licensing.models import HalalCase, NibCase
from tumbuh.licensing.tests.conftest import (
    halal_case_at,
    halal_ready_enterprise,
    mentor_in,
    nib_case_at,
)

pytestmark = pytest.mark.django_db

# 10 January 16.30 UTC: 23.30 WIB in Jakarta, already 01.30 WIT on 11 January in Jayapura.
LATE = datetime.datetime(2026, 1, 10, 16, 30, tzinfo=datetime.UTC)


def test_the_case_history_shows_the_businesss_hour(client_of, national_admin):
    case = nib_case_at(
        NibCase.Step.ACCOUNT,
        enterprise=make_enterprise("Noken Mama Yoku", village=SENTANI_KOTA),
        by=national_admin,
    )
    case.events.update(at=LATE)
    NibCase.objects.filter(pk=case.pk).update(step_entered_at=LATE)
    html = client_of(national_admin).get(case.get_absolute_url()).content.decode()
    assert '">11 Jan 2026 01:30 WIT</time>' in html
    assert "since 11 Jan 2026" in html


@pytest.mark.parametrize(("village", "accepted"), [(SENTANI_KOTA, True), (DAYEUHKOLOT, False)])
def test_an_issue_date_is_in_the_future_by_the_businesss_own_day(
    national_admin, monkeypatch, village, accepted
):
    enterprise = halal_ready_enterprise("Sagu Ibu Rosa", village=village)
    case = halal_case_at(
        HalalCase.Step.FATWA,
        enterprise=enterprise,
        by=national_admin,
        mentor=mentor_in(village[:2]),
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: LATE)
    number, issued, until = (
        "ID91110001234560126",
        datetime.date(2026, 1, 11),
        datetime.date(2030, 1, 11),
    )
    if accepted:
        # 11 January has begun in Jayapura, though not yet in Jakarta.
        certificate = services.issue_halal_certificate(
            case=case, number=number, issued_on=issued, valid_until=until, by=national_admin
        )
        assert certificate.issued_on == issued
    else:
        with pytest.raises(ValidationError, match="cannot be in the future"):
            services.issue_halal_certificate(
                case=case, number=number, issued_on=issued, valid_until=until, by=national_admin
            )
        case.refresh_from_db()
        assert case.step == HalalCase.Step.FATWA
