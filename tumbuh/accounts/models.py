"""People, the organisations they work for, and what each may do where."""

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.core.validators import mask_phone, normalise_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, *, email, phone, password, **fields):
        email = self.normalize_email(email) or None
        phone = normalise_phone(phone) if phone else None
        user = self.model(email=email, phone=phone, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, *, phone=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email=email, phone=phone, password=password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(
            email=email, phone=fields.pop("phone", None), password=password, **fields
        )


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: ministry and regional staff, partner staff, mentors, sellers.

    People sign in with their e-mail address or their phone number (many sellers and mentors
    have only a phone). At least one of the two is set; both are unique. The phone number is
    stored in E.164 form and shown masked; it never appears in URLs, logs or API output.
    What a user may do comes from their memberships, not from flags on the user.
    """

    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    phone = models.CharField(_("phone number"), max_length=16, unique=True, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May use Django's admin site (technical staff only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            ),
        ]

    def __str__(self):
        return self.full_name or self.login_hint

    @property
    def login_hint(self) -> str:
        """How to refer to this user's login without revealing a phone number."""
        return self.email or mask_phone(self.phone or "")

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.login_hint


class Organisation(models.Model):
    """An organisation taking part in the programme.

    The ministry runs it; provincial and regency offices run it in their region; partners
    (marketplaces, universities, communities, state banks and BUMN, telecom operators) bring
    businesses, trainers and infrastructure; BumDes are village-owned enterprises with staff who
    run a store. ``region_code`` is the Kemendagri code of the region the organisation belongs
    to ("" for national organisations); console scoping uses it.
    """

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        PROVINCIAL_OFFICE = "provincial_office", _("Provincial office")
        REGENCY_OFFICE = "regency_office", _("Regency or city office")
        MARKETPLACE = "marketplace", _("Partner: marketplace")
        UNIVERSITY = "university", _("Partner: university")
        COMMUNITY = "community", _("Partner: community")
        STATE_BANK = "state_bank", _("Partner: state bank")
        BUMN = "bumn", _("Partner: state-owned enterprise (BUMN)")
        TELECOM_OPERATOR = "telecom_operator", _("Partner: telecom operator")
        BUMDES = "bumdes", _("BumDes (village-owned enterprise)")

    PARTNER_KINDS = frozenset(
        {
            Kind.MARKETPLACE,
            Kind.UNIVERSITY,
            Kind.COMMUNITY,
            Kind.STATE_BANK,
            Kind.BUMN,
            Kind.TELECOM_OPERATOR,
        }
    )

    # The ministry and the regional offices: their staff see every record of their region.
    # Every other kind (partners and BumDes) sees only its own records and the businesses it
    # brought, serves or mentors (tumbuh.accounts.scoping.Reach; docs/permissions.md).
    GOVERNMENT_KINDS = frozenset({Kind.MINISTRY, Kind.PROVINCIAL_OFFICE, Kind.REGENCY_OFFICE})

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region_code = models.CharField(
        _("region"),
        max_length=13,
        blank=True,
        db_index=True,
        help_text=_("Kemendagri code of the home region; empty for national organisations."),
    )
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "region_code"

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:organisation-detail", args=[self.slug])

    @property
    def is_partner(self) -> bool:
        return self.kind in self.PARTNER_KINDS

    @property
    def is_government(self) -> bool:
        return self.kind in self.GOVERNMENT_KINDS

    @property
    def is_ministry(self) -> bool:
        return self.kind == self.Kind.MINISTRY


class Membership(models.Model):
    """A user's role in an organisation, limited to a region.

    The role says what the user does (admin, officer, mentor, seller, planner); the regional
    scope says where: national (empty ``region_code``), one province (``32``) or one regency
    (``32.04``). A scope is never wider than the organisation's own region. Every console query
    and API endpoint is limited to the union of the user's scopes by
    ``tumbuh.accounts.scoping``.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        OFFICER = "officer", _("Programme officer")
        MENTOR = "mentor", _("Mentor (pendamping)")
        SELLER = "seller", _("Seller")
        PLANNER = "planner", _("Infrastructure planner")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    region_code = models.CharField(
        _("regional scope"),
        max_length=13,
        blank=True,
        db_index=True,
        help_text=_("Empty for national scope, a province code (32) or a regency code (32.04)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "region_code"

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    @property
    def is_national(self) -> bool:
        return self.region_code == ""


class APIKey(models.Model):
    """A key a partner's machine client uses to call the API on behalf of its organisation.

    The key is shown once when issued (``tmb_<prefix>_<secret>``); only the prefix and a SHA-256
    digest of the whole key are stored, so a leaked database does not leak keys. A key acts with
    a role and a regional scope no wider than its organisation's, like a membership.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    label = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_digest = models.CharField(max_length=64)
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    region_code = models.CharField(max_length=13, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    region_field = "region_code"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.label} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate() -> tuple[str, str]:
        """Return a new ``(prefix, key)``; the key embeds the prefix."""
        prefix = secrets.token_hex(4)
        return prefix, f"tmb_{prefix}_{secrets.token_urlsafe(32)}"
