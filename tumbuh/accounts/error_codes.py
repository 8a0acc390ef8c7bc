"""Every code the accounts app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: tests and callers rely on them. Add a code here before raising it; never
rename one. An actor that may not act at all is ``PermissionDenied``, not a code.
"""

from enum import StrEnum


class AccountsError(StrEnum):
    UNKNOWN_KIND = "unknown_kind"
    ROLE = "role"  # an unknown role
    SCOPE_LEVEL = "scope_level"
    SCOPE_OUTSIDE_ORGANISATION = "scope_outside_organisation"
