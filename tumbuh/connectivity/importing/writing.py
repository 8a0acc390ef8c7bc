"""Writing the clean rows to the ledger: created, updated or unchanged, rows locked in key
order, a site's status changes recorded as events.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.utils import timezone

from tumbuh.accounts.models import User
from tumbuh.connectivity.importing.common import _chunks
from tumbuh.connectivity.importing.rows import Clean
from tumbuh.connectivity.models import (
    ConnectivityImport,
    PointOfPresence,
    Site,
    SiteEvent,
    VillageFact,
)

# A site status's own date column, which dates the SiteEvent of a change to it.
STATUS_DATES = {
    Site.Status.PLANNED: "planned_on",
    Site.Status.CONTRACTED: "contracted_on",
    Site.Status.ON_AIR: "on_air_on",
}
SITE_FIELDS = [
    "name", "latitude", "longitude", "village_id", "technology", "terrain", "status",
    "backhaul", "funding", "planned_on", "contracted_on", "built_on", "on_air_on", "source",
    "source_date",
]  # fmt: skip
POP_FIELDS = ["name", "operator", "latitude", "longitude", "village_id", "source", "source_date"]


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _locked(model: type[Model], pks: Iterable[int]) -> list:
    """Rows by primary key, locked in key order (a no-op on SQLite, which has one writer)."""
    found = []
    for chunk in _chunks(sorted(pks)):
        found += model.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
    return found


def _apply(instance: Model, values: dict, names: list[str]) -> bool:
    """Set the stated values that differ; True when anything changed."""
    changed = False
    for name in names:
        if name in values and getattr(instance, name) != values[name]:
            setattr(instance, name, values[name])
            changed = True
    return changed


def _village_for(row: Clean, existing) -> str:
    """The named village; else the one the ledger has if the place is the same; else the nearest."""
    if row.village_code:
        return row.village_code
    if existing is not None and (existing.latitude, existing.longitude) == (
        row.latitude,
        row.longitude,
    ):
        return existing.village_id
    return row.nearest_code


def _event_date(site: Site) -> datetime.date:
    """A status change happened on the status's own date when the file gives it, else on the
    date of the source that reports it."""
    own = STATUS_DATES.get(site.status)
    return (getattr(site, own) if own else None) or site.source_date


def write_sites(rows: list[Clean], *, by: User | None, note: str) -> Written:
    written = Written()
    pks = []
    for chunk in _chunks(rows):
        keys = {row.key for row in chunk}
        pks += [
            pk
            for pk, operator, code in Site.objects.filter(
                operator__in={operator for operator, _code in keys},
                code__in={code for _operator, code in keys},
            ).values_list("pk", "operator", "code")
            if (operator, code) in keys
        ]
    existing = {(site.operator, site.code): site for site in _locked(Site, pks)}
    new, changed, events = [], [], []
    now = timezone.now()
    for row in rows:
        site = existing.get(row.key)
        values = {**row.values, "village_id": _village_for(row, site)}
        if site is None:
            site = Site(**values)
            new.append(site)
            events.append((site, ""))
            continue
        old_status = site.status
        if _apply(site, values, SITE_FIELDS):
            site.updated_at = now
            changed.append(site)
            if site.status != old_status:
                events.append((site, old_status))
        else:
            written.unchanged += 1
    Site.objects.bulk_create(new, batch_size=1000)
    Site.objects.bulk_update(changed, [*SITE_FIELDS, "updated_at"], batch_size=1000)
    SiteEvent.objects.bulk_create(
        SiteEvent(
            site=site,
            from_status=from_status,
            to_status=site.status,
            occurred_on=_event_date(site),
            note=note[:300],
            by=by,
        )
        for site, from_status in events
    )
    written.created, written.updated = len(new), len(changed)
    return written


def write_points_of_presence(rows: list[Clean]) -> Written:
    written = Written()
    codes = [row.key[0] for row in rows]
    pks = []
    for chunk in _chunks(codes):
        pks += PointOfPresence.objects.filter(code__in=chunk).values_list("pk", flat=True)
    existing = {point.code: point for point in _locked(PointOfPresence, pks)}
    new, changed = [], []
    for row in rows:
        point = existing.get(row.key[0])
        values = {**row.values, "village_id": _village_for(row, point)}
        if point is None:
            new.append(PointOfPresence(**values))
        elif _apply(point, values, POP_FIELDS):
            changed.append(point)
        else:
            written.unchanged += 1
    now = timezone.now()
    for point in changed:
        point.updated_at = now
    PointOfPresence.objects.bulk_create(new, batch_size=1000)
    PointOfPresence.objects.bulk_update(changed, [*POP_FIELDS, "updated_at"], batch_size=1000)
    written.created, written.updated = len(new), len(changed)
    return written


def write_facts(rows: list[Clean], *, by: User | None, batch: ConnectivityImport) -> Written:
    written = Written()
    villages = sorted({row.village_code for row in rows})
    pks = []
    for chunk in _chunks(villages):
        pks += VillageFact.objects.filter(village_id__in=chunk).values_list("pk", flat=True)
    existing = {
        (fact.village_id, fact.layer, fact.value, fact.source, fact.observed_on): fact
        for fact in _locked(VillageFact, pks)
    }
    new, changed = [], []
    for row in rows:
        fact = existing.get(row.key)
        if fact is None:
            new.append(VillageFact(**row.values, batch=batch, recorded_by=by))
        elif _apply(fact, row.values, ["detail"]):
            changed.append(fact)
        else:
            written.unchanged += 1
    VillageFact.objects.bulk_create(new, batch_size=1000)
    VillageFact.objects.bulk_update(changed, ["detail"], batch_size=1000)
    written.created, written.updated = len(new), len(changed)
    return written
