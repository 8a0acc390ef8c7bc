"""The staging table of an import, and the set-based writes from it into the registry.

Each chunk of a partner file is checked and linked (``pipeline``), then streamed into a
temporary table with the database's bulk path (COPY on PostgreSQL, ``executemany`` on SQLite):
one staged row per row of the file that is written or rejected. One ``INSERT … SELECT`` per
table then writes the people, businesses, owners, KBLI codes, source records, milestones and
rejections of the whole chunk, and one ``UPDATE`` gives the businesses that rows joined the NIBs
they brought, all inside the chunk's transaction. The table is temporary (it lives in the import's database session and is
emptied at every chunk), so it needs no migration and two imports never see each other's rows.
"""

# ruff: noqa: S608 - every name in these statements is a model's table or this module's own

from django.db import connection

from tumbuh.core.bulk import copy_rows
from tumbuh.registry.models import (
    Enterprise,
    EnterpriseKbli,
    ImportRejection,
    Milestone,
    Ownership,
    Person,
    SourceRecord,
)

TABLE = "registry_import_staging"

# (column, PostgreSQL type, SQLite type); JSON travels as text and is cast on the way out.
COLUMNS = (
    ("row_number", "int4", "integer"),
    ("outcome", "text", "text"),  # new | linked | rejected
    ("problem_column", "text", "text"),
    ("problem_reason", "text", "text"),
    ("rejected_values", "text", "text"),
    ("record_id", "int8", "integer"),
    ("row_hash", "text", "text"),
    ("rule", "text", "text"),
    ("record_values", "text", "text"),
    ("personal_encrypted", "bytea", "blob"),
    ("enterprise_id", "int8", "integer"),
    ("is_new_enterprise", "bool", "integer"),
    ("enterprise_public_id", "text", "text"),
    ("kind", "text", "text"),
    ("name", "text", "text"),
    ("scale", "text", "text"),
    ("nib", "text", "text"),
    ("village_id", "text", "text"),
    ("address", "text", "text"),
    ("phone_hash", "text", "text"),
    ("phone_encrypted", "bytea", "blob"),
    ("phone_masked", "text", "text"),
    ("email", "text", "text"),
    ("links", "text", "text"),
    ("kbli", "text", "text"),
    ("person_id", "int8", "integer"),
    ("is_new_person", "bool", "integer"),
    ("person_public_id", "text", "text"),
    ("full_name", "text", "text"),
    ("nik_hash", "text", "text"),
    ("nik_encrypted", "bytea", "blob"),
    ("nik_masked", "text", "text"),
    ("nik_flags", "text", "text"),
    ("birth_date", "date", "date"),
    ("sex", "text", "text"),
    ("fill_nib", "text", "text"),
)
NAMES = [name for name, _pg, _sqlite in COLUMNS]
TYPES = [pg for _name, pg, _sqlite in COLUMNS]
WIDTH = len(COLUMNS)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _json(expression: str) -> str:
    return f"CAST({expression} AS jsonb)" if connection.vendor == "postgresql" else expression


def _true() -> str:
    return "TRUE" if connection.vendor == "postgresql" else "1"


def prepare() -> None:
    """Create the session's staging table if needed, and empty it (call inside the chunk's
    transaction: on PostgreSQL the table also empties itself at every commit)."""
    is_postgres = connection.vendor == "postgresql"
    columns = ", ".join(f"{name} {pg if is_postgres else sqlite}" for name, pg, sqlite in COLUMNS)
    with connection.cursor() as cursor:
        if is_postgres:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} ({columns}) ON COMMIT DELETE ROWS"
            )
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} ({columns})")
        # The few rows that give a business its NIB, found without reading the others.
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_fill ON {TABLE} (enterprise_id) "
            "WHERE fill_nib IS NOT NULL"
        )
        cursor.execute(f"DELETE FROM {TABLE}")


def stage(rows) -> int:
    """Stream the chunk's staged rows (tuples in the order of ``COLUMNS``) into the table.

    The table is not analysed: the statements below read all of it once, and look up the
    registry through its indexes, which is what the planner does for a table it knows nothing
    about (analysing it cost more than the statements it would have planned)."""
    return copy_rows(TABLE, NAMES, rows, types=TYPES)


def write(*, batch, now, source: str, gives_nibs: bool) -> list[tuple[int, str]]:
    """Write the staged chunk into the registry; return the (enterprise, NIB) pairs that gave
    a business without a NIB its NIB (``gives_nibs``: some staged row has one to give)."""
    if connection.vendor == "sqlite":
        now = connection.ops.adapt_datetimefield_value(now)
    true = _true()
    params = {
        "now": now,
        "organisation": batch.organisation_id,
        "batch": batch.pk,
        "file_name": batch.file_name,
        "source": source,
        "registered": Milestone.Kind.REGISTERED,
        "nib_issued": Milestone.Kind.NIB_ISSUED,
        "owner": Ownership.Role.OWNER,
    }
    if connection.vendor == "postgresql":
        codes = "CROSS JOIN LATERAL jsonb_array_elements_text(CAST(s.kbli AS jsonb)) AS k(code)"
        code = "k.code"
    else:
        codes = ", json_each(s.kbli) AS k"
        code = "k.value"
    # The rows that hang off a business carry its province (models.province_key), read here
    # once for the chunk instead of by the row trigger that keeps it for other writers.
    business = f"JOIN {_table(Enterprise)} e ON e.id = s.enterprise_id"
    province = "substr(e.village_id, 1, 2)"
    statements = [
        f"""INSERT INTO {_table(Person)} (id, public_id, full_name, nik_hash, nik_encrypted,
                nik_masked, nik_flags, birth_date, sex, phone_hash, phone_encrypted, phone_masked,
                created_at)
            SELECT person_id, person_public_id, full_name, nik_hash, nik_encrypted, nik_masked,
                {_json("nik_flags")}, birth_date, sex, '', NULL, '', %(now)s
            FROM {TABLE} WHERE is_new_person = {true} ORDER BY person_id""",
        f"""INSERT INTO {_table(Enterprise)} (id, public_id, kind, name, trade_names, scale, nib,
                village_id, address, phone_hash, phone_encrypted, phone_masked, email, links,
                merged_into_id, created_at, updated_at)
            SELECT enterprise_id, enterprise_public_id, kind, name, {_json("'[]'")}, scale, nib,
                village_id, address, phone_hash, phone_encrypted, phone_masked, email,
                {_json("links")}, NULL, %(now)s, %(now)s
            FROM {TABLE} WHERE is_new_enterprise = {true} ORDER BY enterprise_id""",
        # Owners and KBLI codes: a business created by this chunk has none yet; one that a row
        # joined may have them already, and gets only those it lacks.
        f"""INSERT INTO {_table(Ownership)} (enterprise_id, person_id, role, province_code)
            SELECT DISTINCT s.enterprise_id, s.person_id, %(owner)s, {province} FROM {TABLE} s
            {business} WHERE s.person_id IS NOT NULL AND s.outcome = 'new'
            UNION
            SELECT s.enterprise_id, s.person_id, %(owner)s, {province} FROM {TABLE} s
            {business} WHERE s.person_id IS NOT NULL AND s.outcome = 'linked'
              AND NOT EXISTS (SELECT 1 FROM {_table(Ownership)} o
                              WHERE o.enterprise_id = s.enterprise_id
                                AND o.person_id = s.person_id)""",
        f"""INSERT INTO {_table(EnterpriseKbli)} (enterprise_id, code, version, province_code)
            SELECT s.enterprise_id, {code}, '2020', {province} FROM {TABLE} s {business} {codes}
            WHERE s.kbli IS NOT NULL AND s.outcome = 'new'
            UNION
            SELECT s.enterprise_id, {code}, '2020', {province} FROM {TABLE} s {business} {codes}
            WHERE s.kbli IS NOT NULL AND s.outcome = 'linked'
              AND NOT EXISTS (SELECT 1 FROM {_table(EnterpriseKbli)} x
                              WHERE x.enterprise_id = s.enterprise_id AND x.code = {code}
                                AND x.version = '2020')""",
        f"""INSERT INTO {_table(SourceRecord)} (id, organisation_id, batch_id, file_name,
                row_number, row_hash, {connection.ops.quote_name("values")}, personal_encrypted,
                enterprise_id, first_enterprise_id, rule, imported_at, province_code)
            SELECT s.record_id, %(organisation)s, %(batch)s, %(file_name)s, s.row_number,
                s.row_hash, {_json("s.record_values")}, s.personal_encrypted, s.enterprise_id,
                s.enterprise_id, s.rule, %(now)s, {province}
            FROM {TABLE} s {business} WHERE s.outcome <> 'rejected' ORDER BY s.record_id""",
        f"""INSERT INTO {_table(Milestone)} (enterprise_id, kind, occurred_at, source,
                province_code)
            SELECT enterprise_id, %(registered)s, %(now)s, %(source)s, substr(village_id, 1, 2)
            FROM {TABLE} WHERE is_new_enterprise = {true}
            UNION ALL
            SELECT enterprise_id, %(nib_issued)s, %(now)s, %(source)s, substr(village_id, 1, 2)
            FROM {TABLE} WHERE is_new_enterprise = {true} AND nib IS NOT NULL""",
        f"""INSERT INTO {_table(ImportRejection)} (batch_id, row_number,
                {connection.ops.quote_name("column")}, reason, {connection.ops.quote_name("values")})
            SELECT %(batch)s, row_number, problem_column, problem_reason,
                {_json("rejected_values")}
            FROM {TABLE} WHERE outcome = 'rejected' ORDER BY row_number""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
        if not gives_nibs:
            return []
        # A row that joined a business without a NIB gives it its NIB, if no one else has it.
        # The businesses are found by their ids (a handful), never by reading the registry.
        enterprise = _table(Enterprise)
        wanted = (
            f"SELECT s.enterprise_id FROM {TABLE} s WHERE s.fill_nib IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {enterprise} o WHERE o.nib = s.fill_nib)"
        )
        ids = f"= ANY(ARRAY({wanted}))" if connection.vendor == "postgresql" else f"IN ({wanted})"
        cursor.execute(
            f"""UPDATE {enterprise} SET nib = (
                    SELECT s.fill_nib FROM {TABLE} s
                    WHERE s.fill_nib IS NOT NULL AND s.enterprise_id = {enterprise}.id)
                WHERE {enterprise}.id {ids} AND {enterprise}.nib IS NULL
                RETURNING {enterprise}.id, {enterprise}.nib"""
        )
        filled = cursor.fetchall()
        if filled:
            cursor.execute(
                f"""INSERT INTO {_table(Milestone)} (enterprise_id, kind, occurred_at, source)
                    SELECT DISTINCT s.enterprise_id, %(nib_issued)s, %(now)s, %(source)s
                    FROM {TABLE} s JOIN {enterprise} e
                      ON e.id = s.enterprise_id AND e.nib = s.fill_nib
                    WHERE s.fill_nib IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM {_table(Milestone)} m
                                      WHERE m.enterprise_id = s.enterprise_id
                                        AND m.kind = %(nib_issued)s)""",
                params,
            )
    return filled
