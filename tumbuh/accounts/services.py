"""Every change to organisations, memberships and API keys goes through these functions.

Each takes its actor ``by`` (keyword-only, required): a person signed in, or the system actor of
the demo, commands and tasks (:func:`system_actor`). No actor, or one that is not an active
account, is refused with ``PermissionDenied`` before anything is written; who may manage which
organisation is checked by the pages that call these. A change that cannot be made is refused
with ``core.refusals.Refused`` and an ``AccountsError`` code.
"""

import hmac

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tumbuh.accounts.error_codes import AccountsError
from tumbuh.accounts.models import APIKey, Membership, Organisation, User
from tumbuh.core.refusals import Refused
from tumbuh.core.region_filter import in_region
from tumbuh.core.services import record_event
from tumbuh.core.validators import region_level

SCOPE_LEVELS = {"province", "regency"}


def _require_actor(by: User | None) -> None:
    """Someone must act: an active account (a person, or the system actor). Fails closed."""
    if not isinstance(by, User) or not by.is_active:
        raise PermissionDenied(_("Only an active account can change organisations and access."))


def _check_scope(region_code: str, *, within: str) -> None:
    """A scope is national, a province or a regency, and never wider than ``within``."""
    if region_code and region_level(region_code) not in SCOPE_LEVELS:
        raise Refused(
            AccountsError.SCOPE_LEVEL,
            _("A regional scope is a province (e.g. 32) or a regency (e.g. 32.04)."),
            field="region_code",
        )
    if not in_region(region_code, within):
        raise Refused(
            AccountsError.SCOPE_OUTSIDE_ORGANISATION,
            _("The scope %(scope)s is outside the organisation's region %(region)s.")
            % {"scope": region_code or _("national"), "region": within},
            field="region_code",
        )


@transaction.atomic
def create_organisation(
    *, name: str, kind: str, by: User, region_code: str = "", slug: str = ""
) -> Organisation:
    _require_actor(by)
    if kind not in Organisation.Kind.values:
        raise Refused(
            AccountsError.UNKNOWN_KIND,
            _("Unknown organisation kind: %(kind)s") % {"kind": kind},
            field="kind",
        )
    if region_code:
        region_level(region_code)
    organisation = Organisation.objects.create(
        name=name, kind=kind, region_code=region_code, slug=slug or slugify(name)[:80]
    )
    record_event(
        actor=by,
        action="accounts.organisation_created",
        target=organisation,
        region_code=region_code,
        data={"kind": kind},
    )
    return organisation


@transaction.atomic
def grant_membership(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    by: User,
    region_code: str | None = None,
) -> Membership:
    """Give ``user`` a role in ``organisation``; the scope defaults to the organisation's region."""
    _require_actor(by)
    if role not in Membership.Role.values:
        raise Refused(
            AccountsError.ROLE, _("Unknown role: %(role)s") % {"role": role}, field="role"
        )
    region_code = organisation.region_code if region_code is None else region_code
    _check_scope(region_code, within=organisation.region_code)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"region_code": region_code}
    )
    if not created and membership.region_code != region_code:
        membership.region_code = region_code
        membership.save(update_fields=["region_code"])
        created = True
    if created:
        record_event(
            actor=by,
            action="accounts.membership_granted",
            target=membership,
            region_code=region_code,
            data={"user": user.pk, "organisation": organisation.slug, "role": role},
        )
    user.__dict__.pop("_region_scope_cache", None)
    return membership


@transaction.atomic
def issue_api_key(
    *,
    organisation: Organisation,
    label: str,
    by: User,
    role: str = Membership.Role.OFFICER,
    region_code: str | None = None,
) -> tuple[APIKey, str]:
    """Create a key and return it with its secret, which is never stored and shown only once."""
    _require_actor(by)
    region_code = organisation.region_code if region_code is None else region_code
    _check_scope(region_code, within=organisation.region_code)
    prefix, secret = APIKey.generate()
    api_key = APIKey.objects.create(
        organisation=organisation,
        label=label,
        prefix=prefix,
        key_digest=APIKey.digest(secret),
        role=role,
        region_code=region_code,
        created_by=acting_person(by),
    )
    record_event(
        actor=by,
        action="accounts.api_key_issued",
        target=api_key,
        region_code=region_code,
        data={"organisation": organisation.slug, "prefix": prefix, "role": role},
    )
    return api_key, secret


@transaction.atomic
def revoke_api_key(*, api_key: APIKey, by: User) -> bool:
    """Revoke a key; revoking an already revoked key changes nothing and returns False."""
    _require_actor(by)
    changed = APIKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if changed:
        api_key.refresh_from_db(fields=["revoked_at"])
        record_event(
            actor=by,
            action="accounts.api_key_revoked",
            target=api_key,
            region_code=api_key.region_code,
            data={"prefix": api_key.prefix},
        )
    return bool(changed)


def authenticate_api_key(presented: str) -> APIKey | None:
    """The active key matching the presented secret, or None. Marks it as used."""
    parts = (presented or "").split("_")
    if len(parts) < 3 or parts[0] != "tmb":
        return None
    api_key = APIKey.objects.select_related("organisation").filter(prefix=parts[1]).first()
    if api_key is None or not api_key.is_active:
        return None
    if not hmac.compare_digest(api_key.key_digest, APIKey.digest(presented)):
        return None
    APIKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key


SYSTEM_EMAIL = "sistem@tumbuh.invalid"
SYSTEM_NAME = "Sistem Tumbuh"


def system_actor() -> User:
    """The actor of what no person does by hand: the demo loaders and the background tasks.

    Services always take an actor (``by``), so that authorisation is never skipped because
    nobody was named; the demo and the tasks name this one. It holds every capability (a
    superuser, like the platform's own process) but cannot sign in: it has no usable password,
    no API key, and an address at a reserved domain. Audit events show it by name.
    """
    user = User.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=SYSTEM_EMAIL, full_name=SYSTEM_NAME, is_superuser=True
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def acting_person(actor) -> User | None:
    """The person to name in a record's own "by" column (planned by, uploaded by, recorded by):
    a signed-in user; None for an API key and for the system actor, whose work no person did by
    hand. Audit events name every actor, the system actor included."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return None
    return None if actor.email == SYSTEM_EMAIL else actor


# --- passwords --------------------------------------------------------------------------------


def may_manage_people(by, organisation: Organisation) -> bool:
    """Whether ``by`` may act for the people of ``organisation`` (reset their passwords): an
    administrator of that organisation, or a superuser. Fails closed."""
    if not isinstance(by, User) or not by.is_active:
        return False
    return (
        by.is_superuser
        or by.memberships.filter(organisation=organisation, role=Membership.Role.ADMIN).exists()
    )


@transaction.atomic
def reset_password_by_administrator(*, user: User, organisation: Organisation, by: User) -> str:
    """Start a password reset for a member of ``organisation`` on their administrator's request
    (for people who have only a phone, or no access to their e-mail).

    The old password stops working at once; the returned path (``/masuk/atur-sandi/…``) lets
    the person choose a new one, once, within ``PASSWORD_RESET_TIMEOUT``. The administrator
    passes it on (WhatsApp, in person); a person with an e-mail address also receives it there.
    Recorded as ``accounts.password_reset_issued``.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _require_actor(by)
    if not may_manage_people(by, organisation):
        raise PermissionDenied(_("Only an administrator of this organisation can reset passwords."))
    if not organisation.memberships.filter(user=user).exists() or user.email == SYSTEM_EMAIL:
        raise PermissionDenied(_("This person is not a member of this organisation."))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    path = reverse(
        "accounts:password-reset-confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    record_event(
        actor=by,
        action="accounts.password_reset_issued",
        target=user,
        region_code=organisation.region_code,
        data={"organisation": organisation.slug, "by": "administrator"},
    )
    if user.email:
        transaction.on_commit(lambda: _send_reset_link(user, path))
    return path


def _send_reset_link(user: User, path: str) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    send_mail(
        _("Tumbuh: choose a new password"),
        _(
            "Your organisation's administrator has reset your Tumbuh password. Choose a new one "
            "here (the link works once): %(link)s"
        )
        % {"link": settings.SITE_URL + path},
        None,
        [user.email],
    )


@transaction.atomic
def record_password_reset(*, user: User) -> None:
    """The person chose a new password through a reset link (sent by e-mail on their request,
    or issued by their administrator): recorded as ``accounts.password_reset``; any sign-in
    lockout of the account is lifted."""
    from axes.utils import reset as reset_lockout

    record_event(actor=user, action="accounts.password_reset", target=user)
    reset_lockout(username=f"user:{user.pk}")
