"""The console's sections: the menu of ``base_console.html`` shows only those a person may open.

Each section names the capabilities that open it (any of them), as its views check them: a
seller or a business owner who reaches ``/konsol/`` sees no staff section that would refuse
them. accounts owns the capabilities, so it lists the sections by URL name without importing
the apps behind them.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.permissions import Capability, capabilities

C = Capability
STAFF = frozenset(
    {
        C.VIEW_ORGANISATIONS,
        C.IMPORT_BUSINESSES,
        C.RUN_PROGRAMMES,
        C.MENTOR_CASELOAD,
        C.PLAN_INFRASTRUCTURE,
    }
)


@dataclass(frozen=True)
class Section:
    """One entry of the console menu: who may open it and which pages it covers."""

    label: str
    url_name: str
    opened_by: frozenset[Capability]  # any of these; empty: everyone signed in
    app_name: str = ""  # pages of this app belong to the section
    url_names: tuple[str, ...] = ()  # or pages with these URL names
    national_only: bool = False  # the capability must come from a national membership

    def is_current(self, match) -> bool:
        if match is None:
            return False
        if self.url_names:
            return match.url_name in self.url_names and (
                not self.app_name or match.app_name == self.app_name
            )
        if self.app_name:
            return match.app_name == self.app_name
        return match.view_name == self.url_name


SECTIONS = (
    Section(_("Home"), "accounts:console-home", frozenset(), "accounts", ("console-home",)),
    Section(_("Dashboards"), "dashboards:dashboard", frozenset({C.VIEW_DASHBOARDS}), "dashboards"),
    Section(
        _("Organisations"),
        "accounts:organisation-list",
        frozenset({C.VIEW_ORGANISATIONS}),
        app_name="accounts",
        url_names=("organisation-list", "organisation-detail"),
    ),
    Section(
        _("Priority areas"),
        "regions:area-list",
        frozenset({C.VIEW_ORGANISATIONS, C.RUN_PROGRAMMES}),
        app_name="regions",
        url_names=("area-list", "area-detail", "area-edit"),
    ),
    Section(
        _("Registry"), "registry:enterprise-list", frozenset({C.IMPORT_BUSINESSES}), "registry"
    ),
    Section(
        _("Capability"),
        "capability:console-home",
        frozenset({C.RUN_PROGRAMMES, C.MENTOR_CASELOAD}),
        "capability",
    ),
    Section(
        _("Programmes"), "programmes:console-home", frozenset({C.RUN_PROGRAMMES}), "programmes"
    ),
    Section(
        _("Licensing"),
        "licensing:console-home",
        frozenset({C.RUN_PROGRAMMES, C.MENTOR_CASELOAD}),
        "licensing",
    ),
    Section(
        _("BBI campaigns"),
        "catalogue:console-campaigns",
        frozenset({C.RUN_PROGRAMMES}),
        "catalogue",
        national_only=True,
    ),
    Section(
        _("Supply chains"),
        "supply:console-areas",
        frozenset({C.VIEW_DASHBOARDS}),
        app_name="supply",
        url_names=("console-areas", "console-area", "console-business"),
    ),
    Section(
        _("Connectivity"), "connectivity:home", frozenset({C.PLAN_INFRASTRUCTURE}), "connectivity"
    ),
    Section(
        _("Regions"), "regions:console-picker", STAFF, "regions", url_names=("console-picker",)
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    is_current: bool


def may_open(section: Section, held: dict, *, is_superuser: bool) -> bool:
    if not section.opened_by or is_superuser:
        return True
    granting = [m for capability in section.opened_by for m in held.get(capability, [])]
    if section.national_only:
        return any(membership.is_national for membership in granting)
    return bool(granting)


def console_links(request) -> list[Link]:
    """The menu for the signed-in user of ``request``: one query (their memberships)."""
    user = request.user
    if not user.is_authenticated:
        return []
    held = capabilities(user)
    match = getattr(request, "resolver_match", None)
    links = []
    for section in SECTIONS:
        if not may_open(section, held, is_superuser=user.is_superuser):
            continue
        links.append(Link(str(section.label), reverse(section.url_name), section.is_current(match)))
    return links


def console_sections(request) -> dict:
    """Context processor: ``console_sections``, computed only if a template uses it."""
    return {"console_sections": SimpleLazyObject(lambda: console_links(request))}
