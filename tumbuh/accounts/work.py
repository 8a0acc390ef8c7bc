"""Where each person's work is: the page they land on after signing in, and the links of the
console home (``/konsol/``).

Work comes from two places:

1. **Console pages**, from the capabilities that memberships grant (``CAPABILITY_PAGES``):
   staff work over an organisation or a region. accounts owns the capabilities, so it lists
   these itself.
2. **Work held through the records of higher apps**: a store a person runs, an active mentor
   profile with its caseload, licensing cases assigned to a mentor, a business a person owns
   or manages. accounts sits below those apps and never imports them, so each declares its
   work in one function of its ``work.py``::

       def work_for(user, held: dict[Capability, list[Membership]]) -> list[Work]: ...

   ``held`` is ``permissions.capabilities(user)``, computed once: a provider that needs a role
   reads the memberships that grant it (``held.get(capability)``), so a superuser, who holds
   every capability without a membership, gets console work only and is never sent to a store
   or a caseload. A provider returns ``[]`` when the person has no such work, and runs a fixed
   number of queries whatever the number of stores, businesses or cases.

   The project's wiring lists these functions in ``settings.WORK_PROVIDERS``, the one registry
   of work; ``work_of`` calls each of them explicitly (no signal, nothing registered on import).
   Its entries today, in their order:

   - ``tumbuh.capability.work.work_for``: the businesses a person owns or manages (registry
     business accounts), at the digital-capability self-assessment, which shows each business
     with its level and next steps (``Specificity.BUSINESS``);
   - ``tumbuh.programmes.work.work_for``: the mentor app (``/pendamping/``) for a mentor with an
     active mentor profile (``Specificity.CASELOAD``);
   - ``tumbuh.licensing.work.work_for``: the NIB and halal cases assigned to a mentor
     (halal-process mentors often have no programmes mentor profile; ``Specificity.CASES``),
     and the licensing console for programme staff (``Specificity.CONSOLE``);
   - ``tumbuh.stores.work.work_for``: the stores a person runs (``/toko-saya/``,
     ``Specificity.STORE``), or opening one for their business (``Specificity.NEXT_STEP``);
   - ``tumbuh.supply.work.work_for``: the supply chain of a person's business (``/rantai-pasok/``:
     offers, requests, suppliers and buyers, B2B orders; ``Specificity.BUSINESS``);
   - ``tumbuh.dashboards.work.work_for``: the dashboard of the programme for government staff
     who view it, with the headline figures of their widest region (``Specificity.CONSOLE``;
     the console home shows those figures first).

Landing (``landing_url``): the most specific work wins; between equally specific work, the
earlier (providers in the order of the setting, each provider's work in its own order). Console
pages come last: those of the capabilities, then those the providers declare.
Staff, whose most specific work is console pages, land on ``/konsol/``, which lists them all; so
does a person with no work at all (the console home says how to get a role). A ``?next=`` given
to the sign-in form still wins when it is safe (``accounts.views.LoginView``).
"""

import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from tumbuh.accounts.models import Membership
from tumbuh.accounts.permissions import Capability, capabilities

# The console page of each capability that has one. The mentor caseload and the store are not
# here: they need a mentor profile or a business account as well as a role, so the programmes
# and stores providers declare them; nor is the dashboard, which the dashboards provider declares
# with its headline figures.
CAPABILITY_PAGES = {
    Capability.VIEW_ORGANISATIONS: "accounts:organisation-list",
    Capability.MANAGE_PRIORITY_AREAS: "regions:area-list",
    Capability.ISSUE_API_KEYS: "accounts:organisation-list",
    Capability.IMPORT_BUSINESSES: "registry:import-list",
    Capability.RUN_PROGRAMMES: "programmes:console-home",
    Capability.PLAN_INFRASTRUCTURE: "connectivity:home",
}


class Specificity(enum.IntEnum):
    """How narrow a piece of work is; a person lands on their most specific work."""

    CONSOLE = 10  # console pages over an organisation or a region
    NEXT_STEP = 20  # something a person may start for their business (open a store)
    BUSINESS = 30  # a business the person owns or manages
    CASES = 40  # cases assigned to the person (NIB, halal)
    CASELOAD = 50  # the businesses a mentor visits
    STORE = 60  # a store the person runs: its orders arrive there


@dataclass(frozen=True)
class Work:
    """One place where a person works: what it is, where, and how specific it is."""

    title: str
    url: str
    specificity: Specificity
    detail: str = ""
    memberships: tuple[Membership, ...] = field(default=(), compare=False)
    # Headline figures shown with the link on the console home: (label, value, note) texts.
    figures: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)


def console_work(held: dict[Capability, list[Membership]]) -> list[Work]:
    """The console pages of the capabilities held, in the order of ``Capability``."""
    return [
        Work(
            title=str(capability.label),
            url=reverse(CAPABILITY_PAGES[capability]),
            specificity=Specificity.CONSOLE,
            memberships=tuple(held[capability]),
        )
        for capability in Capability
        if capability in held and capability in CAPABILITY_PAGES
    ]


def providers() -> list:
    """The functions of ``settings.WORK_PROVIDERS``, imported when first asked for."""
    return [import_string(path) for path in settings.WORK_PROVIDERS]


def work_of(user) -> list[Work]:
    """Everything ``user`` works on, most specific first (stable between equals)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    held = capabilities(user)
    declared = [work for provider in providers() for work in provider(user, held)]
    own = sorted(
        (work for work in declared if work.specificity > Specificity.CONSOLE),
        key=lambda work: -work.specificity,
    )
    console = console_work(held) + [w for w in declared if w.specificity <= Specificity.CONSOLE]
    return own + console


def landing_url(user, work: list[Work] | None = None) -> str:
    """Where ``user`` lands after signing in: their most specific work, or the console home."""
    work = work_of(user) if work is None else work
    for item in work:
        if item.url and item.specificity > Specificity.CONSOLE:
            return item.url
    return reverse("accounts:console-home")
