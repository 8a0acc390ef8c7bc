"""Reusable reads over organisations and memberships, scoped for the console and the API."""

from django.db.models import Count, Q, QuerySet

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.permissions import Capability, roles_with
from tumbuh.accounts.scoping import scoped_to_organisations


def visible_organisations(actor, *, q: str = "", kind: str = "") -> QuerySet[Organisation]:
    """Organisations in the actor's regions (a partner's staff: their own organisation only),
    with their member counts."""
    organisations = scoped_to_organisations(
        Organisation.objects.filter(is_active=True),
        actor,
        organisation="pk",
        roles=roles_with(Capability.VIEW_ORGANISATIONS),
    )
    if q:
        organisations = organisations.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.annotate(member_count=Count("memberships__user", distinct=True)).order_by(
        "name"
    )
