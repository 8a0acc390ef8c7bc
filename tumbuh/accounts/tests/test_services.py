import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.accounts import services
from tumbuh.accounts.error_codes import AccountsError
from tumbuh.accounts.models import APIKey, Membership, Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_user
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused


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
        services.grant_membership(user=user, organisation=office_32, role="king", by=system_actor())
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


@pytest.fixture
def inactive(db):
    return make_user(is_active=False)


@pytest.mark.parametrize("actor", [None, "inactive"])
def test_every_change_needs_an_active_actor_and_writes_nothing_without_one(
    office_32, actor, request
):
    by = request.getfixturevalue(actor) if actor else None
    user = make_user()
    api_key, _secret = services.issue_api_key(
        organisation=office_32, label="sync", by=system_actor()
    )
    before = (
        list(Organisation.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(APIKey.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )
    changes = [
        lambda: services.create_organisation(name="Dinas Baru", kind="provincial_office", by=by),
        lambda: services.grant_membership(user=user, organisation=office_32, role="officer", by=by),
        lambda: services.issue_api_key(organisation=office_32, label="lain", by=by),
        lambda: services.revoke_api_key(api_key=api_key, by=by),
    ]
    for change in changes:
        with pytest.raises(PermissionDenied):
            change()
    assert (
        list(Organisation.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(APIKey.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    ) == before


def test_a_refusal_carries_its_code_and_field(office_32):
    with pytest.raises(Refused) as refused:
        services.grant_membership(
            user=make_user(), organisation=office_32, role="king", by=system_actor()
        )
    assert (refused.value.code, refused.value.field) == (AccountsError.ROLE, "role")
    with pytest.raises(Refused) as refused:
        services.create_organisation(name="Raja", kind="kingdom", by=system_actor())
    assert refused.value.code == AccountsError.UNKNOWN_KIND
    assert not Organisation.objects.filter(name="Raja").exists()
