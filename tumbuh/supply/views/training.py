"""A business's place in the chain, for the console: its suppliers and buyers, and a form that
enrols its suppliers into one of the open cohorts the viewer may enrol into (training along the
chain, ``services.training``). Government staff who see the dashboards and people who run
programmes open it, for the businesses they may see (``accounts.scoping.scoped_businesses``); a
business outside them answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.accounts.scoping import scoped_businesses
from tumbuh.registry.models import Enterprise
from tumbuh.supply import queries
from tumbuh.supply.services import training

OPENED_BY = (Capability.VIEW_DASHBOARDS, Capability.RUN_PROGRAMMES)


def _business(request, public_id: str) -> Enterprise:
    if not any(has_capability(request.user, capability) for capability in OPENED_BY):
        raise PermissionDenied
    visible = scoped_businesses(
        Enterprise.objects.deduplicated().select_related("village"),
        request.user,
        enterprise="pk",
    )
    return get_object_or_404(visible, public_id=public_id)


def _report(request, outcome: training.Outcome) -> None:
    if not outcome.suppliers:
        messages.info(request, _("No supplier of this business is known yet."))
        return
    if outcome.enrolled:
        messages.success(
            request,
            ngettext(
                "%(count)s supplier enrolled in %(cohort)s: %(names)s.",
                "%(count)s suppliers enrolled in %(cohort)s: %(names)s.",
                len(outcome.enrolled),
            )
            % {
                "count": len(outcome.enrolled),
                "cohort": outcome.cohort.name,
                "names": ", ".join(supplier.name for supplier, _e, _s in outcome.enrolled),
            },
        )
    for supplier, _reason, detail in outcome.refused:
        messages.error(
            request,
            _("%(name)s was not enrolled: %(reason)s") % {"name": supplier.name, "reason": detail},
        )


@login_required
def business(request, public_id: str):
    """The business's suppliers and buyers; on POST, its suppliers enrolled into the cohort
    chosen (Post/Redirect/Get, the outcome in the messages)."""
    enterprise = _business(request, public_id)
    cohorts = training.cohorts_open_to(request.user)
    if request.method == "POST":
        chosen = next((c for c in cohorts if c.public_id == request.POST.get("cohort", "")), None)
        if chosen is None:
            raise Http404
        try:
            outcome = training.enrol_suppliers(cohort=chosen, processor=enterprise, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            _report(request, outcome)
        return redirect(request.path)
    return render(
        request,
        "supply/training_business.html",
        {
            "enterprise": enterprise,
            "suppliers": queries.suppliers_of(enterprise),
            "buyers": queries.buyers_of(enterprise),
            "cohorts": cohorts,
        },
    )


urlpatterns = [
    path("konsol/rantai-pasok/usaha/<str:public_id>/", business, name="console-business"),
]
