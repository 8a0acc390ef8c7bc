"""The catalogue demo: a running campaign over listed products, idempotent."""

import pytest

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.catalogue import demo
from tumbuh.catalogue.models import Campaign
from tumbuh.catalogue.tests.conftest import make_product, village_3t
from tumbuh.conftest import make_organisation, make_store, make_user
from tumbuh.core.demodata import DemoReport

pytestmark = pytest.mark.django_db


def test_demo_campaign_runs_and_rerun_adds_nothing():
    ministry = make_organisation(
        kind=Organisation.Kind.MINISTRY, region_code="", name="Kementerian (demo)"
    )
    make_user(organisation=ministry, role=Membership.Role.ADMIN, email=demo.ADMIN_LOGIN)
    remote = make_store(
        "BumDes Pelosok", village=village_3t("53"), kind="bumdes", opening_product=False
    )
    city = make_store("Toko Kota", opening_product=False)
    for number in range(20):
        make_product(remote, f"Tenun {number}")
        make_product(city, f"Kopi {number}")
    demo.load(seed=7, report=DemoReport())
    campaign = Campaign.objects.get(slug=demo.SLUG)
    assert campaign.is_running()
    chosen = list(campaign.products.order_by("pk"))
    assert len(chosen) == demo.PRODUCTS
    assert sum(product.store == remote for product in chosen) == 20  # 3T origins first
    report = DemoReport()
    demo.load(seed=7, report=report)
    assert Campaign.objects.count() == 1
    assert list(campaign.products.order_by("pk")) == chosen
    assert ("/bbi/", "Katalog Bangga Buatan Indonesia (Gernas BBI)") in report.links
