"""Every change the dashboards app makes: setting a target (the rollups change by themselves)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.permissions import Capability, capabilities
from tumbuh.accounts.scoping import merged_scope
from tumbuh.core.refusals import Refused
from tumbuh.dashboards.error_codes import DashboardsError
from tumbuh.dashboards.models import Target
from tumbuh.regions.queries import MODELS, level_of
from tumbuh.registry.models import Milestone

FIRST_YEAR, LAST_YEAR = 2020, 2045  # the programme's horizon (Indonesia Emas 2045)


def may_set_target(user: User, region_code: str) -> bool:
    """Government staff set targets for their own region and every region inside it.

    Only the memberships that grant the capability (government offices) give regions: a
    person who is also a partner's admin with national scope gains nothing from it.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    granting = capabilities(user).get(Capability.SET_TARGETS)
    if not granting:
        return False
    return merged_scope(m.region_code for m in granting).allows(region_code)


@transaction.atomic
def set_target(
    *, region_code: str, year: int, milestone: str, count: int, by: User, reason: str = ""
) -> Target:
    """Set the target of ``region_code`` ("" national) for ``milestone`` by the end of ``year``.

    Writes a new row: the previous target stays as history.
    """
    if milestone not in Milestone.Kind.values:
        raise Refused(
            DashboardsError.UNKNOWN_MILESTONE,
            _("Unknown milestone: %(kind)s") % {"kind": milestone},
            field="milestone",
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refused(
            DashboardsError.YEAR_OUT_OF_RANGE,
            _("The year must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field="year",
        )
    model = MODELS.get(level_of(region_code) or "")
    if region_code and (model is None or not model.objects.filter(code=region_code).exists()):
        raise Refused(
            DashboardsError.UNKNOWN_REGION,
            _("There is no region with the code %(code)s.") % {"code": region_code},
            field="region_code",
        )
    if not may_set_target(by, region_code):
        raise PermissionDenied(_("You may not set targets for this region."))
    return Target.objects.create(
        region_code=region_code,
        year=year,
        milestone=milestone,
        count=count,
        reason=reason,
        set_by=by,
        set_at=timezone.now(),
    )
