"""The demo: cases in every step, certificates (one near expiry), idempotent, deterministic."""

import pytest

from tumbuh.accounts import demo as accounts_demo
from tumbuh.conftest import NAMOSAIN, make_enterprise
from tumbuh.core.demodata import DemoReport
from tumbuh.licensing import demo, queries
from tumbuh.licensing.models import HalalCase, HalalCertificate, NibCase
from tumbuh.registry.models import Enterprise, Milestone

pytestmark = pytest.mark.django_db


def test_demo_fills_every_step_and_is_idempotent(national_admin):
    accounts_demo.load(seed=7, report=DemoReport())
    for number in range(16):
        make_enterprise(f"Usaha Jabar {number}", scale="mikro")
        make_enterprise(f"Usaha NTT {number}", village=NAMOSAIN)
    report = DemoReport()
    demo.load(seed=7, report=report)
    nib_steps = set(NibCase.objects.values_list("step", flat=True))
    halal_steps = set(HalalCase.objects.values_list("step", flat=True))
    assert nib_steps == set(NibCase.Step.values)
    assert halal_steps == set(HalalCase.Step.values)
    assert HalalCertificate.objects.count() == 8
    assert Milestone.objects.filter(kind=Milestone.Kind.HALAL_CERTIFIED).count() == 8
    assert Enterprise.objects.exclude(nib=None).count() == 22
    assert queries.expiring_certificates(national_admin).count() == 1
    assert {login.login for login in report.logins} == set(
        login for login, _name, _slug in demo.MENTORS.values()
    )
    counts = (NibCase.objects.count(), HalalCase.objects.count(), HalalCertificate.objects.count())
    steps = sorted(NibCase.objects.values_list("enterprise__name", "step"))
    demo.load(seed=7, report=DemoReport())
    assert (
        NibCase.objects.count(),
        HalalCase.objects.count(),
        HalalCertificate.objects.count(),
    ) == counts
    assert sorted(NibCase.objects.values_list("enterprise__name", "step")) == steps
    # Time in step is spread over past days, not all zero.
    assert any(
        queries.time_in_step(case).days > 0 for case in NibCase.objects.exclude(step="issued")
    )
