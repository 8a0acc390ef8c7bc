"""The demo loads every app's demo data, twice without duplicating anything."""

import pytest
from django.contrib.auth import authenticate

from tumbuh.accounts.models import Membership, Organisation, User
from tumbuh.core.demodata import demo_modules, demo_password, load_all
from tumbuh.core.models import AuditEvent


@pytest.mark.django_db
def test_demo_is_idempotent_and_its_logins_work():
    first = load_all(seed=7)
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    events = AuditEvent.objects.count()
    second = load_all(seed=7)
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == events
    assert [login.login for login in first.logins] == [login.login for login in second.logins]
    assert len({login.login for login in first.logins}) == len(first.logins)
    assert counts[0] >= len(first.logins) > 0
    for login in first.logins:
        assert login.password == demo_password(login.login, 7)
        assert authenticate(username=login.login, password=login.password) is not None


@pytest.mark.django_db
def test_demo_has_a_person_for_each_role():
    load_all(seed=7)
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)


def test_demo_modules_run_in_dependency_order():
    names = [module.__name__ for module in demo_modules()]
    assert names[0] == "tumbuh.accounts.demo"


def test_demo_passwords_depend_on_the_seed_and_the_login():
    assert demo_password("a@example.id", 1) != demo_password("a@example.id", 2)
    assert demo_password("a@example.id", 1) != demo_password("b@example.id", 1)
    assert demo_password("a@example.id", 1) == demo_password("a@example.id", 1)
