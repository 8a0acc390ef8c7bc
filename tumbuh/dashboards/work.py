"""The work this app gives a person, for the console home (``/konsol/``).

Government staff who view dashboards work on the programme's figures: their dashboard is among
their console pages, with the headline figures of their widest region (businesses and stores
live against their targets, as of the last fold of the rollups), so the console home answers
"where do we stand" before a click. See ``tumbuh.accounts.work`` for the registry of work.
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.permissions import Capability
from tumbuh.accounts.work import Specificity, Work
from tumbuh.core.money import decimal_text, thousands
from tumbuh.dashboards import queries


def _value(figure: queries.Figure) -> str:
    if figure.target is None:
        return thousands(figure.count)
    return _("%(count)s of %(target)s (%(percent)s%%)") % {
        "count": thousands(figure.count),
        "target": thousands(figure.target),
        "percent": decimal_text(figure.percent),
    }


def _note(figure: queries.Figure) -> str:
    return _("%(count)s in 3T regencies") % {"count": thousands(figure.count_3t)}


def work_for(user, held) -> list[Work]:
    scope = queries.dashboard_scope(user, held)
    if scope is None:
        return []
    homes = queries.home_regions(scope)
    region = queries.find_region(homes[0]) if homes else None
    if region is None:
        return []
    figures, as_of = queries.headline(region)
    detail = region.name
    if as_of is not None:
        when = formats.date_format(timezone.localtime(as_of), "DATETIME_FORMAT")
        detail = _("%(region)s, as of %(when)s") % {"region": region.name, "when": when}
    return [
        Work(
            title=_("Programme dashboard"),
            url=reverse("dashboards:dashboard"),
            specificity=Specificity.CONSOLE,
            detail=detail,
            memberships=tuple(held.get(Capability.VIEW_DASHBOARDS, ())),
            figures=tuple((figure.label, _value(figure), _note(figure)) for figure in figures),
        )
    ]
