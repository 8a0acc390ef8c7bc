"""The one write path for merges: many pairs at once, with set-based reads and bulk writes.

A reviewer's single merge and entity resolution's hundreds of thousands of automatic merges go
through :func:`merge_pairs`. For each pair it moves the dropped record's source rows, owners,
KBLI codes and milestones to the kept record, fills the kept record's empty fields, marks the
dropped record ``merged_into``, supersedes its pending review pairs, and writes a
``MergeRecord`` listing everything that moved (so ``unmerge`` can put it back) and an audit
event. Reads are a handful of queries per chunk of pairs, writes are bulk, so a national
resolution applies its merges in minutes rather than hours.
"""

import datetime
import json
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from tumbuh.accounts.models import User
from tumbuh.accounts.services import acting_person
from tumbuh.core.bulk import insert_rows, reserve_ids, select_in, update_rows
from tumbuh.core.models import AuditEvent
from tumbuh.registry.models import (
    EnterpriseKbli,
    MatchCandidate,
    MergeRecord,
    Milestone,
    Ownership,
)

CHUNK_PAIRS = 5_000
FILLABLE_FIELDS = (
    "nib",
    "scale",
    "address",
    "email",
    "phone_hash",
    "phone_encrypted",
    "phone_masked",
)


def roots(pairs, *, keep_older: bool = True) -> list[tuple[int, int, float | None]]:
    """Point every dropped record at the record it finally merges into (no chains).

    ``pairs`` are (keep, drop, probability); a record dropped twice keeps its first (most
    probable) keeper, and a pair whose two ends already share a root is skipped. With
    ``keep_older`` the older (lower id) of two groups survives, as automatic merges want;
    without it the pair's own ``keep`` does, as a reviewer chose.
    """
    parent: dict[int, int] = {}

    def find(node: int) -> int:
        while node in parent:
            node = parent[node]
        return node

    result = []
    for keep, drop, probability in pairs:
        keep_root, drop_root = find(keep), find(drop)
        if keep_root == drop_root:
            continue
        if keep_older and drop_root < keep_root:
            keep_root, drop_root = drop_root, keep_root
        parent[drop_root] = keep_root
        result.append((keep_root, drop_root, probability))
    return [(find(keep), drop, probability) for keep, drop, probability in result]


def merge_pairs(pairs, *, method: str, by: User, keep_older: bool = True) -> list[int]:
    """Merge (keep, drop, probability) pairs of live enterprises; return the MergeRecord ids.

    Pairs whose records are no longer live are skipped. Runs in chunks, each in a transaction.
    ``by`` merges: the merge records name the person (none for the system actor of the commands,
    the demo and the tasks), the audit events every actor.
    """
    ordered = roots(pairs, keep_older=keep_older)
    created: list[int] = []
    for start in range(0, len(ordered), CHUNK_PAIRS):
        with transaction.atomic():
            created += _merge_chunk(ordered[start : start + CHUNK_PAIRS], method=method, by=by)
    return created


def _merge_chunk(pairs, *, method: str, by: User) -> list[int]:
    ids = sorted({pk for keep, drop, _p in pairs for pk in (keep, drop)})
    columns = ["id", "name", "trade_names", "merged_into_id", "village_id", *FILLABLE_FIELDS]
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    rows = {
        row[0]: dict(zip(columns, row, strict=True))
        for row in select_in(
            f"SELECT {', '.join(columns)} FROM registry_enterprise WHERE id IN {{values}}"  # noqa: S608
            f" ORDER BY id{lock}",
            ids,
        )
    }
    for row in rows.values():
        if isinstance(row["trade_names"], str):
            row["trade_names"] = json.loads(row["trade_names"])
        if isinstance(row["phone_encrypted"], memoryview):
            row["phone_encrypted"] = bytes(row["phone_encrypted"])
    # Drops merged into a keep that is itself merged in this chunk were re-rooted by roots().
    live = [
        (keep, drop, probability)
        for keep, drop, probability in pairs
        if keep in rows and drop in rows
        and rows[keep]["merged_into_id"] is None and rows[drop]["merged_into_id"] is None
    ]  # fmt: skip
    if not live:
        return []
    drops = [drop for _k, drop, _p in live]
    keeps = sorted({keep for keep, _d, _p in live})
    keep_of = {drop: keep for keep, drop, _p in live}

    records = defaultdict(list)
    for record_id, enterprise_id in select_in(
        "SELECT id, enterprise_id FROM registry_sourcerecord WHERE enterprise_id IN {values}", drops
    ):
        records[enterprise_id].append(record_id)
    owners = defaultdict(set)
    for enterprise_id, person_id in select_in(
        "SELECT enterprise_id, person_id FROM registry_ownership WHERE enterprise_id IN {values}",
        keeps,
    ):
        owners[enterprise_id].add(person_id)
    drop_owners = select_in(
        "SELECT enterprise_id, person_id, role FROM registry_ownership WHERE enterprise_id IN {values}",
        drops,
    )
    codes = defaultdict(set)
    for enterprise_id, code, version in select_in(
        "SELECT enterprise_id, code, version FROM registry_enterprisekbli WHERE enterprise_id IN {values}",
        keeps,
    ):
        codes[enterprise_id].add((code, version))
    drop_codes = select_in(
        "SELECT enterprise_id, code, version FROM registry_enterprisekbli WHERE enterprise_id IN {values}",
        drops,
    )
    keep_milestones: dict[int, dict[str, list]] = defaultdict(dict)
    for milestone_id, enterprise_id, kind, occurred_at, source in select_in(
        "SELECT id, enterprise_id, kind, occurred_at, source FROM registry_milestone "
        "WHERE enterprise_id IN {values}",
        keeps,
    ):
        keep_milestones[enterprise_id][kind] = [milestone_id, _aware(occurred_at), source]
    drop_milestones = defaultdict(list)
    for row in select_in(
        "SELECT id, enterprise_id, kind, occurred_at, source FROM registry_milestone "
        "WHERE enterprise_id IN {values}",
        drops,
    ):
        drop_milestones[row[1]].append((*row[:3], _aware(row[3]), row[4]))

    moved = {
        drop: {"records": records.get(drop, []), "ownerships": [], "kbli": [], "milestones": [],
               "milestones_removed": [], "filled": {}, "trade_names_added": []}
        for drop in drops
    }  # fmt: skip
    new_owners, new_codes, moved_milestones, deleted_milestones = [], [], [], []
    keep_milestone_updates = {}
    for enterprise_id, person_id, role in drop_owners:
        keep = keep_of[enterprise_id]
        if person_id not in owners[keep]:
            owners[keep].add(person_id)
            new_owners.append((keep, person_id, role))
            moved[enterprise_id]["ownerships"].append([person_id, role])
    for enterprise_id, code, version in drop_codes:
        keep = keep_of[enterprise_id]
        if (code, version) not in codes[keep]:
            codes[keep].add((code, version))
            new_codes.append((keep, code, version))
            moved[enterprise_id]["kbli"].append([code, version])
    for drop in drops:
        keep = keep_of[drop]
        for milestone_id, _e, kind, occurred_at, source in drop_milestones.get(drop, []):
            current = keep_milestones[keep].get(kind)
            if current is None:
                keep_milestones[keep][kind] = [milestone_id, occurred_at, source]
                moved_milestones.append((keep, milestone_id))
                moved[drop]["milestones"].append(milestone_id)
                continue
            moved[drop]["milestones_removed"].append(
                {"kind": kind, "occurred_at": occurred_at.isoformat(), "source": source,
                 "keep_occurred_at": current[1].isoformat(), "keep_source": current[2]}
            )  # fmt: skip
            if occurred_at < current[1]:
                current[1], current[2] = occurred_at, source
                keep_milestone_updates[current[0]] = (occurred_at, source)
            deleted_milestones.append(milestone_id)

    # Fields the kept record lacks come from the dropped one; its other name becomes a trade name.
    cleared_nibs = []
    changed_keeps = set()
    for keep, drop, _p in live:
        kept, dropped = rows[keep], rows[drop]
        for field in FILLABLE_FIELDS:
            if dropped[field] and not kept[field]:
                kept[field] = dropped[field]
                moved[drop]["filled"][field] = True
                changed_keeps.add(keep)
                if field == "nib":
                    cleared_nibs.append(drop)
        if dropped["name"] != kept["name"] and dropped["name"] not in kept["trade_names"]:
            kept["trade_names"] = [*kept["trade_names"], dropped["name"]]
            moved[drop]["trade_names_added"].append(dropped["name"])
            changed_keeps.add(keep)

    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value  # raw SQL gets what the ORM would store
    update_rows(
        "registry_sourcerecord",
        "enterprise_id",
        ["enterprise_id"],
        [(keep_of[drop], drop) for drop in drops if records.get(drop)],
    )
    # NIB is unique: taken off the dropped records before a kept one is given it.
    update_rows("registry_enterprise", "id", ["nib"], [(None, drop) for drop in cleared_nibs])
    update_rows(
        "registry_enterprise",
        "id",
        ["merged_into_id", "updated_at"],
        [(keep_of[drop], stamp(now), drop) for drop in drops],
    )
    update_rows(
        "registry_enterprise",
        "id",
        [*FILLABLE_FIELDS, "trade_names", "updated_at"],
        [
            (*[rows[keep][field] for field in FILLABLE_FIELDS],
             json.dumps(rows[keep]["trade_names"], ensure_ascii=False), stamp(now), keep)
            for keep in sorted(changed_keeps)
        ],
    )  # fmt: skip
    update_rows("registry_milestone", "id", ["enterprise_id"], moved_milestones)
    update_rows(
        "registry_milestone",
        "id",
        ["occurred_at", "source"],
        [(stamp(when), source, pk) for pk, (when, source) in keep_milestone_updates.items()],
    )
    if deleted_milestones:
        Milestone.objects.filter(pk__in=deleted_milestones).delete()
    insert_rows(Ownership, ["enterprise", "person", "role"], new_owners)
    insert_rows(EnterpriseKbli, ["enterprise", "code", "version"], new_codes)
    MatchCandidate.objects.filter(
        enterprise_low__in=drops, status=MatchCandidate.Status.PENDING
    ).update(status=MatchCandidate.Status.SUPERSEDED)
    MatchCandidate.objects.filter(
        enterprise_high__in=drops, status=MatchCandidate.Status.PENDING
    ).update(status=MatchCandidate.Status.SUPERSEDED)

    record_ids = reserve_ids(MergeRecord, len(live))
    person = acting_person(by)
    person_id = person.pk if person is not None else None
    actor_id = by.pk if getattr(by, "is_authenticated", False) else None
    insert_rows(
        MergeRecord,
        ["id", "kept", "dropped", "method", "probability", "moved", "merged_by", "merged_at"],
        [(record_id, keep, drop, method, probability, moved[drop], person_id, now)
         for record_id, (keep, drop, probability) in zip(record_ids, live, strict=True)],
    )  # fmt: skip
    insert_rows(
        AuditEvent,
        ["created_at", "actor", "action", "target_type", "target_id", "region_code", "data"],
        [(now, actor_id, "registry.merged", "registry.mergerecord", str(record_id),
          rows[keep]["village_id"], {"kept": keep, "dropped": drop, "method": method})
         for record_id, (keep, drop, _p) in zip(record_ids, live, strict=True)],
    )  # fmt: skip
    return record_ids


def _aware(value):
    """A datetime read with raw SQL: SQLite gives naive UTC, PostgreSQL an aware value."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)
