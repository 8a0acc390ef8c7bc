import pytest
from django.core.exceptions import ValidationError

from tumbuh.accounts import services
from tumbuh.accounts.models import APIKey, Membership
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_user
from tumbuh.core.models import AuditEvent


def test_membership_scope_defaults_to_the_organisation_region(office_32):
    user = make_user()
    membership = services.grant_membership(
        user=user, organisation=office_32, role="officer", by=system_actor()
    )
    assert membership.region_code == "32"
    event = AuditEvent.objects.get(
        action="accounts.membership_granted", target_id=str(membership.pk)
    )
    assert event.data == {"user": user.pk, "organisation": office_32.slug, "role": "officer"}
    assert event.region_code == "32"


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("", "Cakupan nasional berada di luar wilayah organisasi 32."),
        ("53", "Cakupan 53 berada di luar wilayah organisasi 32."),
        ("32.04.12", "Cakupan wilayah adalah provinsi (mis. 32) atau kabupaten/kota (mis. 32.04)."),
        (
            "Jawa Barat",
            "“Jawa Barat” bukan kode wilayah Kemendagri (mis. 32, 32.04, 32.04.12, 32.04.12.2001).",
        ),
    ],
)
def test_a_scope_wider_than_the_organisation_is_refused(office_32, scope, message):
    """Messages are in Indonesian, the language active outside a request."""
    user = make_user()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.grant_membership(
            user=user, organisation=office_32, role="officer", region_code=scope, by=system_actor()
        )
    assert refused.value.messages == [message]
    assert not Membership.objects.filter(user=user).exists()
    assert AuditEvent.objects.count() == events


def test_unknown_role_is_refused(office_32):
    user = make_user()
    with pytest.raises(ValidationError):
        services.grant_membership(
            user=user, organisation=office_32, role="king", by=system_actor()
        )
    assert not Membership.objects.filter(user=user).exists()


def test_granting_twice_changes_nothing(office_32):
    user = make_user(organisation=office_32)
    events = AuditEvent.objects.count()
    services.grant_membership(user=user, organisation=office_32, role="officer", by=system_actor())
    assert Membership.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.count() == events


def test_api_key_secret_is_not_stored(office_32, officer_32):
    api_key, secret = services.issue_api_key(organisation=office_32, label="sync", by=officer_32)
    assert secret.startswith(f"tmb_{api_key.prefix}_")
    stored = APIKey.objects.filter(pk=api_key.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}
    assert stored["key_digest"] == APIKey.digest(secret)
    assert services.authenticate_api_key(secret) == api_key
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    assert (
        AuditEvent.objects.filter(action="accounts.api_key_issued", actor=officer_32).count() == 1
    )
