"""What each role may do. The console home lists these; views check them with ``require``.

A capability comes from a membership's role; a few need the membership to be in the ministry
(national programme settings such as priority areas). Checks live in views and endpoints,
never only in templates.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Membership, Organisation

Role = Membership.Role


class Capability(models.TextChoices):
    VIEW_ORGANISATIONS = (
        "view_organisations",
        _("See the organisations and people working in your region"),
    )
    MANAGE_PRIORITY_AREAS = (
        "manage_priority_areas",
        _("Edit the priority areas (kawasan) of the national programme"),
    )
    ISSUE_API_KEYS = "issue_api_keys", _("Issue and revoke API keys for your organisation")
    IMPORT_BUSINESSES = "import_businesses", _("Import your organisation's lists of businesses")
    RUN_PROGRAMMES = "run_programmes", _("Run training programmes and cohorts")
    MENTOR_CASELOAD = "mentor_caseload", _("Visit and mentor the businesses assigned to you")
    RUN_STORE = "run_store", _("Run your online store and receive orders")
    PLAN_INFRASTRUCTURE = "plan_infrastructure", _("Plan towers and backhaul for blank spots")
    VIEW_DASHBOARDS = (
        "view_dashboards",
        _("See the programme's figures and targets for your region"),
    )
    SET_TARGETS = "set_targets", _("Set the programme's targets for your region")


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(
        {
            Capability.VIEW_ORGANISATIONS,
            Capability.MANAGE_PRIORITY_AREAS,
            Capability.ISSUE_API_KEYS,
            Capability.IMPORT_BUSINESSES,
            Capability.RUN_PROGRAMMES,
            Capability.PLAN_INFRASTRUCTURE,
            Capability.VIEW_DASHBOARDS,
            Capability.SET_TARGETS,
        }
    ),
    Role.OFFICER: frozenset(
        {
            Capability.VIEW_ORGANISATIONS,
            Capability.MANAGE_PRIORITY_AREAS,
            Capability.IMPORT_BUSINESSES,
            Capability.RUN_PROGRAMMES,
            Capability.PLAN_INFRASTRUCTURE,
            Capability.VIEW_DASHBOARDS,
            Capability.SET_TARGETS,
        }
    ),
    Role.MENTOR: frozenset({Capability.MENTOR_CASELOAD}),
    Role.SELLER: frozenset({Capability.RUN_STORE}),
    Role.PLANNER: frozenset(
        {Capability.VIEW_ORGANISATIONS, Capability.PLAN_INFRASTRUCTURE, Capability.VIEW_DASHBOARDS}
    ),
}

# Capabilities that only national ministry staff hold, whatever their role grants elsewhere.
MINISTRY_ONLY = frozenset({Capability.MANAGE_PRIORITY_AREAS})
# Capabilities that only government offices (ministry, provincial and regency offices) hold.
GOVERNMENT_ONLY = frozenset({Capability.SET_TARGETS, Capability.VIEW_DASHBOARDS})


def membership_grants(membership: Membership, capability: Capability) -> bool:
    if capability not in ROLE_CAPABILITIES.get(membership.role, ()):
        return False
    if capability in MINISTRY_ONLY:
        return membership.organisation.kind == Organisation.Kind.MINISTRY and membership.is_national
    if capability in GOVERNMENT_ONLY:
        return membership.organisation.kind in Organisation.GOVERNMENT_KINDS
    return True


def capabilities(user) -> dict[Capability, list[Membership]]:
    """Each capability the user holds, with the memberships that grant it."""
    if not user.is_authenticated:
        return {}
    memberships = list(user.memberships.select_related("organisation"))
    held: dict[Capability, list[Membership]] = {}
    for capability in Capability:
        granting = [m for m in memberships if membership_grants(m, capability)]
        if granting or user.is_superuser:
            held[capability] = granting
    return held


def has_capability(user, capability: Capability) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        membership_grants(m, capability) for m in user.memberships.select_related("organisation")
    )


def require(user, capability: Capability) -> None:
    """Raise ``PermissionDenied`` (403) unless the user holds ``capability``."""
    if not has_capability(user, capability):
        raise PermissionDenied(capability.label)


def roles_with(capability: Capability) -> frozenset[str]:
    """The roles whose memberships grant ``capability``: their scopes are the ones that count."""
    return frozenset(role for role, held in ROLE_CAPABILITIES.items() if capability in held)
