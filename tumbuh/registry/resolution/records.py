"""Records as the engine reads them, and the DuckDB and Splink plumbing shared by training
and resolution.

Input: a ``pyarrow.Table`` (or anything with ``to_arrow_table()``, such as a DuckDB relation)
with these columns, all strings or null; extra columns are ignored:

==============  ============================================================================
record_id       unique per table; also the stable cluster id (see ``cluster_order_key``)
nik_hash        keyed hash of the owner's NIK (``keyed_hash("nik", nik)``), compared exactly
nik_near        optional: short keyed hashes of the NIK with each pair of neighbouring digits
                masked, space-separated (``nik_near_hashes``); two NIKs that share one differ
                only within two neighbouring digits (a typo, a transposition). Only ``resolve_file`` (which
                sees the NIK) can make them; the registry, which keeps only ``nik_hash``,
                leaves them null and NIKs are then compared exactly
nib             the business's NIB (13 digits)
phone           the owner's phone; any Indonesian format, normalised here to E.164; or
                (as ``phone_hash``) its keyed hash, which the registry passes so that no
                number leaves the database in clear; compared exactly either way
business_name   as written by the partner ("CV. Barokah Djaya")
owner_name      as written by the partner ("Hj. Siti Aminah, S.E.")
village_code    Kemendagri village code ("32.04.12.2001")
district_code   Kemendagri district code ("32.04.12"); derived from village_code when null
village_name    village name, used only when village_code is null
kbli            5-digit KBLI 2020 code
==============  ============================================================================

``load`` puts such a table into DuckDB with the matching columns derived (``prepare_sql``):
normalised names (``normalise``), name keys and words, owner initials, places.
"""

# The SQL here is built from this module's constants and column names; record values reach
# DuckDB only as registered Arrow tables, never as SQL text.
# ruff: noqa: S608

import logging
import tempfile
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tumbuh.registry.resolution import normalise

INPUT_COLUMNS = (
    "record_id",
    "nik_hash",
    "nik_near",
    "nib",
    "phone",
    "business_name",
    "owner_name",
    "village_code",
    "district_code",
    "village_name",
    "kbli",
)


def as_arrow(records) -> pa.Table:
    """Accept a pyarrow Table, a DuckDB relation or a list of dicts; check the columns."""
    if isinstance(records, pa.Table):
        table = records
    elif hasattr(records, "to_arrow_table"):
        table = records.to_arrow_table()
    elif isinstance(records, list):
        table = pa.Table.from_pylist(records) if records else pa.table({})
    else:
        raise TypeError(f"records must be a pyarrow Table or DuckDB relation, not {type(records)}")
    columns = {}
    if "phone_hash" in table.column_names and "phone" not in table.column_names:
        # Keyed hashes are compared as they are; the prefix keeps them apart from numbers.
        hashed = pc.cast(table["phone_hash"], pa.string())
        columns["phone"] = pc.if_else(
            pc.is_valid(hashed), pc.binary_join_element_wise("h:", hashed, ""), hashed
        )
    for name in INPUT_COLUMNS:
        if name in columns:
            continue
        if name in table.column_names:
            columns[name] = pc.cast(table[name], pa.string())
        elif name == "record_id":
            raise ValueError("records need a record_id column")
        else:
            columns[name] = pa.nulls(table.num_rows, pa.string())
    table = pa.table(columns)
    if (
        pc.count_distinct(table["record_id"]).as_py() != table.num_rows
        or table["record_id"].null_count
    ):
        raise ValueError("record_id must be unique and not null")
    return table


def _normalise_phones(column: pa.ChunkedArray) -> pa.Array:
    """E.164 through ``normalise_phone``, once per distinct value (numbers repeat a lot)."""
    distinct = pc.unique(column)
    normalised = pa.array(
        [
            value if value and value.startswith("h:") else normalise.normalise_phone_or_none(value)
            for value in distinct.to_pylist()
        ],
        pa.string(),
    )
    return pc.take(normalised, pc.index_in(column, value_set=distinct))


def prepare_sql(source: str) -> str:
    """SQL that derives the matching columns from a table of input records."""
    business = normalise.business_name_sql("business_name")
    owner = normalise.person_name_core_sql("owner_name")
    village_name = normalise.village_name_sql("village_name")
    return f"""
    WITH folded AS (
        SELECT
            record_id,
            nullif(trim(nik_hash), '') AS nik_hash,
            -- as 64-bit numbers: comparing two lists of 15 numbers is several times cheaper
            -- than two lists of 15 strings, and it is done for most pairs
            CASE WHEN nullif(trim(nik_near), '') IS NOT NULL
                THEN list_transform(string_split(trim(nik_near), ' '), lambda h: hash(h)) END
                AS nik_near,
            {normalise.digits_sql("nib")} AS nib,
            phone,
            nullif({business["full"]}, '') AS name_full,
            nullif({owner}, '') AS owner_name,
            {normalise.digits_sql("kbli", length=5)} AS kbli,
            {_region_code_sql("village_code", 10)} AS village_code,
            {_region_code_sql("district_code", 6)} AS district_code,
            nullif({village_name}, '') AS village_name
        FROM {source}
    ),
    split AS (
        SELECT *, nullif({business["core"]}, '') AS name_core, nullif({business["form"]}, '') AS name_form
        FROM folded
    ),
    keyed AS (
        SELECT *,
            string_split(owner_name, ' ') AS owner_words,
            string_split(name_core, ' ') AS core_words
        FROM split
    ),
    named AS (
        -- A business named after its owner ("Warung Bu Sri") is told from the owner's other
        -- businesses by the rest of its name: name_key drops the owner's words from the core
        -- (and is the form, "warung", when nothing else is left); other names are their core.
        SELECT *,
            CASE WHEN list_has_any(core_words, owner_words) THEN coalesce(nullif(array_to_string(
                list_filter(core_words, lambda w: NOT list_contains(owner_words, w)), ' '), ''),
                name_form, name_core)
            ELSE name_core END AS name_key
        FROM keyed
    )
    SELECT
        record_id,
        nik_hash,
        nik_near,
        nib,
        phone,
        name_full,
        name_core,
        name_form,
        name_key,
        split_part(name_core, ' ', 1) AS name_token,
        list_last(string_split(name_key, ' ')) AS name_last,
        CASE WHEN len(string_split(name_key, ' ')) >= 2
            THEN array_to_string(string_split(name_key, ' ')[-2:], ' ') END AS name_tail,
        string_split(name_key, ' ') AS name_words,
        -- "CVKerupuk Ikan", "kuekering": the core with its spaces and any glued form dropped
        -- from the front, the same way on both sides ("udang" loses "ud" everywhere alike).
        nullif(regexp_replace(replace(name_core, ' ', ''), '{_GLUED_FORMS_PATTERN}', ''), '')
            AS name_squeezed,
        owner_name,
        owner_words,
        -- "Saputra Wahyuni" for "Wahyuni Saputra"
        array_to_string(list_sort(owner_words), ' ') AS owner_sorted,
        split_part(owner_name, ' ', 1) AS owner_token,
        nullif(left(owner_name, 1), '') AS owner_letter,
        -- "s rahayu" and "sri r" both fit "sri rahayu": first letter and last word, first word
        -- and last letter (only names of two words or more).
        CASE WHEN len(owner_words) >= 2 THEN left(owner_name, 1) || ' ' || list_last(owner_words)
            END AS owner_initial,
        CASE WHEN len(owner_words) >= 2 THEN owner_words[1] || ' ' || left(list_last(owner_words), 1)
            END AS owner_short,
        coalesce(district_code, left(village_code, 8)) AS district_code,
        coalesce(village_code, coalesce(district_code, left(village_code, 8)) || ':' || village_name)
            AS village_key,
        kbli
    FROM named
    """


# Forms written glued to the next word ("CVKerupuk", "TokoSambal"), as they fold.
_GLUED_FORMS_PATTERN = "^(?:pt|cv|ud|pd|toko|warung|kedai|usaha|kios|lapak|depot|rumahproduksi)+"


def _region_code_sql(column: str, digits: int) -> str:
    """A Kemendagri code in dotted form from "32.04.12.2001" or "3204122001"; else null."""
    clean = f"regexp_replace(CAST({column} AS VARCHAR), '[^0-9]', '', 'g')"
    dotted = (
        f"substr({clean}, 1, 2) || '.' || substr({clean}, 3, 2) || '.' || substr({clean}, 5, 2)"
    )
    if digits == 10:
        dotted += f" || '.' || substr({clean}, 7, 4)"
    return f"CASE WHEN length({clean}) = {digits} THEN {dotted} END"


# DuckDB spills to disk above this, keeping a 1M-record run well inside 8 GB with Python's share.
DUCKDB_MEMORY_LIMIT = "5GB"


@contextmanager
def connection():
    """An in-memory DuckDB that may spill to a temporary directory; nothing is downloaded."""
    with tempfile.TemporaryDirectory(prefix="tumbuh-resolution-") as spill:
        con = duckdb.connect(
            ":memory:",
            config={
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "temp_directory": spill,
                "memory_limit": DUCKDB_MEMORY_LIMIT,
                "preserve_insertion_order": False,
            },
        )
        con.sql("SET enable_progress_bar = false")
        try:
            yield con
        finally:
            con.close()


def load(con: duckdb.DuckDBPyConnection, records, name: str) -> int:
    table = as_arrow(records)
    table = table.set_column(
        table.column_names.index("phone"), "phone", _normalise_phones(table["phone"])
    )
    con.register(f"{name}_input", table)
    con.execute(f"CREATE TABLE {name} AS {prepare_sql(name + '_input')}")
    con.unregister(f"{name}_input")
    return table.num_rows


def make_linker(con: duckdb.DuckDBPyConnection, table: str, settings: dict[str, Any]):
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register(table), settings, log_level=None, validate_settings=False)
    return db_api, linker


@contextmanager
def quiet_splink(level: int = logging.WARNING):
    """Splink logs every step at INFO; keep what matters, drop the chatter."""
    splink_logger = logging.getLogger("splink")
    previous = splink_logger.level
    splink_logger.setLevel(max(previous, level))
    try:
        yield
    finally:
        splink_logger.setLevel(previous)


# Term frequencies are shares of the records; a small file would make every name look common
# (one record in 50 is 2 %), so the share is taken of at least this many records.
TF_MIN_RECORDS = 100_000


def register_term_frequencies(
    con, db_api, linker, settings: dict[str, Any], tables: list[str], *, hand_over=None
) -> None:
    """Compute the term-frequency lookups of ``tables`` together and hand them to the linker.

    The lookups are computed in DuckDB; ``hand_over`` turns a table of ``con`` into a Splink
    table of the linker's backend (``backends.SparkBackend.table``), by default the DuckDB one.
    """
    hand_over = hand_over or db_api.register
    union = " UNION ALL ".join(f"SELECT * FROM {table}" for table in tables)
    for column in _term_frequency_columns(settings):
        con.sql(f"DROP TABLE IF EXISTS tf_{column}")
        con.sql(f"""
            CREATE TABLE tf_{column} AS
            SELECT {column}, count(*)::DOUBLE / greatest(sum(count(*)) OVER (), {TF_MIN_RECORDS}) AS tf_{column}
            FROM ({union}) WHERE {column} IS NOT NULL GROUP BY {column}
        """)
        linker.table_management.register_term_frequency_lookup(hand_over(f"tf_{column}"), column)


def _term_frequency_columns(settings: dict[str, Any]) -> list[str]:
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in settings["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )
