"""The region filter, in one place: rows of a region and of every region inside it.

Kemendagri codes nest with dots: province "53", regency "53.71", district "53.71.01", village
"53.71.01.1001". A region's rows are those whose code *is* the region's code or starts with it
*and a dot*: "53" takes "53.71.01.1001" but never "530…" or "53x", and "53.7" is not a prefix of
"53.71". Every query that filters by a region (console filters, API parameters, scopes) builds its
condition with :func:`region_q`; a check of one code in Python uses :func:`in_region`, the same
rule.
"""

from django.db.models import Q

__all__ = ["in_region", "region_q"]


def region_q(field: str, code: str) -> Q:
    """A condition on the region-code column ``field``: ``code`` itself and every region in it.

    An empty ``code`` is the whole country (no condition).
    """
    if not code:
        return Q()
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})


def in_region(code: str, region: str) -> bool:
    """Whether ``code`` is the region ``region`` or lies inside it ("" = the whole country)."""
    return not region or code == region or code.startswith(f"{region}.")
