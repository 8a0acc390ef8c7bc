"""Every code the regions app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: pages and tests rely on them. Add a code here before raising it; never
rename one. Editing priority areas without the right to is ``PermissionDenied``, not a code.
"""

from enum import StrEnum


class RegionsError(StrEnum):
    # Priority areas, edited by ministry staff
    NAME_EMPTY = "name_empty"
    UNKNOWN_REGENCY = "unknown_regency"
    UNKNOWN_ROLE = "unknown_role"
    NO_REGENCIES = "no_regencies"
