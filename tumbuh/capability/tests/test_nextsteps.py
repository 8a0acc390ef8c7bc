"""Next steps: built-in actions from milestones, registered sources, weakest pillars first."""

import pytest
from django.urls import reverse

from tumbuh.capability.nextsteps import Offer, offers_for
from tumbuh.conftest import make_enterprise
from tumbuh.registry.models import EnterpriseKbli
from tumbuh.registry.services import record_milestone

# Titles are compared in English, whatever translations the catalogue holds.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def clean_sources(settings):
    settings.OFFER_SOURCES = []


def cohorts(business, weakest):
    SEEN.append((business.pk, weakest))
    return [Offer("cohort", "Kelas Jualan Online", "/kelas/1/", "for selling", ("online_selling",))]


def broken(business, weakest):
    raise RuntimeError("database away")


SEEN: list = []


def _titles(offers):
    return [str(offer.title) for offer in offers]


def test_actions_leave_out_reached_milestones(db, clean_sources):
    enterprise = make_enterprise()
    before = _titles(offers_for(enterprise, []))
    assert "Open your online store" in before
    assert "Accept QRIS payments" in before
    assert "Get a NIB (business identity number)" in before
    record_milestone(enterprise=enterprise, kind="store_live", source="test", by=None)
    record_milestone(enterprise=enterprise, kind="paid_digitally", source="test", by=None)
    enterprise.nib = "1234567890123"
    enterprise.save()
    after = _titles(offers_for(enterprise, []))
    assert "Open your online store" not in after
    assert "Accept QRIS payments" not in after
    assert "Get a NIB (business identity number)" not in after


def test_halal_route_is_offered_to_food_businesses_with_a_nib(db, clean_sources):
    snack = make_enterprise("Keripik", nib="1234567890123")
    EnterpriseKbli.objects.create(enterprise=snack, code="10794")
    tailor = make_enterprise("Penjahit", nib="1234567890124")
    EnterpriseKbli.objects.create(enterprise=tailor, code="14111")
    no_nib = make_enterprise("Warung")
    EnterpriseKbli.objects.create(enterprise=no_nib, code="56102")
    halal = "Start the free halal self-declare route"
    assert halal in _titles(offers_for(snack, []))
    assert halal not in _titles(offers_for(tailor, []))
    assert halal not in _titles(offers_for(no_nib, []))
    record_milestone(enterprise=snack, kind="halal_certified", source="test", by=None)
    assert halal not in _titles(offers_for(snack, []))


def test_offers_for_the_weakest_pillar_come_first(db, clean_sources):
    enterprise = make_enterprise()
    offers = offers_for(enterprise, ["digital_payment", "digital_safety"])
    assert offers[0].pillars == ("digital_payment",)
    assert "digital_safety" in offers[1].pillars
    assert all(
        not {"digital_payment", "digital_safety"} & set(offer.pillars) for offer in offers[2:]
    )


def test_listed_sources_join_and_a_failing_source_is_skipped(db, settings, caplog):
    enterprise = make_enterprise()
    SEEN.clear()
    here = "tumbuh.capability.tests.test_nextsteps"
    settings.OFFER_SOURCES = [f"{here}.cohorts", f"{here}.broken"]
    offers = offers_for(enterprise, ["online_selling"])
    assert [(enterprise.pk, ["online_selling"])] == SEEN
    assert offers[0].kind == "cohort"
    assert offers[0].url == "/kelas/1/"
    assert "offer source" in caplog.text
    settings.OFFER_SOURCES = []
    assert all(offer.kind == "action" for offer in offers_for(enterprise, ["online_selling"]))


def test_action_links_point_to_their_pages(db, clean_sources):
    offers = {str(o.title): o for o in offers_for(make_enterprise(), [])}
    assert offers["Open your online store"].url == reverse("stores:open")
    assert offers["Accept QRIS payments"].url == ""
