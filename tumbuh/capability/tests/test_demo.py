"""The capability demo: deterministic, idempotent, with an owner login that works."""

from django.contrib.auth import authenticate
from django.test import RequestFactory

from tumbuh.capability import demo
from tumbuh.capability.models import Answer, Assessment, Instrument
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.core.demodata import DemoReport, demo_password
from tumbuh.registry.models import Milestone
from tumbuh.registry.services import enterprises_of


def test_demo_assesses_businesses_once_and_links_an_owner(db):
    for number in range(30):
        make_enterprise(f"Usaha {number}", village=DAYEUHKOLOT if number % 2 else NAMOSAIN)
    report = DemoReport()
    demo.load(seed=7, report=report)
    counts = (Assessment.objects.count(), Answer.objects.count(), Instrument.objects.count())
    levels = sorted(Assessment.objects.values_list("enterprise_id", "level", "client_id"))
    assert counts[0] > 5
    assert Milestone.objects.filter(kind="assessed").count() == len({row[0] for row in levels})
    again = DemoReport()
    demo.load(seed=7, report=again)
    assert (
        Assessment.objects.count(),
        Answer.objects.count(),
        Instrument.objects.count(),
    ) == counts
    assert sorted(Assessment.objects.values_list("enterprise_id", "level", "client_id")) == levels
    [login] = report.logins
    assert login.login == demo.OWNER_LOGIN
    assert login.password == demo_password(demo.OWNER_LOGIN, 7)
    owner = authenticate(
        RequestFactory().post("/masuk/"), username=login.login, password=login.password
    )
    [business] = enterprises_of(owner)
    assert business.village_id.startswith("32.")
    assert Assessment.objects.filter(enterprise=business).count() == 2
    assert any(line.startswith("capability: instrument v1 (18 questions)") for line in report.lines)
