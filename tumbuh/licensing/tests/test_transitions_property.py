"""Random sequences of requested steps: a case only ever moves along its transition map, one
event per move, and a refused request changes nothing."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumbuh.conftest import make_enterprise
from tumbuh.licensing import services
from tumbuh.licensing.models import NibCase
from tumbuh.licensing.tests.conftest import APPLICANT_DATA, BUSINESS_DATA

pytestmark = pytest.mark.django_db

Step = NibCase.Step
# Valid data for leaving each step, so that only the transition rules can refuse.
LEAVING = {
    Step.ACCOUNT: {"applicant": APPLICANT_DATA},
    Step.BUSINESS: {"business": BUSINESS_DATA},
    Step.KBLI: {"kbli_codes": ["10794"]},
}
NIBS = iter(f"91200{number:08d}" for number in range(10**8))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests=st.lists(st.sampled_from(Step.values), min_size=1, max_size=8))
def test_nib_case_moves_only_along_the_map(officer_32, requests):
    case = services.start_nib_case(enterprise=make_enterprise(), by=officer_32)
    moves = 0
    for to_step in requests:
        before = case.step
        data = {**LEAVING.get(before, {}), "nib": next(NIBS)}
        try:
            case = services.advance_nib_case(case=case, to=to_step, by=officer_32, **data)
        except ValidationError:
            case.refresh_from_db()
            assert case.step == before
            assert to_step not in NibCase.TRANSITIONS[before]
            continue
        if to_step == before:
            assert case.step == before  # repeating is harmless
            continue
        assert to_step in NibCase.TRANSITIONS[before]
        assert case.step == to_step
        moves += 1
    assert case.events.count() == moves + 1
    steps = list(case.events.values_list("from_step", "to_step"))
    for (_from, to), (next_from, _to) in itertools.pairwise(steps):
        assert to == next_from
