from datetime import timedelta

import pytest
from django.utils import timezone

from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import system_actor
from tumbuh.capability import services
from tumbuh.capability.services import load_instrument
from tumbuh.conftest import make_user

# One answer set per known result (v1 instrument), worked out by hand in test_scoring.py.
LOWEST = {
    "skills_smartphone": "none",
    "skills_search": "ask",
    "ethics_claims": "none",
    "ethics_content": "take",
    "safety_otp": "give",
    "safety_accounts": "nothing",
    "culture_local": "no_promotion",
    "culture_community": "no",
    "presence_profile": "nowhere",
    "presence_updates": "never",
    "selling_channel": "in_person",
    "selling_share": "none",
    "payment_methods": "cash",
    "payment_share": "none",
    "bookkeeping_records": "none",
    "bookkeeping_separate": "no",
    "data_decisions": "no",
    "data_customers": "no",
}
HIGHEST = {
    "skills_smartphone": "apps",
    "skills_search": "compare",
    "ethics_claims": "honest_complete",
    "ethics_content": "own",
    "safety_otp": "refuse_report",
    "safety_accounts": "two_step",
    "culture_local": "always",
    "culture_community": "lead",
    "presence_profile": "business_maps",
    "presence_updates": "weekly",
    "selling_channel": "several",
    "selling_share": "most",
    "payment_methods": "qris_checked",
    "payment_share": "most",
    "bookkeeping_records": "daily_app",
    "bookkeeping_separate": "account",
    "data_decisions": "plan",
    "data_customers": "consent",
}
MIXED = {
    "skills_smartphone": "photos",  # 2 points × weight 2
    "skills_search": "compare",  # 3 × 1 → 7 of 9 → 78
    "ethics_claims": "honest",  # 2 × 1
    "ethics_content": "credit",  # 2 × 1 → 4 of 6 → 67
    "safety_otp": "refuse",  # 2 × 2
    "safety_accounts": "same_password",  # 1 × 1 → 5 of 9 → 56
    "culture_local": "no",  # 1 × 1
    "culture_community": "read",  # 1 × 1 → 2 of 6 → 33
    "presence_profile": "business",  # 2 × 2
    "presence_updates": "monthly",  # 2 × 1 → 6 of 9 → 67
    "selling_channel": "chat",  # 1 × 2
    "selling_share": "none",  # 0 → 2 of 9 → 22
    "payment_methods": "qris",  # 2 × 2
    "payment_share": "little",  # 1 × 1 → 5 of 9 → 56
    "bookkeeping_records": "paper",  # 1 × 2
    "bookkeeping_separate": "no",  # 0 → 2 of 9 → 22
    "data_decisions": "sometimes",  # 1 × 2
    "data_customers": "no",  # 0 → 2 of 9 → 22
}
MIXED_SCORES = {
    "digital_skills": 78,
    "digital_ethics": 67,
    "digital_safety": 56,
    "digital_culture": 33,
    "online_presence": 67,
    "online_selling": 22,
    "digital_payment": 56,
    "digital_bookkeeping": 22,
    "use_of_data": 22,
}


def assess(instrument, enterprise, answers, *, days_ago=0, mode="mentor"):
    """An assessment of ``enterprise`` submitted ``days_ago`` days ago (``mode``: mentor, self)."""
    return services.submit_assessment(
        enterprise=enterprise,
        instrument=instrument,
        answers=answers,
        by=system_actor(),
        mode=mode,
        taken_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def instrument(db):
    loaded, _created = load_instrument()
    return loaded


@pytest.fixture
def seller(office_32):
    return make_user(organisation=office_32, role=Membership.Role.SELLER, region_code="32")


@pytest.fixture(autouse=True)
def caseloads_of_the_region(settings):
    """Capability's own rules, tested alone: instead of the programmes part's caseload check (a
    mentor assesses only their assigned businesses, tested in programmes), a check that accepts
    every business of the mentor's regions."""
    settings.CASELOAD_CHECKS = ["tumbuh.capability.tests.conftest.any_business"]


def any_business(user, enterprise) -> bool:
    return True
