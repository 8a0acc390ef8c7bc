"""The work this app gives a person, for the landing after sign-in and the console home.

A mentor with an active mentor profile works in the mentor app (``/pendamping/``): the same
two conditions the mentor app checks (the mentor role through a membership, and the profile).
A halal-process mentor with the role but no profile has no mentor app; the licensing app gives
them their cases. See ``tumbuh.accounts.work`` for the registry of work.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts.permissions import Capability
from tumbuh.accounts.work import Specificity, Work
from tumbuh.programmes.mentor import caseload


def work_for(user, held) -> list[Work]:
    if not held.get(Capability.MENTOR_CASELOAD):
        return []
    mentor = caseload.mentor_for(user)
    if mentor is None:
        return []
    businesses = caseload.caseload(mentor).count()
    return [
        Work(
            title=_("Your mentoring: caseload, sessions and visits"),
            url=reverse("programmes:mentor-home"),
            specificity=Specificity.CASELOAD,
            detail=ngettext(
                "%(count)d business in your caseload",
                "%(count)d businesses in your caseload",
                businesses,
            )
            % {"count": businesses},
        )
    ]
