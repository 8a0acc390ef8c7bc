# The SQL is built from this module's constants only.
# ruff: noqa: S608
"""Triggers that write every change to the onboarding facts to ``dashboards_onboardingchange``.

The facts: a deduplicated business (not merged into another) counts once in its village, kind
and scale, on the day it was registered; each milestone of such a business counts once, on the
day it happened. A statement that changes a fact writes -1 for the fact as it was and +1 for it
as it is now. A milestone row counts only while its business is deduplicated, so a change to a
business (a merge, an unmerge, a move to another village, a new kind or scale) also moves the
business's milestones. The triggers read the other table as it is when they run, so any order
of statements adds up: a merge that moves milestones and then marks the duplicate, or the
reverse, leaves the same sum.

PostgreSQL: statement-level triggers with transition tables, so a set-based import of 10,000
rows writes one grouped row per village, kind, scale and day, not 10,000. SQLite: row-level
triggers with the same rules.
"""

from django.db import migrations

CHANGE = (
    "INSERT INTO dashboards_onboardingchange "
    "(village_id, enterprise_kind, scale, milestone, day, delta) "
)


def pg_day(column: str) -> str:
    return f"CAST(({column} AT TIME ZONE 'Asia/Jakarta') AS date)"


def sqlite_day(column: str) -> str:
    return f"date({column}, '+7 hours')"


# Businesses whose counted facts changed in an UPDATE statement: old and new side by side.
PG_MOVED = (
    "SELECT o.id, o.village_id AS old_village, o.kind AS old_kind, o.scale AS old_scale, "
    "o.created_at AS old_created, o.merged_into_id IS NULL AS old_live, "
    "n.village_id AS new_village, n.kind AS new_kind, n.scale AS new_scale, "
    "n.created_at AS new_created, n.merged_into_id IS NULL AS new_live "
    "FROM old_rows o JOIN new_rows n ON n.id = o.id "
    "WHERE (o.village_id, o.kind, o.scale, o.created_at, o.merged_into_id IS NULL) "
    "IS DISTINCT FROM (n.village_id, n.kind, n.scale, n.created_at, n.merged_into_id IS NULL)"
)


def pg_enterprise_update(side: str, sign: str) -> str:
    return f"""
        {CHANGE}
        SELECT {side}_village, {side}_kind, {side}_scale, '', {pg_day(f"{side}_created")},
               {sign}count(*)
        FROM ({PG_MOVED}) moved WHERE {side}_live
        GROUP BY {side}_village, {side}_kind, {side}_scale, {pg_day(f"{side}_created")};
        {CHANGE}
        SELECT {side}_village, {side}_kind, {side}_scale, m.kind, {pg_day("m.occurred_at")},
               {sign}count(*)
        FROM ({PG_MOVED}) moved JOIN registry_milestone m ON m.enterprise_id = moved.id
        WHERE {side}_live
        GROUP BY {side}_village, {side}_kind, {side}_scale, m.kind, {pg_day("m.occurred_at")};
    """


def pg_businesses(rows: str, sign: str) -> str:
    return f"""
        {CHANGE}
        SELECT e.village_id, e.kind, e.scale, '', {pg_day("e.created_at")}, {sign}count(*)
        FROM {rows} e WHERE e.merged_into_id IS NULL
        GROUP BY e.village_id, e.kind, e.scale, {pg_day("e.created_at")};
    """


def pg_milestones(rows: str, sign: str, *, where: str = "") -> str:
    return f"""
        {CHANGE}
        SELECT e.village_id, e.kind, e.scale, m.kind, {pg_day("m.occurred_at")}, {sign}count(*)
        FROM {rows} m JOIN registry_enterprise e ON e.id = m.enterprise_id
        WHERE e.merged_into_id IS NULL {where}
        GROUP BY e.village_id, e.kind, e.scale, m.kind, {pg_day("m.occurred_at")};
    """


PG_MILESTONE_MOVED = (
    "AND m.id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id "
    "WHERE (o.enterprise_id, o.kind, o.occurred_at) "
    "IS DISTINCT FROM (n.enterprise_id, n.kind, n.occurred_at))"
)

POSTGRESQL = [
    f"""
    CREATE FUNCTION dashboards_enterprise_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {pg_businesses("new_rows", "")}
        ELSIF TG_OP = 'DELETE' THEN
            {pg_businesses("old_rows", "-")}
            {CHANGE}
            SELECT e.village_id, e.kind, e.scale, m.kind, {pg_day("m.occurred_at")}, -count(*)
            FROM old_rows e JOIN registry_milestone m ON m.enterprise_id = e.id
            WHERE e.merged_into_id IS NULL
            GROUP BY e.village_id, e.kind, e.scale, m.kind, {pg_day("m.occurred_at")};
        ELSE
            {pg_enterprise_update("old", "-")}
            {pg_enterprise_update("new", "")}
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION dashboards_milestone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {pg_milestones("new_rows", "")}
        ELSIF TG_OP = 'DELETE' THEN
            {pg_milestones("old_rows", "-")}
        ELSE
            {pg_milestones("old_rows", "-", where=PG_MILESTONE_MOVED)}
            {pg_milestones("new_rows", "", where=PG_MILESTONE_MOVED)}
        END IF;
        RETURN NULL;
    END $$
    """,
    *(
        f"CREATE TRIGGER dashboards_{table}_{event.lower()} AFTER {event} ON registry_{table} "
        f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION dashboards_{table}_changed()"
        for table in ("enterprise", "milestone")
        for event, transition in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
]
POSTGRESQL_REVERSE = [
    *(
        f"DROP TRIGGER dashboards_{table}_{event} ON registry_{table}"
        for table in ("enterprise", "milestone")
        for event in ("insert", "update", "delete")
    ),
    "DROP FUNCTION dashboards_enterprise_changed()",
    "DROP FUNCTION dashboards_milestone_changed()",
]


def sqlite_business(row: str, sign: str) -> str:
    return (
        f"{CHANGE} SELECT {row}.village_id, {row}.kind, {row}.scale, '', "
        f"{sqlite_day(f'{row}.created_at')}, {sign}1 WHERE {row}.merged_into_id IS NULL;"
    )


def sqlite_business_milestones(row: str, sign: str) -> str:
    return (
        f"{CHANGE} SELECT {row}.village_id, {row}.kind, {row}.scale, m.kind, "
        f"{sqlite_day('m.occurred_at')}, {sign}count(*) FROM registry_milestone m "
        f"WHERE m.enterprise_id = {row}.id AND {row}.merged_into_id IS NULL "
        f"GROUP BY m.kind, {sqlite_day('m.occurred_at')};"
    )


def sqlite_milestone(row: str, sign: str) -> str:
    return (
        f"{CHANGE} SELECT e.village_id, e.kind, e.scale, {row}.kind, "
        f"{sqlite_day(f'{row}.occurred_at')}, {sign}1 FROM registry_enterprise e "
        f"WHERE e.id = {row}.enterprise_id AND e.merged_into_id IS NULL;"
    )


ENTERPRISE_FACTS_CHANGED = (
    " OR ".join(
        f"OLD.{column} IS NOT NEW.{column}"
        for column in ("village_id", "kind", "scale", "created_at")
    )
    + " OR (OLD.merged_into_id IS NULL) IS NOT (NEW.merged_into_id IS NULL)"
)
MILESTONE_FACTS_CHANGED = " OR ".join(
    f"OLD.{column} IS NOT NEW.{column}" for column in ("enterprise_id", "kind", "occurred_at")
)

SQLITE = [
    "CREATE TRIGGER dashboards_enterprise_insert AFTER INSERT ON registry_enterprise "
    f"FOR EACH ROW BEGIN {sqlite_business('NEW', '')} END",
    "CREATE TRIGGER dashboards_enterprise_update AFTER UPDATE ON registry_enterprise "
    f"FOR EACH ROW WHEN {ENTERPRISE_FACTS_CHANGED} BEGIN "
    f"{sqlite_business('OLD', '-')} {sqlite_business_milestones('OLD', '-')} "
    f"{sqlite_business('NEW', '')} {sqlite_business_milestones('NEW', '')} END",
    "CREATE TRIGGER dashboards_enterprise_delete AFTER DELETE ON registry_enterprise "
    f"FOR EACH ROW BEGIN {sqlite_business('OLD', '-')} {sqlite_business_milestones('OLD', '-')} END",
    "CREATE TRIGGER dashboards_milestone_insert AFTER INSERT ON registry_milestone "
    f"FOR EACH ROW BEGIN {sqlite_milestone('NEW', '')} END",
    "CREATE TRIGGER dashboards_milestone_update AFTER UPDATE ON registry_milestone "
    f"FOR EACH ROW WHEN {MILESTONE_FACTS_CHANGED} BEGIN "
    f"{sqlite_milestone('OLD', '-')} {sqlite_milestone('NEW', '')} END",
    "CREATE TRIGGER dashboards_milestone_delete AFTER DELETE ON registry_milestone "
    f"FOR EACH ROW BEGIN {sqlite_milestone('OLD', '-')} END",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER dashboards_{table}_{event}"
    for table in ("enterprise", "milestone")
    for event in ("insert", "update", "delete")
]


def create_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRESQL if postgresql else SQLITE:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRESQL_REVERSE if postgresql else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_onboarding_rollups_and_targets"),
        ("registry", "0011_province_code_partition_key"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
