"""The work this app gives a person, for the landing after sign-in and the console home.

An owner or manager of a registered business (a registry business account) works on that
business; the owner-facing page of a business is the self-assessment, which shows each of the
person's businesses with its digital level since when, the result with its next steps, and the
assessment to take or continue. See ``tumbuh.accounts.work`` for the registry of work.
"""

from django.urls import reverse
from django.utils.translation import ngettext

from tumbuh.accounts.work import Specificity, Work
from tumbuh.registry.services import enterprises_of


def work_for(user, held) -> list[Work]:
    businesses = enterprises_of(user)
    if not businesses:
        return []
    return [
        Work(
            title=ngettext(
                "Your business: its digital level and next steps",
                "Your businesses: their digital level and next steps",
                len(businesses),
            ),
            url=reverse("capability:self-assessment"),
            specificity=Specificity.BUSINESS,
            detail=", ".join(business.name for business in businesses),
        )
    ]
