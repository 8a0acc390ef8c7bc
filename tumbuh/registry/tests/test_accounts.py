"""Business accounts: a login acts for its business, and still does after a merge."""

import pytest
from django.core.exceptions import ValidationError

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_enterprise, make_user
from tumbuh.registry import services
from tumbuh.registry.merging import merge_pairs
from tumbuh.registry.models import EnterpriseAccount

pytestmark = pytest.mark.django_db


def test_link_is_idempotent_and_lists_the_business():
    owner = make_user()
    shop = make_enterprise("Keripik Uji")
    first = services.link_account(user=owner, enterprise=shop, by=system_actor())
    again = services.link_account(user=owner, enterprise=shop, by=system_actor())
    assert first.pk == again.pk
    assert EnterpriseAccount.objects.count() == 1
    assert services.enterprises_of(owner) == [shop]


def test_merged_business_resolves_to_its_survivor():
    owner = make_user()
    older, newer = make_enterprise("Keripik Uji"), make_enterprise("Keripik Uji Jaya")
    services.link_account(user=owner, enterprise=newer, by=system_actor())
    merge_pairs([(older.pk, newer.pk, 0.99)], method="review", by=system_actor())
    assert services.enterprises_of(owner) == [older]


def test_unknown_role_is_refused_and_nothing_written():
    with pytest.raises(ValidationError, match="akun usaha"):
        services.link_account(
            user=make_user(), enterprise=make_enterprise("X"), role="boss", by=system_actor()
        )
    assert not EnterpriseAccount.objects.exists()


def test_anonymous_user_has_no_business():
    from django.contrib.auth.models import AnonymousUser

    assert services.enterprises_of(AnonymousUser()) == []


def test_a_business_is_written_to_at_its_own_and_its_merged_records_logins():
    """What the store's order mails and the supply market's match mails are sent to: each
    active login's address once, sorted, the merged duplicate's owner included."""
    from tumbuh.registry.queries import account_emails

    older, newer = make_enterprise("Keripik Uji"), make_enterprise("Keripik Uji Jaya")
    for email, business, active in (
        ("sri@uji.example.id", older, True),
        ("budi@uji.example.id", newer, True),
        ("pergi@uji.example.id", newer, False),  # a login switched off
    ):
        user = make_user(email=email, is_active=active)
        services.link_account(user=user, enterprise=business, by=system_actor())
    make_user(email="lain@uji.example.id")  # acts for no business

    assert account_emails(older) == ["sri@uji.example.id"]
    merge_pairs([(older.pk, newer.pk, 0.99)], method="review", by=system_actor())
    assert account_emails(older) == ["budi@uji.example.id", "sri@uji.example.id"]
