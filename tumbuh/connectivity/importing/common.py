"""What every step of a connectivity import shares: the kinds, how text is compared, chunks
of keys for queries, and the reason for a village code that is not one.
"""

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from tumbuh.connectivity.models import ConnectivityImport

Kind = ConnectivityImport.Kind
CHUNK = 2000


def simple(text: str) -> str:
    """Lower-case letters and digits, single-spaced: how headers and values are compared."""
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _not_a_village(code: str) -> str:
    return _("“%(code)s” is not a village code (e.g. 32.04.12.2001).") % {"code": code}
