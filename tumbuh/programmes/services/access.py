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


def may_run_cohort(actor, cohort: Cohort) -> bool:
    """True when ``actor`` (user or API key) may enrol into and manage ``cohort``."""
    if actor is None:
        return False
    if isinstance(actor, APIKey):
        if not actor.is_active or actor.role not in RUNNING_ROLES:
            return False
    elif not has_capability(actor, Capability.RUN_PROGRAMMES):
        return False
    if not scope_for(actor, roles=RUNNING_ROLES).allows(cohort.venue_village_id):
        return False
    limits = partner_limits(actor)
    return limits is None or cohort.partner_id in limits


def is_ministry_staff(user) -> bool:
    """National ministry staff who run programmes (quota transfers are theirs alone)."""
    if getattr(user, "is_superuser", False):
        return True
    if not has_capability(user, Capability.RUN_PROGRAMMES):
        return False
    return user.memberships.filter(
        organisation__kind=Organisation.Kind.MINISTRY, region_code="", role__in=RUNNING_ROLES
    ).exists()


def _user(actor):
    return (
        actor
        if getattr(actor, "is_authenticated", False) and not isinstance(actor, APIKey)
        else None
    )
