"""Accounts API: who am I, and the organisations in my regions."""

from django.http import Http404
from ninja import Router

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import APIKey
from tumbuh.accounts.queries import visible_organisations
from tumbuh.accounts.schemas import KeyOut, MeOut, OrganisationOut

router = Router(tags=["accounts"], auth=api_auth)


@router.get("/me", response={200: MeOut | KeyOut}, summary="The caller: a person or an API key")
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


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations in my regions")
def organisations(request, q: str = "", kind: str = ""):
    return visible_organisations(request.auth, q=q, kind=kind)


@router.get("/organisations/{slug}", response=OrganisationOut)
def organisation(request, slug: str):
    found = visible_organisations(request.auth).filter(slug=slug).first()
    if found is None:
        raise Http404(f"No organisation {slug!r} in your regions.")
    return found
