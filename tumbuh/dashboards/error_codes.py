"""Every code the dashboards app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: the API answers them as ``code``, pages and tests rely on them. Add a
code here before raising it; never rename one.
"""

from enum import StrEnum


class DashboardsError(StrEnum):
    UNKNOWN_REGION = "unknown_region"
    UNKNOWN_MILESTONE = "unknown_milestone"
    YEAR_OUT_OF_RANGE = "year_out_of_range"
    TARGET_NOT_ALLOWED = "target_not_allowed"
