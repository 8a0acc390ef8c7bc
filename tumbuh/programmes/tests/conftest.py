"""Fixtures of the programmes tests: a programme in a Jawa Barat area with a cohort and mentor."""

import pytest

from tumbuh.conftest import make_enterprise
from tumbuh.programmes.tests.builders import (
    make_cohort,
    make_mentor,
    make_partner,
    make_programme_area,
    make_session,
)


@pytest.fixture
def partner(db):
    return make_partner(name="Universitas Pelatih")


@pytest.fixture
def programme_area(db):
    return make_programme_area(quota=100)


@pytest.fixture
def programme(programme_area):
    return programme_area.programme


@pytest.fixture
def cohort(programme_area, partner):
    return make_cohort(programme_area=programme_area, partner=partner)


@pytest.fixture
def mentor(partner):
    return make_mentor(organisation=partner)


@pytest.fixture
def session(mentor, cohort):
    """A session of the cohort, led by its mentor, starting now."""
    return make_session(mentor=mentor, cohort=cohort)


@pytest.fixture
def business(db):
    return make_enterprise("Keripik Tempe Bu Sari", scale="mikro")
