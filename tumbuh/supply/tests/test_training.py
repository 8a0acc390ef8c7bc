"""Training along the chain: a cohort enrols a processor's suppliers through the programmes app's
own enrolment, which enrols some and refuses others with their reasons; the console page."""

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_user
from tumbuh.core.refusals import Refused
from tumbuh.programmes.models import Enrolment
from tumbuh.programmes.tests.builders import (
    make_area,
    make_cohort,
    make_partner,
    make_programme,
    make_programme_area,
)
from tumbuh.registry.models import EnterpriseKbli
from tumbuh.supply.services import links, training
from tumbuh.supply.tests.builders import NAMOSAIN

pytestmark = pytest.mark.django_db


def supplier(name, village=DAYEUHKOLOT, kbli=""):
    enterprise = make_enterprise(name, village=village)
    if kbli:
        EnterpriseKbli.objects.create(enterprise=enterprise, code=kbli)
    return enterprise


@pytest.fixture
def setting():
    """A keripik maker in Kab. Bandung with three suppliers (a cassava grower of KBLI section A,
    a producer with no KBLI, a grower in Kupang) and one buyer; an agriculture programme's
    cohort in a Kab. Bandung area."""
    maker = make_enterprise("Keripik Bu Sari", village=DAYEUHKOLOT)
    grower = supplier("Tani Singkong Makmur", kbli="01135")
    producer = supplier("Tani Pak Ujang")
    far = supplier("Tani Kupang", village=NAMOSAIN, kbli="01135")
    reseller = make_enterprise("Toko Oleh-oleh Rasa")
    for seller, buyer in ((grower, maker), (producer, maker), (far, maker), (maker, reseller)):
        links.declare_link(
            supplier=seller, buyer=buyer, commodity="Singkong", side=buyer, by=system_actor()
        )
    programme = make_programme(kbli_sections=["A"], name="Petani Digital")
    area = make_area(regencies=("32.04",), name="Kawasan Bandung Selatan")
    cohort = make_cohort(
        programme_area=make_programme_area(programme=programme, area=area),
        partner=make_partner(name="Universitas Pelatih"),
        name="Angkatan Singkong",
    )
    return {"maker": maker, "grower": grower, "producer": producer, "far": far,
            "reseller": reseller, "cohort": cohort}  # fmt: skip


def test_suppliers_are_enrolled_through_the_programmes_service(setting, national_admin):
    outcome = training.enrol_suppliers(
        cohort=setting["cohort"], processor=setting["maker"], by=national_admin
    )
    assert [(s.name, status) for s, _e, status in outcome.enrolled] == [
        ("Tani Singkong Makmur", "applied")
    ]
    assert [(s.name, reason) for s, reason, _d in outcome.refused] == [
        ("Tani Kupang", "outside_area"),
        ("Tani Pak Ujang", "not_eligible_kbli"),
    ]
    enrolled = Enrolment.objects.filter(cohort=setting["cohort"])
    assert [e.enterprise_id for e in enrolled] == [setting["grower"].pk]
    assert enrolled.get().public_id == outcome.enrolled[0][1]


def test_someone_who_may_not_run_the_cohort_is_refused_and_nothing_is_enrolled(setting):
    other_partner = make_user(organisation=make_partner(), role=Membership.Role.ADMIN)
    with pytest.raises(Refused) as refused:
        training.enrol_suppliers(
            cohort=setting["cohort"], processor=setting["maker"], by=other_partner
        )
    assert refused.value.code == "outside_partner_scope"
    assert not Enrolment.objects.exists()


def test_the_console_page_lists_suppliers_and_buyers_and_enrols(client_of, national_admin, setting):
    client = client_of(national_admin)
    url = reverse("supply:console-business", args=[setting["maker"].public_id])
    page = client.get(url).content.decode()
    for name in ("Tani Singkong Makmur", "Tani Pak Ujang", "Tani Kupang", "Toko Oleh-oleh Rasa"):
        assert name in page
    assert f'<option value="{setting["cohort"].public_id}">Angkatan Singkong' in page

    response = client.post(url, {"cohort": setting["cohort"].public_id}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    text = response.content.decode()
    assert "Tani Singkong Makmur" in text.split('class="messages"', 1)[1]
    assert text.count('class="error"') == 2  # the two refusals, each with its reason
    assert Enrolment.objects.filter(cohort=setting["cohort"]).count() == 1


def test_the_page_is_scoped_and_a_foreign_cohort_is_refused(
    client_of, officer_53, officer_32, setting
):
    url = reverse("supply:console-business", args=[setting["maker"].public_id])
    assert client_of(officer_53).get(url).status_code == 404
    client = client_of(officer_32)
    assert client.get(url).status_code == 200
    other = make_cohort(village="53.71.01.1001", name="Angkatan Kupang")
    assert client.post(url, {"cohort": other.public_id}).status_code == 404
    assert not Enrolment.objects.exists()
    assert client_of(make_user()).get(url).status_code == 403
