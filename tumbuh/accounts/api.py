"""Accounts API: who am I, and the organisations in my regions.

Without a session or an API key every operation answers 401, and an organisation outside the
caller's regions 404, with the API's one error body (``core.errors.ErrorOut``).
"""

from django.http import Http404
from ninja import Router

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import APIKey
from tumbuh.accounts.queries import visible_organisations
from tumbuh.accounts.schemas import KeyOut, MeOut, OrganisationOut
from tumbuh.core.errors import ErrorOut

router = Router(tags=["accounts"], auth=api_auth)


@router.get(
    "/me",
    response={200: MeOut | KeyOut, 401: ErrorOut},
    summary="The caller: a person or an API key",
)
def me(request):
    actor = request.auth
    if isinstance(actor, APIKey):
        return {
            "organisation": actor.organisation.slug,
            "label": actor.label,
            "role": actor.role,
            "region_code": actor.region_code,
        }
    return {
        "full_name": actor.full_name,
        "memberships": [
            {
                "organisation": m.organisation.slug,
                "organisation_name": m.organisation.name,
                "role": m.role,
                "region_code": m.region_code,
            }
            for m in actor.memberships.select_related("organisation")
        ],
    }


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], 401: ErrorOut},
    summary="Organisations in my regions",
)
def organisations(request, q: str = "", kind: str = ""):
    return visible_organisations(request.auth, q=q, kind=kind)


@router.get("/organisations/{slug}", response={200: OrganisationOut, 401: ErrorOut, 404: ErrorOut})
def organisation(request, slug: str):
    found = visible_organisations(request.auth).filter(slug=slug).first()
    if found is None:
        raise Http404(f"No organisation {slug!r} in your regions.")
    return found
