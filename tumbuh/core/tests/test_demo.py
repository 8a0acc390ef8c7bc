"""The demo loads every app's demo data, twice without duplicating anything."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from tumbuh.accounts.models import Membership, Organisation, User
from tumbuh.core.demodata import demo_modules, demo_password, load_all
from tumbuh.core.models import AuditEvent


@pytest.mark.django_db
def test_demo_is_idempotent_its_logins_work_and_its_outcomes_are_real():
    """One test for the whole demo (it takes a while): loaded twice, nothing is duplicated,
    every role has a person, every printed login signs in, every milestone has its fact."""
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
        assert (
            authenticate(
                RequestFactory().post("/masuk/"), username=login.login, password=login.password
            )
            is not None
        )
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)
    assert_milestones_agree_with_their_records()


def assert_milestones_agree_with_their_records():
    """The demo writes no outcome by hand: each milestone is there because its fact is."""
    from tumbuh.capability.models import Assessment
    from tumbuh.licensing.models import HalalCertificate
    from tumbuh.programmes.models import Certificate, Enrolment
    from tumbuh.registry.models import Enterprise, Milestone
    from tumbuh.stores.models import Order, Store

    def reached(kind):
        return set(Milestone.objects.filter(kind=kind).values_list("enterprise_id", flat=True))

    businesses = Enterprise.objects.deduplicated()
    paid = Order.objects.exclude(paid_at=None)
    assert reached("registered") == set(businesses.values_list("pk", flat=True))
    assert reached("store_live") == set(
        Store.objects.filter(status="live").values_list("enterprise_id", flat=True)
    )
    assert reached("first_online_sale") == set(paid.values_list("store__enterprise_id", flat=True))
    assert reached("paid_digitally") == set(
        paid.filter(payment_method__in=Order.DIGITAL_METHODS).values_list(
            "store__enterprise_id", flat=True
        )
    )
    completed = Enrolment.objects.filter(status="completed")
    assert reached("trained") == set(completed.values_list("enterprise_id", flat=True))
    assert Certificate.objects.count() == completed.count() > 0
    assert reached("nib_issued") == set(
        businesses.exclude(nib=None).exclude(nib="").values_list("pk", flat=True)
    )
    assert reached("halal_certified") == set(
        HalalCertificate.objects.values_list("enterprise_id", flat=True)
    )
    assert reached("assessed") == set(Assessment.objects.values_list("enterprise_id", flat=True))


def test_demo_modules_run_in_dependency_order():
    names = [module.__name__ for module in demo_modules()]
    assert names[0] == "tumbuh.accounts.demo"


def test_demo_passwords_depend_on_the_seed_and_the_login():
    assert demo_password("a@example.id", 1) != demo_password("a@example.id", 2)
    assert demo_password("a@example.id", 1) != demo_password("b@example.id", 1)
    assert demo_password("a@example.id", 1) == demo_password("a@example.id", 1)


def test_tumbuh_demo_is_the_project_level_demo_command(capsys):
    """``tumbuh demo`` reaches tumbuh/demo.py (not a command of an app) with Django's parsing."""
    from tumbuh import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["tumbuh", "demo", "--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out
    assert usage.startswith(
        "usage: tumbuh demo [-h] [--no-serve] [--seed SEED] [--report REPORT_PATH]"
    )
    assert "Set up the database, load the real regions and every app's demo data" in usage
    with pytest.raises(SystemExit) as exited:
        cli.main(["tumbuh", "demo", "--seed", "not-a-number"])
    assert exited.value.code == 2
    assert "argument --seed: invalid int value: 'not-a-number'" in capsys.readouterr().err
