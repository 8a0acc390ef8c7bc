"""Who may act on programmes and cohorts, shared by every module of ``tumbuh.programmes.services``.

Services refuse with ``core.refusals.Refused`` and a code of ``programmes.error_codes``.
"""

from tumbuh.accounts.models import APIKey, Membership, Organisation, User
from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.accounts.scoping import scope_for
from tumbuh.programmes.models import Cohort

GOVERNMENT_KINDS = frozenset(
    {
        Organisation.Kind.MINISTRY,
        Organisation.Kind.PROVINCIAL_OFFICE,
        Organisation.Kind.REGENCY_OFFICE,
    }
)
RUNNING_ROLES = frozenset({Membership.Role.ADMIN, Membership.Role.OFFICER})
# Who acts in a service: a person, a partner's API key, or accounts.services.system_actor().
Actor = User | APIKey


def partner_limits(actor) -> frozenset[int] | None:
    """The partner organisations whose cohorts ``actor`` may run, or None for "any in scope".

    Ministry and regional office staff (and superusers) run every partner's cohorts in their
    region; partner staff only their own organisation's; an API key only its organisation's.
    """
    if isinstance(actor, APIKey):
        return frozenset({actor.organisation_id})
    if getattr(actor, "is_superuser", False):
        return None
    memberships = [
        m for m in actor.memberships.select_related("organisation") if m.role in RUNNING_ROLES
    ]
    if any(m.organisation.kind in GOVERNMENT_KINDS for m in memberships):
        return None
    return frozenset(m.organisation_id for m in memberships)


def may_run_programmes(actor) -> bool:
    """A person holding ``RUN_PROGRAMMES`` or an active API key of a running role; nobody else
    (no actor, an anonymous user: False)."""
    if isinstance(actor, APIKey):
        return actor.is_active and actor.role in RUNNING_ROLES
    if not getattr(actor, "is_authenticated", False):
        return False
    return has_capability(actor, Capability.RUN_PROGRAMMES)


def may_run_cohort(actor, cohort: Cohort) -> bool:
    """True when ``actor`` (user or API key) may enrol into and manage ``cohort``."""
    if not may_run_programmes(actor):
        return False
    if not scope_for(actor, roles=RUNNING_ROLES).allows(cohort.venue_village_id):
        return False
    limits = partner_limits(actor)
    return limits is None or cohort.partner_id in limits


def may_manage_mentors_of(actor, organisation_id: int, region_code: str) -> bool:
    """True when ``actor`` runs programmes in ``region_code`` for the partner
    ``organisation_id``: who may register its mentors, fill their caseloads and book their
    visits."""
    if not may_run_programmes(actor):
        return False
    if not scope_for(actor, roles=RUNNING_ROLES).allows(region_code):
        return False
    limits = partner_limits(actor)
    return limits is None or organisation_id in limits


def is_ministry_staff(user) -> bool:
    """National ministry staff who run programmes (quota transfers are theirs alone); never an
    API key or an anonymous user."""
    if isinstance(user, APIKey) or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not has_capability(user, Capability.RUN_PROGRAMMES):
        return False
    return user.memberships.filter(
        organisation__kind=Organisation.Kind.MINISTRY, region_code="", role__in=RUNNING_ROLES
    ).exists()
