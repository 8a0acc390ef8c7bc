"""The supply demo on the demo registry of the test provinces: chains in at least three priority
areas, orders in every status with their documents, links of every basis, logins that sign in;
a second run adds nothing."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from tumbuh.accounts import demo as accounts_demo
from tumbuh.core.demodata import DemoReport, demo_password
from tumbuh.core.models import AuditEvent
from tumbuh.programmes import demo as programmes_demo
from tumbuh.registry import demo as registry_demo
from tumbuh.registry.services import enterprises_of
from tumbuh.supply import demo
from tumbuh.supply.models import (
    Collection,
    DeliveryNote,
    Invoice,
    Match,
    Offer,
    SupplyLink,
    SupplyOrder,
    SupplyOrderEvent,
    SupplyRequest,
)

pytestmark = pytest.mark.django_db


def _counts():
    return [
        model.objects.count()
        for model in (
            Offer,
            SupplyRequest,
            Match,
            Collection,
            SupplyLink,
            SupplyOrder,
            SupplyOrderEvent,
            DeliveryNote,
            Invoice,
            AuditEvent,
        )
    ]


def test_the_demo_builds_chains_in_three_areas_once():
    for module in (accounts_demo, registry_demo, programmes_demo):
        module.load(seed=7, report=DemoReport())
    report = DemoReport()
    demo.load(seed=7, report=report)

    chains = demo.plan_chains(7)
    assert len(chains) >= 3
    assert len({chain.area.pk for chain in chains}) == len(chains)
    for chain in chains:
        regencies = set(chain.area.members.values_list("regency_id", flat=True))
        assert {e.village_id[:5] for e in [chain.bumdes, *chain.growers, *chain.processors]} <= (
            regencies
        )
        assert Offer.objects.filter(supplier=chain.growers[0], description=demo.OFFER_NOTE).exists()
        assert SupplyOrder.objects.filter(buyer=chain.processors[0], status="completed").exists()
        assert SupplyRequest.objects.filter(buyer=chain.processors[0]).exists()
    assert Collection.objects.filter(collector__in=[c.bumdes for c in chains]).exists()
    assert Collection.objects.filter(paid_at=None).exists()
    assert Collection.objects.exclude(paid_at=None).exists()
    assert Match.objects.exists()

    assert set(SupplyOrder.objects.values_list("status", flat=True)) == set(
        SupplyOrder.Status.values
    )
    assert set(SupplyLink.objects.values_list("basis", flat=True)) == set(SupplyLink.Basis.values)
    assert set(Invoice.objects.values_list("status", flat=True)) == {"issued", "paid"}
    assert DeliveryNote.objects.exclude(received_at=None).exists()
    for order in SupplyOrder.objects.filter(status="completed"):
        assert order.paid_idr == order.total_idr > 0
        assert not order.delivery_notes.filter(received_at=None).exists()

    first = chains[0]
    logins = {login.login: login for login in report.logins}
    for role, enterprise in (
        ("grower", first.growers[0]),
        ("processor", first.processors[0]),
        ("bumdes", first.bumdes),
    ):
        login = logins[demo.LOGINS[role][0]]
        assert login.password == demo_password(login.login, 7)
        user = authenticate(
            RequestFactory().post("/masuk/"), username=login.login, password=login.password
        )
        assert enterprise in enterprises_of(user)
    assert any(line.startswith("supply: chains in") for line in report.lines)

    counts = _counts()
    again = DemoReport()
    demo.load(seed=7, report=again)
    assert _counts() == counts
    assert [login.login for login in again.logins] == [login.login for login in report.logins]
