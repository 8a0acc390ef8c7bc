"""The registry records a batch of new ones could match: found through indexes, never by
reading the whole registry.

The resolution model compares only pairs that share a blocking key (its
``blocking_rules_to_generate_predictions``, see ``model.BLOCKING_RULES``). A partner file is
therefore scored against the registry records that share at least one key with one of its
records, and against no other: those are exactly the pairs ``engine.match_new`` would compare
had it been given the whole registry.

=====================================================  ======================================
blocking rule (default model)                          found through
=====================================================  ======================================
same NIK hash                                          ``registry_person.nik_hash`` (unique)
                                                       → ``registry_ownership.person_id``
same NIB                                               ``registry_enterprise.nib`` (unique)
same phone hash                                        ``enterprise_phone_idx``
district + name squeezed                               ``BlockingKeys.name_key``
district + first word of the name + owner's initial    ``BlockingKeys.token_key``
village + owner's first name                           ``BlockingKeys.owner_key``
core name + owner's first name, same province          ``BlockingKeys.province_key``
=====================================================  ======================================

The name keys are the engine's own derived columns (``records.prepare_sql``, the same DuckDB
normalisation the model blocks on), hashed with a key derived from ``TUMBUH_DATA_KEY`` into
64-bit integers: small indexes, and no owner's name in clear in a second table. Two different
keys sharing a hash only add a candidate, which the model then scores as any other.

What this does not cover, said plainly: a registry business whose ``BlockingKeys`` row is
missing or stale (created or renamed after its province was last re-resolved, other than by an
import, which writes its rows) is found by its identifiers only, not by its name; and a model
whose blocking rules are not those above (``uncovered_rules``) loses the pairs of the rules not
listed. A registry upgraded to this version gets its rows from one national re-resolution
(``tumbuh resolve_duplicates``).
"""

# The SQL here is built from this module's constants; values reach the database as parameters.
# ruff: noqa: S608

import hashlib
from collections.abc import Iterable
from functools import cache

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from tumbuh.core.bulk import insert_rows, select_in
from tumbuh.core.personal import keyed_hash
from tumbuh.registry.models import BlockingKeys
from tumbuh.registry.resolution import records as engine_records

# Each blocking rule the candidates cover, as the model states it, and how it is covered.
COVERED_RULES = {
    'l."nik_hash" = r."nik_hash"': "nik",
    'l."nib" = r."nib"': "nib",
    'l."phone" = r."phone"': "phone",
    '(l."district_code" = r."district_code") AND (l."name_squeezed" = r."name_squeezed")': (
        "name_key"
    ),
    '(l."district_code" = r."district_code") AND (l."name_token" = r."name_token") AND '
    '(l."owner_letter" = r."owner_letter")': "token_key",
    '(l."village_key" = r."village_key") AND (l."owner_token" = r."owner_token")': "owner_key",
    'l."name_core" = r."name_core" AND l."owner_token" = r."owner_token" AND '
    '(l."district_code" IS NULL OR r."district_code" IS NULL OR '
    'left(l."district_code", 2) = left(r."district_code", 2))': "province_key",
}
KEY_COLUMNS = ("name_key", "token_key", "owner_key", "province_key")
# The derived columns each key is made of (all must be present, as in SQL equality). The
# province key takes the district's first two digits: registry records always have a village.
KEY_PARTS = {
    "name_key": ("district_code", "name_squeezed"),
    "token_key": ("district_code", "name_token", "owner_letter"),
    "owner_key": ("village_key", "owner_token"),
    "province_key": ("province_code", "name_core", "owner_token"),
}
WRITE_CHUNK = 20_000


def blocking_rules(model) -> list[str]:
    return [
        rule["blocking_rule"] for rule in model.settings["blocking_rules_to_generate_predictions"]
    ]


def uncovered_rules(model) -> list[str]:
    """The model's blocking rules that the candidate query does not cover (none for the
    shipped model and for models trained by ``model.train``)."""
    return [rule for rule in blocking_rules(model) if rule not in COVERED_RULES]


@cache
def _secret(material: str) -> bytes:
    return bytes.fromhex(keyed_hash("blocking-key", material))


def _hash(secret: bytes, kind: str, parts: tuple) -> int | None:
    if any(part is None for part in parts):
        return None
    text = "\x1f".join((kind, *parts)).encode()
    digest = hashlib.blake2b(text, key=secret, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def keys_of(records: pa.Table) -> pa.Table:
    """``record_id`` and the four name keys of each record (int64, null when a part is)."""
    from django.conf import settings

    secret = _secret(settings.TUMBUH_DATA_KEY)
    with engine_records.connection() as con:
        engine_records.load(con, records, "keyed")
        derived = con.sql("""
            SELECT record_id, district_code, name_squeezed, name_token, owner_letter,
                village_key, owner_token, name_core, left(district_code, 2) AS province_code
            FROM keyed
        """).to_arrow_table()
    columns = {name: derived[name].to_pylist() for name in derived.column_names}
    out = {"record_id": columns["record_id"]}
    for key, parts in KEY_PARTS.items():
        values = zip(*(columns[part] for part in parts), strict=True)
        out[key] = [_hash(secret, key, tuple(row)) for row in values]
    return pa.table(
        {
            "record_id": pa.array(out["record_id"], pa.string()),
            **{key: pa.array(out[key], pa.int64()) for key in KEY_COLUMNS},
        }
    )


def store_keys(keys: pa.Table) -> int:
    """Write (or rewrite) the ``BlockingKeys`` rows of these records; returns how many."""
    rows = keys.to_pylist()
    now = timezone.now()
    written = 0
    for start in range(0, len(rows), WRITE_CHUNK):
        chunk = rows[start : start + WRITE_CHUNK]
        ids = [int(row["record_id"]) for row in chunk]
        with transaction.atomic():
            select_in("DELETE FROM registry_blockingkeys WHERE enterprise_id IN {values}", ids)
            written += insert_rows(
                BlockingKeys,
                ["enterprise_id", *KEY_COLUMNS, "computed_at"],
                ((int(row["record_id"]), *(row[key] for key in KEY_COLUMNS), now) for row in chunk),
            )
    return written


def _present(values: Iterable) -> list:
    return sorted({value for value in values if value not in (None, "")})


def candidate_ids(records: pa.Table, keys: pa.Table) -> dict[str, set[int]]:
    """The registry businesses (live or not: the caller reads live ones) sharing a blocking key
    with one of ``records`` (as ``registry_records`` gives them) whose name keys are ``keys``;
    per rule, so that a caller can say which rule found how many."""
    found: dict[str, set[int]] = {}
    nik_hashes = _present(records["nik_hash"].to_pylist())
    found["nik"] = {
        row[0]
        for row in select_in(
            "SELECT o.enterprise_id FROM registry_ownership o "
            "JOIN registry_person p ON p.id = o.person_id WHERE p.nik_hash IN {values}",
            nik_hashes,
        )
    }
    found["nib"] = {
        row[0]
        for row in select_in(
            "SELECT id FROM registry_enterprise WHERE nib IN {values}",
            _present(records["nib"].to_pylist()),
        )
    }
    # The conditions of enterprise_phone_idx are written out, so the planner may use it.
    found["phone"] = {
        row[0]
        for row in select_in(
            "SELECT id FROM registry_enterprise WHERE merged_into_id IS NULL "
            "AND phone_hash <> '' AND phone_hash IN {values}",
            _present(records["phone_hash"].to_pylist()),
        )
    }
    for key in KEY_COLUMNS:
        found[key] = {
            row[0]
            for row in select_in(
                f"SELECT enterprise_id FROM registry_blockingkeys WHERE {key} IN {{values}}",
                _present(keys[key].to_pylist()),
            )
        }
    return found


def registry_candidates(records: pa.Table, keys: pa.Table, *, exclude: set[int]):
    """The live registry records the model could pair with one of ``records``, as records for
    the engine (``registry_records``), and how many each rule found.

    ``exclude``: ids never to return (the batch's own records)."""
    from tumbuh.registry.services import registry_records

    found = candidate_ids(records, keys)
    ids = set().union(*found.values()) - exclude
    existing = registry_records(enterprise_ids=ids)
    return existing, {rule: len(rule_ids - exclude) for rule, rule_ids in found.items()}
