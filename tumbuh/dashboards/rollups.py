# The SQL is built from this module's constants only; values are parameters.
# ruff: noqa: S608
"""Folding the registry's changes into the onboarding rollups, and rebuilding them.

The triggers (migration 0002) write every change to the counted facts to
``dashboards_onboardingchange``. :func:`apply_changes` takes the pending changes (deleting them
in the same statement, so two folds never take the same change), groups them by village, kind,
scale, milestone and day into a temporary table, and adds the groups to every level of
:class:`~tumbuh.dashboards.models.OnboardingCount` (village to national) and of
:class:`~tumbuh.dashboards.models.OnboardingSeries` (months down to the district, weeks down to
the province) with one upsert per level. :func:`rebuild` counts everything again from the
registry: one read of it sums the facts at the finest grain of each rollup (village counts,
district months, regency weeks) into a temporary table, from which the emptied rollups are
filled level by level. The two paths share the definition of a fact and of each level's rows,
and the agreement test checks after random changes that they end equal.

Reading a dashboard calls :func:`refresh`: it folds what is pending if no other fold is running
(a few milliseconds for the changes of a few seconds) and otherwise shows the figures as of the
last fold. Large batches (an import of a million rows) are folded by ``tumbuh apply_rollups``
or by the next page, in slices of :data:`FOLD_SLICE` changes.
"""

import logging
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from tumbuh.dashboards.models import CODE_LENGTH, Level, OnboardingSeries, RollupClock

logger = logging.getLogger(__name__)

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


def _rolled_up(table: str, level: Level, *, period: str = "", ordered: bool = False) -> str:
    """Rows of ``level`` summed from the rows one level down of the same (empty) rollup.

    ``ordered``: inserted in the order of the rollup's key (:func:`_in_key_order`).
    """
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
        + (_in_key_order(code, *(["c.start"] if period else [])) if ordered and length else "")
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


# A page's read may build the rollups that were never built only for a registry this small: the
# rebuild reads the whole registry (about 21 s at 1 M businesses). At 30 M it spilled more than
# 14 GB of temporary files within three minutes (docs/scale.md); a bulk load that large is
# followed by ``tumbuh rebuild_rollups``, run by the operator, not by a visitor's request.
REBUILD_IN_REQUEST_LIMIT = 200_000


def refresh() -> Fold:
    """Fold what is pending unless a fold runs already; what a dashboard calls before reading.

    Rollups never built are built here only for a registry of at most
    ``REBUILD_IN_REQUEST_LIMIT`` businesses; a larger one keeps its changes pending, and the
    pages show the rollups as they are, until ``tumbuh rebuild_rollups`` runs."""
    if not _has_pending():
        return Fold(0, 0, 0.0)
    if not RollupClock.objects.filter(name=CLOCK).exists() and _registry_is_large():
        logger.warning(
            "The rollups were never built and the registry is too large to build them in a "
            "request: run `tumbuh rebuild_rollups`."
        )
        return Fold(0, 0, 0.0, skipped=True)
    return apply_changes(wait=False)


def _registry_is_large() -> bool:
    """Whether the business table holds more than ``REBUILD_IN_REQUEST_LIMIT`` rows, merged
    records included (a rebuild reads them all): the planner's estimate on PostgreSQL (no row
    read), a count up to the limit on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = 'registry_enterprise'::regclass"
            )
            estimate = cursor.fetchone()[0]
            if estimate >= 0:  # -1: never analysed
                return estimate > REBUILD_IN_REQUEST_LIMIT
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM registry_enterprise LIMIT %s) AS first",
            [REBUILD_IN_REQUEST_LIMIT + 1],
        )
        return cursor.fetchone()[0] > REBUILD_IN_REQUEST_LIMIT


def _has_pending() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM dashboards_onboardingchange LIMIT 1")
        return cursor.fetchone() is not None


def _day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'Asia/Jakarta') AS date)"
    return f"date({column}, '+7 hours')"


def _registry_facts(ids: tuple[int, int] | None = None) -> str:
    """Every counted fact of the registry, in the shape of a change (delta 1); with ``ids``,
    those of the businesses whose id is in ``[low, high)`` (read through both primary keys)."""
    business_day, milestone_day = _day("e.created_at"), _day("m.occurred_at")
    businesses = milestones = ""
    if ids is not None:
        low, high = (int(bound) for bound in ids)
        businesses = f" AND e.id >= {low} AND e.id < {high}"
        milestones = f" AND m.enterprise_id >= {low} AND m.enterprise_id < {high}"
    return (
        f"SELECT e.village_id, e.kind AS enterprise_kind, e.scale, '' AS milestone, "
        f"{business_day} AS day, 1 AS delta FROM registry_enterprise e "
        f"WHERE e.merged_into_id IS NULL{businesses} UNION ALL "
        f"SELECT e.village_id, e.kind, e.scale, m.kind, {milestone_day}, 1 "
        "FROM registry_milestone m JOIN registry_enterprise e ON e.id = m.enterprise_id "
        f"WHERE e.merged_into_id IS NULL{businesses}{milestones}"
    )


# The rebuild's one read of the registry: its facts summed at the three grains the rollups
# start from. ``grain`` V: village × kind × scale × milestone (the counts); M: district × kind ×
# milestone × month; W: regency × kind × milestone × week (the weekly series stop at the
# province, but a province's rows split into 3T and the rest, and 3T follows the regency).
REBUILT = "dashboards_rebuilt"
# On PostgreSQL the registry is read in ranges of this many business ids, one statement each.
# A single statement over a 30 M registry hashed 30 M businesses for the join and 94 M facts for
# the grouping: past ``work_mem`` both spilled, more than 14 GB of temporary files within three
# minutes. A range's hash tables are bounded by the range, and both tables are read once, in
# primary-key order, over all the ranges.
REBUILD_RANGE = 2_000_000
REBUILT_PARTS = "dashboards_rebuilt_parts"
_GRAIN_KEY = "grain, code, enterprise_kind, scale, milestone, start"


def _fill_rebuilt(cursor, *, id_range: int | None = None) -> None:
    """Read the registry into the temporary table :data:`REBUILT`: once on SQLite, one range of
    ``id_range`` business ids at a time on PostgreSQL (default :data:`REBUILD_RANGE`)."""
    cursor.execute(f"DROP TABLE IF EXISTS {REBUILT}")
    if connection.vendor == "postgresql":
        cursor.execute("SELECT min(id), max(id) FROM registry_enterprise")
        low, high = cursor.fetchone()
        step = id_range or REBUILD_RANGE
        starts = range(low, high + 1, step) if low is not None else range(1, 2)
        if len(starts) == 1:
            _read_grains(cursor, REBUILT, None)
            return
        cursor.execute(f"DROP TABLE IF EXISTS {REBUILT_PARTS}")
        for start in starts:
            _read_grains(cursor, REBUILT_PARTS, (start, start + step), append=start != low)
        # A group whose businesses fall into several ranges has a row from each: summed here.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {REBUILT} AS SELECT {_GRAIN_KEY}, "
            f"CAST(sum(count) AS bigint) AS count "
            f"FROM {REBUILT_PARTS} GROUP BY {_GRAIN_KEY}"
        )
        cursor.execute(f"DROP TABLE {REBUILT_PARTS}")
        return
    # SQLite has no grouping sets: the facts by day into the fold's table, then the three grains.
    _create_pending(cursor)
    grouped = "village_id, enterprise_kind, scale, milestone, day"
    cursor.execute(
        f"INSERT INTO {PENDING} ({PENDING_COLUMNS}) SELECT {grouped}, sum(delta) "
        f"FROM ({_registry_facts()}) GROUP BY {grouped}"
    )
    month, week = _start(OnboardingSeries.Period.MONTH), _start(OnboardingSeries.Period.WEEK)
    district, regency = _code(Level.DISTRICT), _code(Level.REGENCY)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {REBUILT} AS "
        "SELECT 'V' AS grain, p.village_id AS code, p.enterprise_kind, p.scale, p.milestone, "
        f"NULL AS start, sum(p.delta) AS count FROM {PENDING} p "
        "GROUP BY p.village_id, p.enterprise_kind, p.scale, p.milestone UNION ALL "
        f"SELECT 'M', {district}, p.enterprise_kind, '', p.milestone, {month}, "
        f"sum(p.delta) FROM {PENDING} p "
        f"GROUP BY {district}, p.enterprise_kind, p.milestone, {month} UNION ALL "
        f"SELECT 'W', {regency}, p.enterprise_kind, '', p.milestone, {week}, "
        f"sum(p.delta) FROM {PENDING} p "
        f"GROUP BY {regency}, p.enterprise_kind, p.milestone, {week}"
    )
    cursor.execute(f"DELETE FROM {PENDING}")


def _read_grains(cursor, table: str, ids: tuple[int, int] | None, *, append=False) -> None:
    """The facts of the businesses of ``ids`` (all without) summed at the three grains, into a
    new temporary ``table`` or, with ``append``, added to it (PostgreSQL).

    One pass with three hash tables, each as large as the rollup rows it makes (not as the
    facts): the join and the scans below it run in parallel; CREATE TABLE … AS may use a
    parallel plan where INSERT … SELECT may not, so a range after the first is read into a
    table of its own and then appended."""
    month = "CAST(date_trunc('month', CAST(f.day AS timestamp)) AS date)"
    week = "CAST(date_trunc('week', CAST(f.day AS timestamp)) AS date)"
    district, regency = CODE_LENGTH[Level.DISTRICT], CODE_LENGTH[Level.REGENCY]
    target = f"{table}_range" if append else table
    cursor.execute(
        f"CREATE TEMPORARY TABLE {target} AS SELECT "
        "CASE WHEN GROUPING(g.village_id) = 0 THEN 'V' "
        "WHEN GROUPING(g.district) = 0 THEN 'M' ELSE 'W' END AS grain, "
        "coalesce(g.village_id, g.district, g.regency) AS code, g.enterprise_kind, "
        "coalesce(g.scale, '') AS scale, g.milestone, coalesce(g.month, g.week) AS start, "
        "count(*) AS count FROM (SELECT f.village_id, "
        f"substr(f.village_id, 1, {district}) AS district, "
        f"substr(f.village_id, 1, {regency}) AS regency, f.enterprise_kind, f.scale, f.milestone, "
        f"{month} AS month, {week} AS week FROM ({_registry_facts(ids)}) f) g "
        "GROUP BY GROUPING SETS ((g.village_id, g.enterprise_kind, g.scale, g.milestone), "
        "(g.district, g.enterprise_kind, g.milestone, g.month), "
        "(g.regency, g.enterprise_kind, g.milestone, g.week))"
    )
    if append:
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {target}")
        cursor.execute(f"DROP TABLE {target}")


def _in_key_order(code: str, *columns: str) -> str:
    """Rows inserted in the order of the rollup's unique index fill its pages one after another
    instead of each landing on a random page (PostgreSQL; the codes are ASCII digits and dots,
    so byte order, quick to sort, is the index's order)."""
    if connection.vendor != "postgresql":
        return ""
    return " ORDER BY " + ", ".join((f'{code} COLLATE "C"', *columns))


def _rebuilt_rows(cursor) -> None:
    """Each rollup's finest rows from :data:`REBUILT`, the coarser ones from the finer rows."""
    is_3t = "coalesce(r.is_3t, false)"
    rebuilt = (
        f"FROM {REBUILT} p LEFT JOIN regions_regency r "
        f"ON r.code = substr(p.code, 1, {CODE_LENGTH[Level.REGENCY]})"
    )
    cursor.execute(
        "INSERT INTO dashboards_onboardingcount "
        "(level, region_code, parent_code, is_3t, enterprise_kind, scale, milestone, count) "
        f"SELECT {int(Level.VILLAGE)}, p.code, substr(p.code, 1, {CODE_LENGTH[Level.DISTRICT]}), "
        f"{is_3t}, p.enterprise_kind, p.scale, p.milestone, p.count {rebuilt} "
        "WHERE p.grain = 'V'" + _in_key_order("p.code")
    )
    for level in (Level.DISTRICT, Level.REGENCY, Level.PROVINCE, Level.NATIONAL):
        cursor.execute(_rolled_up("dashboards_onboardingcount", level, ordered=True))
    series = (
        "INSERT INTO dashboards_onboardingseries "
        "(period, start, level, region_code, parent_code, is_3t, enterprise_kind, milestone, count) "
    )
    cursor.execute(
        f"{series} SELECT '{OnboardingSeries.Period.MONTH}', p.start, {int(Level.DISTRICT)}, "
        f"p.code, substr(p.code, 1, {CODE_LENGTH[Level.REGENCY]}), {is_3t}, p.enterprise_kind, "
        f"p.milestone, p.count {rebuilt} WHERE p.grain = 'M'" + _in_key_order("p.code", "p.start")
    )
    for level in (Level.REGENCY, Level.PROVINCE, Level.NATIONAL):
        cursor.execute(
            _rolled_up(
                "dashboards_onboardingseries",
                level,
                period=OnboardingSeries.Period.MONTH,
                ordered=True,
            )
        )
    province = f"substr(p.code, 1, {CODE_LENGTH[Level.PROVINCE]})"
    cursor.execute(
        f"{series} SELECT '{OnboardingSeries.Period.WEEK}', p.start, {int(Level.PROVINCE)}, "
        f"{province}, '', {is_3t}, p.enterprise_kind, p.milestone, sum(p.count) {rebuilt} "
        f"WHERE p.grain = 'W' "
        f"GROUP BY {province}, p.start, {is_3t}, p.enterprise_kind, p.milestone"
        + _in_key_order(province, "p.start")
    )
    cursor.execute(
        _rolled_up(
            "dashboards_onboardingseries", Level.NATIONAL, period=OnboardingSeries.Period.WEEK
        )
    )


def rebuild(*, id_range: int | None = None) -> Fold:
    """Empty the rollups and count them again from the registry, in one transaction.

    On PostgreSQL the change table is locked for the rebuild, so a business written meanwhile
    waits and its change is folded afterwards instead of being lost or counted twice. The
    registry is read once (:func:`_fill_rebuilt`; on PostgreSQL by ranges of ``id_range``
    business ids); only then are the rollups emptied, by TRUNCATE on PostgreSQL: from there to
    the commit (seconds, which grow with the rollups' rows, not with the registry) a dashboard
    read waits for the new figures; during the read of the registry it still shows those of the
    last fold.
    """
    started = time.perf_counter()
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        _locked(cursor, wait=True)
        if postgresql:
            cursor.execute("LOCK TABLE dashboards_onboardingchange IN SHARE ROW EXCLUSIVE MODE")
            # The one read's hash tables grow with the rollups' rows, not the facts (190 MB at
            # 1 M businesses, 320 MB at 3 M): in memory up to twice work_mem, then spilled to
            # disk. Its scans and join run in parallel workers: their rows are cheap to hand
            # over beside the grouping they feed, which the planner's default cost ignores.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL parallel_tuple_cost = 0.01")
        cursor.execute("DELETE FROM dashboards_onboardingchange")
        _fill_rebuilt(cursor, id_range=id_range)
        if postgresql:
            # Safe here: nothing references the rollups and no trigger is on them, the
            # transaction holds the fold lock, and TRUNCATE's exclusive lock makes a concurrent
            # read wait for the rebuilt rows (read in a fresh snapshot once it may go on).
            cursor.execute("TRUNCATE dashboards_onboardingcount, dashboards_onboardingseries")
        else:
            cursor.execute("DELETE FROM dashboards_onboardingcount")
            cursor.execute("DELETE FROM dashboards_onboardingseries")
        _rebuilt_rows(cursor)
        cursor.execute(f"DROP TABLE {REBUILT}")
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
