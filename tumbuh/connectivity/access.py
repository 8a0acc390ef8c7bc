"""Who may change the connectivity ledger: one check for every service, failing closed.

A change needs an actor (a person signed in, an API key, or the system actor of the demo,
commands and tasks) whose role may plan infrastructure (``Capability.PLAN_INFRASTRUCTURE``), in
the region the change concerns. No actor, a role that may not plan, or a region outside the
actor's is refused with ``PermissionDenied`` before anything is written.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey, User
from tumbuh.accounts.permissions import Capability
from tumbuh.accounts.scoping import RegionScope
from tumbuh.connectivity import queries

# Who acts: a person signed in (or the system actor), or a partner's machine client.
Actor = User | APIKey


def planning_scope(by: Actor | None) -> RegionScope:
    """The regions where ``by`` may plan; refused when there is no actor or its role may not."""
    if by is None or not queries.may_plan(by):
        raise PermissionDenied(str(Capability.PLAN_INFRASTRUCTURE.label))
    return queries.scope_of(by)


def require_planning_in(by: Actor | None, region_code: str) -> RegionScope:
    """Refuse unless ``by`` may plan in ``region_code`` ("" is the whole country: national staff
    only); the actor's planning scope otherwise."""
    scope = planning_scope(by)
    if not scope.allows(region_code):
        raise PermissionDenied(
            _("Region %(code)s is outside your regions.") % {"code": region_code or _("national")}
        )
    return scope
