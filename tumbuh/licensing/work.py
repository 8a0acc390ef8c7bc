"""The work this app gives a person, for the landing after sign-in and the console home.

A mentor (the role, through a membership) works on the NIB and halal cases assigned to them:
a halal-process mentor often has no programmes mentor profile, so this is where their work is.
A mentor with no open case assigned still works here: they may start cases for businesses of
their region. Programme staff have the licensing console among their console pages. See
``tumbuh.accounts.work`` for the registry of work.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts.permissions import Capability
from tumbuh.accounts.work import Specificity, Work
from tumbuh.licensing.models import HalalCase, NibCase


def _open_cases(model, user) -> int:
    return model.objects.filter(assigned_mentor=user).exclude(step=model.Step.ISSUED).count()


def _open_detail(count: int) -> str:
    return ngettext("%(count)d open case", "%(count)d open cases", count) % {"count": count}


def work_for(user, held) -> list[Work]:
    found = []
    if held.get(Capability.MENTOR_CASELOAD):
        halal = _open_cases(HalalCase, user)
        nib = _open_cases(NibCase, user)
        if halal:
            found.append(
                Work(
                    title=_("Halal certification cases assigned to you"),
                    url=reverse("licensing:halal-list") + "?mentor=me",
                    specificity=Specificity.CASES,
                    detail=_open_detail(halal),
                )
            )
        if nib:
            found.append(
                Work(
                    title=_("NIB cases assigned to you"),
                    url=reverse("licensing:nib-list") + "?mentor=me",
                    specificity=Specificity.CASES,
                    detail=_open_detail(nib),
                )
            )
        if not found:
            found.append(
                Work(
                    title=_("NIB and halal assistance"),
                    url=reverse("licensing:console-home"),
                    specificity=Specificity.CASES,
                    detail=_("No open case is assigned to you."),
                )
            )
    if Capability.RUN_PROGRAMMES in held:
        found.append(
            Work(
                title=_("NIB and halal assistance in your regions"),
                url=reverse("licensing:console-home"),
                specificity=Specificity.CONSOLE,
                memberships=tuple(held[Capability.RUN_PROGRAMMES]),
            )
        )
    return found
