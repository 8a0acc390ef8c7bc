# The SQL is built from this module's constants only; values are parameters.
# ruff: noqa: S608
"""Folding the registry's changes into the onboarding rollups, and rebuilding them.

The triggers (migration 0002) write every change to the counted facts to
``dashboards_onboardingchange``. :func:`apply_changes` takes the pending changes (deleting them
in the same statement, so two folds never take the same change), groups them by village, kind,
scale, milestone and day into a temporary table, and adds the groups to every level of
:class:`~tumbuh.dashboards.models.OnboardingCount` (village to national) and of
:class:`~tumbuh.dashboards.models.OnboardingSeries` (months down to the district, weeks down to
the province) with one upsert per level. :func:`rebuild` fills the same temporary table from
the registry itself and folds it into emptied rollups: one path, so the two cannot disagree by
construction of the sums, only by a missed change — which the agreement test looks for.

Reading a dashboard calls :func:`refresh`: it folds what is pending if no other fold is running
(a few milliseconds for the changes of a few seconds) and otherwise shows the figures as of the
last fold. Large batches (an import of a million rows) are folded by ``tumbuh apply_rollups``
or by the next page, in slices of :data:`FOLD_SLICE` changes.
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from tumbuh.dashboards.models import CODE_LENGTH, Level, OnboardingSeries, RollupClock

CLOCK = "onboarding"
FOLD_SLICE = 250_000  # changes taken per statement; a slice of 250,000 folds in a few seconds
ADVISORY_LOCK = 0x7475_6D62  # "tumb": one fold or rebuild at a time (PostgreSQL)

PENDING = "dashboards_pending"
PENDING_COLUMNS = "village_id, enterprise_kind, scale, milestone, day, delta"


@dataclass(frozen=True)
class Fold:
    """What one call folded: changes taken, the groups they made, and how long it took."""

    changes: int
    groups: int
    seconds: float
    skipped: bool = False  # another fold or rebuild held the lock


def _code(level: Level) -> str:
    length = CODE_LENGTH[level]
    return f"substr(p.village_id, 1, {length})" if length else "''"


def _parent(level: Level) -> str:
    return _code(Level(level - 1)) if level > Level.NATIONAL else "''"


def _start(period: str) -> str:
    postgresql = connection.vendor == "postgresql"
    if period == OnboardingSeries.Period.MONTH:
        return (
            "CAST(date_trunc('month', p.day) AS date)"
            if postgresql
            else "date(p.day, 'start of month')"
        )
    if postgresql:
        return "CAST(date_trunc('week', p.day) AS date)"
    return "date(p.day, '-' || ((CAST(strftime('%w', p.day) AS integer) + 6) % 7) || ' days')"


# 3T follows the regency of the change's village.
_FROM = "FROM {source} p LEFT JOIN regions_regency r ON r.code = substr(p.village_id, 1, 5)"
_IS_3T = "coalesce(r.is_3t, false)"
SERIES_LEVELS = {
    OnboardingSeries.Period.MONTH: (Level.NATIONAL, Level.PROVINCE, Level.REGENCY, Level.DISTRICT),
    OnboardingSeries.Period.WEEK: (Level.NATIONAL, Level.PROVINCE),
}


def _group_by(*expressions: str) -> str:
    """PostgreSQL refuses a constant in GROUP BY (the national level's empty codes)."""
    return ", ".join(expression for expression in expressions if expression not in ("", "''"))


def _count_upsert(level: Level, source: str = PENDING, *, upsert: bool = True) -> str:
    """Add ``source``'s facts (village, kind, scale, milestone, day, delta) at ``level``.

    Without ``upsert`` the rows are inserted plainly (an emptied table: the rebuild).
    """
    code, parent = _code(level), _parent(level)
    conflict = (
        " ON CONFLICT (region_code, is_3t, enterprise_kind, scale, milestone) "
        "DO UPDATE SET count = dashboards_onboardingcount.count + excluded.count"
    )
    return (
        "INSERT INTO dashboards_onboardingcount "
        "(level, region_code, parent_code, is_3t, enterprise_kind, scale, milestone, count) "
        f"SELECT {int(level)}, {code}, {parent}, {_IS_3T}, p.enterprise_kind, p.scale, "
        f"p.milestone, CAST(sum(p.delta) AS bigint) {_FROM.format(source=source)} WHERE true "
        f"GROUP BY {_group_by(code, parent, _IS_3T, 'p.enterprise_kind', 'p.scale', 'p.milestone')}"
        + (conflict if upsert else "")
    )


def _series_upsert(period: str, level: Level, source: str = PENDING, *, upsert=True) -> str:
    code, parent, start = _code(level), _parent(level), _start(period)
    conflict = (
        " ON CONFLICT (period, region_code, start, is_3t, enterprise_kind, milestone) "
        "DO UPDATE SET count = dashboards_onboardingseries.count + excluded.count"
    )
    return (
        "INSERT INTO dashboards_onboardingseries "
        "(period, start, level, region_code, parent_code, is_3t, enterprise_kind, milestone, count) "
        f"SELECT '{period}', {start}, {int(level)}, {code}, {parent}, {_IS_3T}, "
        f"p.enterprise_kind, p.milestone, CAST(sum(p.delta) AS bigint) "
        f"{_FROM.format(source=source)} WHERE true "
        f"GROUP BY {_group_by(start, code, parent, _IS_3T, 'p.enterprise_kind', 'p.milestone')}"
        + (conflict if upsert else "")
    )


def _rolled_up(table: str, level: Level, *, period: str = "") -> str:
    """Rows of ``level`` summed from the rows one level down of the same (empty) rollup."""
    length = CODE_LENGTH[level]
    code = f"substr(c.region_code, 1, {length})" if length else "''"
    parent_length = CODE_LENGTH[Level(level - 1)] if level > Level.NATIONAL else 0
    parent = f"substr(c.region_code, 1, {parent_length})" if parent_length else "''"
    columns = ["period", "start"] if period else []
    columns += ["level", "region_code", "parent_code", "is_3t", "enterprise_kind"]
    columns += ["milestone"] if period else ["scale", "milestone"]
    values = [f"c.{column}" for column in columns]
    values[values.index("c.level") : values.index("c.parent_code") + 1] = [
        str(int(level)),
        code,
        parent,
    ]
    keys = [value for value in values if value.startswith("c.") or value.startswith("substr")]
    where = f" AND c.period = '{period}'" if period else ""
    return (
        f"INSERT INTO {table} ({', '.join(columns)}, count) SELECT {', '.join(values)}, "
        f"sum(c.count) FROM {table} c WHERE c.level = {int(level) + 1}{where} "
        f"GROUP BY {_group_by(*keys)}"
    )


def _fold_pending(cursor) -> int:
    """Add the temporary table's groups to every rollup; returns the number of groups."""
    cursor.execute(f"SELECT count(*) FROM {PENDING}")
    groups = cursor.fetchone()[0]
    if not groups:
        return 0
    for level in Level:
        cursor.execute(_count_upsert(level))
    for period, levels in SERIES_LEVELS.items():
        for level in levels:
            cursor.execute(_series_upsert(period, level))
    return groups


def _create_pending(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {PENDING} (village_id varchar(13), "
            "enterprise_kind varchar(12), scale varchar(10), milestone varchar(20), day date, "
            "delta bigint)"
        )
    else:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {PENDING} (village_id text, "
            "enterprise_kind text, scale text, milestone text, day date, delta integer)"
        )
    cursor.execute(f"DELETE FROM {PENDING}")


def _take_changes(cursor, limit: int) -> int:
    """Move up to ``limit`` pending changes, grouped, into the temporary table; returns how many."""
    grouped = "village_id, enterprise_kind, scale, milestone, day"
    if connection.vendor == "postgresql":
        # Deleted and returned by one statement: a change committed meanwhile stays for the next
        # fold, and a concurrent fold could not take the same rows.
        cursor.execute(
            "WITH taken AS (DELETE FROM dashboards_onboardingchange WHERE id IN "
            "(SELECT id FROM dashboards_onboardingchange ORDER BY id LIMIT %s) "
            f"RETURNING {PENDING_COLUMNS}) "
            f"INSERT INTO {PENDING} ({PENDING_COLUMNS}) "
            f"SELECT {grouped}, sum(delta) FROM taken GROUP BY {grouped}",
            [limit],
        )
        cursor.execute(f"SELECT coalesce(sum(abs(delta)), 0) FROM {PENDING}")
        return int(cursor.fetchone()[0])
    # SQLite: the transaction holds the database's write lock, so nothing commits in between.
    cursor.execute(
        "SELECT max(id), count(*) FROM (SELECT id FROM dashboards_onboardingchange "
        "ORDER BY id LIMIT %s)",
        [limit],
    )
    last, taken = cursor.fetchone()
    if not taken:
        return 0
    cursor.execute(
        f"INSERT INTO {PENDING} ({PENDING_COLUMNS}) SELECT {grouped}, sum(delta) "
        f"FROM dashboards_onboardingchange WHERE id <= %s GROUP BY {grouped}",
        [last],
    )
    cursor.execute("DELETE FROM dashboards_onboardingchange WHERE id <= %s", [last])
    return taken


def _locked(cursor, *, wait: bool) -> bool:
    """Take the fold lock for this transaction (PostgreSQL); SQLite's write lock is enough."""
    if connection.vendor != "postgresql":
        return True
    if wait:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        return True
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK])
    return bool(cursor.fetchone()[0])


def _touch_clock(*, changes: int, rebuilt: bool = False) -> None:
    now = timezone.now()
    clock, created = RollupClock.objects.get_or_create(
        name=CLOCK, defaults={"as_of": now, "changes_applied": changes}
    )
    if not created:
        clock.as_of = now
        clock.changes_applied += changes
    if rebuilt:
        clock.rebuilt_at = now
    clock.save()


def apply_changes(*, wait: bool = True, slice_size: int = FOLD_SLICE) -> Fold:
    """Fold every pending change into the rollups, a slice at a time; rebuild if never built.

    With ``wait=False`` it returns at once (``skipped``) when another fold or a rebuild runs.
    """
    if not RollupClock.objects.filter(name=CLOCK).exists():
        return rebuild()
    started = time.perf_counter()
    changes = groups = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            if not _locked(cursor, wait=wait):
                return Fold(changes, groups, time.perf_counter() - started, skipped=True)
            _create_pending(cursor)
            taken = _take_changes(cursor, slice_size)
            if taken:
                groups += _fold_pending(cursor)
                cursor.execute(f"DELETE FROM {PENDING}")
            changes += taken
            _touch_clock(changes=taken)
        if taken < slice_size:
            return Fold(changes, groups, time.perf_counter() - started)


def refresh() -> Fold:
    """Fold what is pending unless a fold runs already; what a dashboard calls before reading."""
    if not _has_pending():
        return Fold(0, 0, 0.0)
    return apply_changes(wait=False)


def _has_pending() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM dashboards_onboardingchange LIMIT 1")
        return cursor.fetchone() is not None


def _day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'Asia/Jakarta') AS date)"
    return f"date({column}, '+7 hours')"


def _registry_facts() -> str:
    """Every counted fact of the registry, in the shape of a change (delta 1)."""
    business_day, milestone_day = _day("e.created_at"), _day("m.occurred_at")
    return (
        f"SELECT e.village_id, e.kind AS enterprise_kind, e.scale, '' AS milestone, "
        f"{business_day} AS day, 1 AS delta FROM registry_enterprise e "
        "WHERE e.merged_into_id IS NULL UNION ALL "
        f"SELECT e.village_id, e.kind, e.scale, m.kind, {milestone_day}, 1 "
        "FROM registry_milestone m JOIN registry_enterprise e ON e.id = m.enterprise_id "
        "WHERE e.merged_into_id IS NULL"
    )


def rebuild() -> Fold:
    """Empty the rollups and count them again from the registry, in one transaction.

    On PostgreSQL the change table is locked for the rebuild, so a business written meanwhile
    waits and its change is folded afterwards instead of being lost or counted twice.
    """
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _locked(cursor, wait=True)
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE dashboards_onboardingchange IN SHARE ROW EXCLUSIVE MODE")
            # The groupings of the whole registry sort in memory instead of on disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DELETE FROM dashboards_onboardingchange")
        cursor.execute("DELETE FROM dashboards_onboardingcount")
        cursor.execute("DELETE FROM dashboards_onboardingseries")
        # Each rollup's finest level from the registry, the coarser ones from the finer
        # rows: three reads of the registry instead of one per level.
        facts = f"({_registry_facts()})"
        cursor.execute(_count_upsert(Level.VILLAGE, facts, upsert=False))
        for level in (Level.DISTRICT, Level.REGENCY, Level.PROVINCE, Level.NATIONAL):
            cursor.execute(_rolled_up("dashboards_onboardingcount", level))
        for period, levels in SERIES_LEVELS.items():
            finest, *coarser = sorted(levels, reverse=True)
            cursor.execute(_series_upsert(period, finest, facts, upsert=False))
            for level in coarser:
                cursor.execute(_rolled_up("dashboards_onboardingseries", level, period=period))
        cursor.execute(
            "SELECT coalesce(sum(count), 0), count(*) FROM dashboards_onboardingcount "
            "WHERE level = %s",
            [Level.NATIONAL],
        )
        facts_counted, _rows = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM dashboards_onboardingcount")
        groups = cursor.fetchone()[0]
        RollupClock.objects.filter(name=CLOCK).delete()
        _touch_clock(changes=0, rebuilt=True)
    return Fold(int(facts_counted), groups, time.perf_counter() - started)
