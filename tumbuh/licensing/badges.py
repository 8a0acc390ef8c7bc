"""Which businesses hold a valid halal certificate: what the store and catalogue parts read.

Only certificates issued at the end of a halal case count (a ``HalalCertificate`` row exists
only then) and only while in force on the given day. A certificate issued to a record that was
later merged into another business counts for the surviving business.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from tumbuh.licensing.models import HalalCertificate


@dataclass(frozen=True)
class HalalBadge:
    """A valid halal certificate of a business, as the store shows it on a product."""

    enterprise_id: int
    certificate_number: str
    valid_until: datetime.date
    product_names: tuple[str, ...]


def _today() -> datetime.date:
    return timezone.localdate()


def valid_halal_certificates(
    enterprise_ids: Iterable[int], *, on: datetime.date | None = None
) -> dict[int, list[HalalBadge]]:
    """The certificates in force on ``on`` (default today) of each of ``enterprise_ids``.

    Every asked id is a key (an empty list when it holds none); one query.
    """
    ids = {int(pk) for pk in enterprise_ids}
    found: dict[int, list[HalalBadge]] = {pk: [] for pk in ids}
    if not ids:
        return found
    rows = (
        HalalCertificate.objects.valid_on(on or _today())
        .filter(Q(enterprise_id__in=ids) | Q(enterprise__merged_into_id__in=ids))
        .values_list(
            "enterprise_id", "enterprise__merged_into_id", "number", "valid_until", "product_names"
        )
        .order_by("valid_until", "number")
    )
    for enterprise_id, merged_into_id, number, valid_until, product_names in rows:
        owner = enterprise_id if enterprise_id in ids else merged_into_id
        found[owner].append(
            HalalBadge(
                enterprise_id=owner,
                certificate_number=number,
                valid_until=valid_until,
                product_names=tuple(product_names),
            )
        )
    return found


def halal_certified_enterprise_ids(*, on: datetime.date | None = None) -> set[int]:
    """Ids of the businesses holding at least one certificate in force on ``on`` (default today).

    Both the record the certificate was issued to and, when that record was merged, the
    business it was merged into are included, so a catalogue filter works on either id.
    """
    ids: set[int] = set()
    rows = HalalCertificate.objects.valid_on(on or _today()).values_list(
        "enterprise_id", "enterprise__merged_into_id"
    )
    for enterprise_id, merged_into_id in rows:
        ids.add(enterprise_id)
        if merged_into_id:
            ids.add(merged_into_id)
    return ids
