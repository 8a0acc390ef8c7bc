"""Any sequence of requested transitions follows the map: refused ones change nothing, allowed
ones leave exactly one event each, and the events replay to the final status."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumbuh.conftest import make_enterprise
from tumbuh.core.refusals import Refused
from tumbuh.programmes.models import Enrolment, EnrolmentEvent
from tumbuh.programmes.services import transition
from tumbuh.programmes.tests.builders import make_cohort, make_enrolment

pytestmark = pytest.mark.django_db

S = Enrolment.Status


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(requests=st.lists(st.sampled_from(list(S)), max_size=8))
def test_any_sequence_follows_the_map(officer_32, requests):
    cohort = make_cohort()
    enrolment = make_enrolment(cohort, make_enterprise("Usaha Acak"), status=S.APPLIED)
    expected = S.APPLIED
    allowed = 0
    for target in requests:
        if target in Enrolment.TRANSITIONS[expected]:
            transition(enrolment=enrolment, to=target, by=officer_32)
            expected = target
            allowed += 1
        else:
            with pytest.raises(Refused):
                transition(enrolment=enrolment, to=target, by=officer_32)
    enrolment.refresh_from_db()
    assert enrolment.status == expected
    events = list(EnrolmentEvent.objects.filter(enrolment=enrolment).order_by("at", "pk"))
    assert len(events) == allowed + 1  # plus the creation event
    for before, after in itertools.pairwise(events):
        assert after.from_status == before.to_status
        assert after.to_status in Enrolment.TRANSITIONS[before.to_status]
    assert events[-1].to_status == expected
