"""A mentor administers capability assessments only for the businesses of their caseload."""

import pytest

from tumbuh.capability.queries import may_assess
from tumbuh.conftest import make_enterprise
from tumbuh.programmes.tests.builders import assign

pytestmark = pytest.mark.django_db


def test_mentor_assesses_their_caseload_only(mentor, business):
    stranger = make_enterprise("Usaha Lain")
    assert not may_assess(mentor.user, business)
    assign(mentor, business)
    assert may_assess(mentor.user, business)
    assert not may_assess(mentor.user, stranger)
