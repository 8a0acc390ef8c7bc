"""Entity resolution of business records with Splink (DuckDB backend, embedded).

A "record" is one row about a business, from a partner file or from the registry. The engine
works on tables of records, never on Django models or the database, so the registry's import,
``resolve_duplicates`` and ``resolve_file`` all call the same functions.

Input: a ``pyarrow.Table`` (or anything with ``to_arrow_table()``, such as a DuckDB relation)
with these columns, all strings or null; extra columns are ignored:

==============  ============================================================================
record_id       unique per table; also the stable cluster id (see ``cluster_order_key``)
nik_hash        keyed hash of the owner's NIK (``keyed_hash("nik", nik)``), compared exactly
nib             the business's NIB (13 digits)
phone           the owner's phone; any Indonesian format, normalised here to E.164
business_name   as written by the partner ("CV. Barokah Djaya")
owner_name      as written by the partner ("Hj. Siti Aminah, S.E.")
village_code    Kemendagri village code ("32.04.12.2001")
district_code   Kemendagri district code ("32.04.12"); derived from village_code when null
village_name    village name, used only when village_code is null
kbli            5-digit KBLI 2020 code
==============  ============================================================================

The model (``ResolutionModel``) is a Splink model plus two thresholds: pairs at or above
``upper`` merge automatically, pairs in [``lower``, ``upper``) go to the review queue. See
``build_settings`` for the comparisons and blocking rules, and ``explain`` for how a pair's
evidence is put into words for a reviewer.
"""

# The SQL here is built from this module's constants and column names; record values reach
# DuckDB only as registered Arrow tables, never as SQL text.
# ruff: noqa: S608

import copy
import json
import logging
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tumbuh.registry.resolution import normalise

logger = logging.getLogger(__name__)

MODEL_FORMAT = "tumbuh.registry.resolution/1"
SEED = 20240611

INPUT_COLUMNS = (
    "record_id",
    "nik_hash",
    "nib",
    "phone",
    "business_name",
    "owner_name",
    "village_code",
    "district_code",
    "village_name",
    "kbli",
)

DEFAULT_UPPER = 0.7
DEFAULT_LOWER = 0.05


# --- preparing records ------------------------------------------------------------------------


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
    for name in INPUT_COLUMNS:
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
        [normalise.normalise_phone_or_none(value) for value in distinct.to_pylist()],
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
        owner_name,
        split_part(owner_name, ' ', 1) AS owner_token,
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
def _connection():
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


def _load(con: duckdb.DuckDBPyConnection, records, name: str) -> int:
    table = as_arrow(records)
    table = table.set_column(
        table.column_names.index("phone"), "phone", _normalise_phones(table["phone"])
    )
    con.register(f"{name}_input", table)
    con.execute(f"CREATE TABLE {name} AS {prepare_sql(name + '_input')}")
    con.unregister(f"{name}_input")
    return table.num_rows


# --- the Splink model ---------------------------------------------------------------------------

JW = "jaro_winkler_similarity"


def _level(sql: str, label: str, **options) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **options}


def _null(sql: str, label: str) -> dict[str, Any]:
    return _level(sql, label, is_null_level=True)


def build_comparisons(*, conditional: bool = True) -> list[dict[str, Any]]:
    """The comparisons, as Splink settings dictionaries (first matching level wins).

    Fellegi-Sunter adds up the evidence of the comparisons as if they were independent. The
    owner's NIK, phone and name and the place describe one person and where they live, so
    counted side by side they would say "same owner" three or four times, and the same owner
    running two businesses would look like one business. Hence each counts only when the ones
    before it could not tell: the phone when the NIK is missing or differs; the owner's name,
    and a shared village or district, only when neither NIK nor phone is shared. Evidence
    *against* (a NIK, phone or name that differs, another district) always counts, which is
    right: it points to another person or another place.

    NIB, business name and KBLI describe the business itself: they tell apart the businesses
    of one owner, and the businesses of one name run by different owners.

    With ``conditional=False`` the phone, name and place count whenever both records have them:
    training estimates their m and u that way, on many more pairs than the few where they would
    count, and the model then applies them conditionally (see ``train``).
    """
    same_owner_id = "(nik_hash_l = nik_hash_r OR phone_l = phone_r)"
    owner_similarity = f"{JW}(owner_name_l, owner_name_r)"
    name_similarity = f"{JW}(name_key_l, name_key_r)"
    return [
        {
            "output_column_name": "nik",
            "comparison_description": "owner's NIK (keyed hash)",
            "comparison_levels": [
                _null("nik_hash_l IS NULL OR nik_hash_r IS NULL", "NIK missing"),
                _level("nik_hash_l = nik_hash_r", "same NIK"),
                _level("ELSE", "different NIK"),
            ],
        },
        {
            "output_column_name": "phone",
            "comparison_description": "owner's phone, when the NIK is not shared",
            "comparison_levels": [
                _null(
                    "phone_l IS NULL OR phone_r IS NULL"
                    + (" OR nik_hash_l = nik_hash_r" if conditional else ""),
                    "phone missing, or the NIK is shared",
                ),
                _level("phone_l = phone_r", "same phone"),
                _level("ELSE", "different phone"),
            ],
        },
        {
            "output_column_name": "owner_name",
            "comparison_description": "owner's name, when neither NIK nor phone is shared",
            "comparison_levels": [
                _null(
                    "owner_name_l IS NULL OR owner_name_r IS NULL"
                    + (f" OR {same_owner_id}" if conditional else ""),
                    "name missing, or NIK or phone shared",
                ),
                _level(
                    "owner_name_l = owner_name_r",
                    "same name",
                    tf_adjustment_column="owner_name",
                    tf_adjustment_weight=1.0,
                ),
                _level(f"{owner_similarity} >= 0.95", "name 95% similar"),
                _level(
                    "owner_short_l = owner_short_r OR owner_initial_l = owner_initial_r",
                    "one name abbreviates the other",
                ),
                _level(f"{owner_similarity} >= 0.85", "name 85% similar"),
                _level("ELSE", "different name"),
            ],
        },
        {
            "output_column_name": "place",
            "comparison_description": (
                "village and district: a shared place counts when NIK or phone do not show the"
                " owner to be the same; another district always counts"
            ),
            "comparison_levels": [
                _null(
                    "district_code_l IS NULL OR district_code_r IS NULL"
                    + (
                        f" OR (district_code_l = district_code_r AND {same_owner_id})"
                        if conditional
                        else ""
                    ),
                    "place missing, or same district and same NIK or phone",
                ),
                _level("village_key_l = village_key_r", "same village"),
                _level("district_code_l = district_code_r", "same district"),
                _level("ELSE", "different district"),
            ],
        },
        {
            "output_column_name": "nib",
            "comparison_description": "NIB",
            "comparison_levels": [
                _null("nib_l IS NULL OR nib_r IS NULL", "NIB missing"),
                _level("nib_l = nib_r", "same NIB"),
                _level("ELSE", "different NIB"),
            ],
        },
        {
            "output_column_name": "business_name",
            "comparison_description": "business name",
            "comparison_levels": [
                _null("name_core_l IS NULL OR name_core_r IS NULL", "name missing"),
                _level(
                    "name_full_l = name_full_r",
                    "same full name",
                    tf_adjustment_column="name_full",
                    tf_adjustment_weight=1.0,
                ),
                # From here on the names are compared by their key (see ``prepare_sql``): the
                # name without its legal or trade form ("CV", "Toko") or, for a business named
                # after its owner, without the owner's name: "Bakso Pak Yusuf" and "Sate Pak
                # Yusuf" share their owner, which the owner's comparisons have counted already.
                _level(
                    "name_key_l = name_key_r",
                    "same name without form or owner's name",
                    tf_adjustment_column="name_key",
                    tf_adjustment_weight=1.0,
                ),
                _level(f"{name_similarity} >= 0.95", "name 95% similar"),
                _level(
                    "name_tail_l = name_tail_r",
                    "same last two words",
                    tf_adjustment_column="name_tail",
                    tf_adjustment_weight=1.0,
                    disable_tf_exact_match_detection=True,
                ),
                _level(f"{name_similarity} >= 0.88", "name 88% similar"),
                _level(
                    "list_has_all(name_words_l, name_words_r) OR list_has_all(name_words_r, name_words_l)",
                    "words of one name all in the other",
                ),
                _level(
                    "name_last_l = name_last_r",
                    "same last word",
                    tf_adjustment_column="name_last",
                    tf_adjustment_weight=1.0,
                    disable_tf_exact_match_detection=True,
                ),
                _level("damerau_levenshtein(name_key_l, name_key_r) <= 2", "name within 2 edits"),
                _level(f"{name_similarity} >= 0.75", "name 75% similar"),
                _level("ELSE", "different name"),
            ],
        },
        {
            "output_column_name": "kbli",
            "comparison_description": "KBLI",
            "comparison_levels": [
                _null("kbli_l IS NULL OR kbli_r IS NULL", "KBLI missing"),
                _level("kbli_l = kbli_r", "same KBLI"),
                _level("ELSE", "different KBLI"),
            ],
        },
    ]


# Candidate pairs: records that share at least one of these are scored; all other pairs are
# taken to be different businesses without being compared. ``name_token`` is the first word of
# the name without its form, ``owner_token`` the first word of the owner's name.
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("nik_hash",),
    ("nib",),
    ("phone",),
    ("district_code", "name_token"),
    ("village_key", "owner_token"),
    ("name_core", "owner_token"),
)

# Expectation maximisation estimates m on the pairs of one blocking rule at a time, for the
# comparisons that do not use the rule's columns. Pairs that share a NIB are almost all one
# business, so they teach what a duplicate looks like (owner, place, name, KBLI) without the
# two businesses of one owner mixed in. Pairs that share NIK or phone and the name teach the
# NIB, the KBLI and the NIK.
TRAINING_BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("nib",),
    ("nik_hash", "name_core"),
    ("phone", "name_core"),
)

# Pairs these rules find are almost surely one business; Splink counts them to estimate the
# prior probability that two records match, assuming they find this share of all matches.
DETERMINISTIC_RULES: tuple[tuple[str, ...], ...] = (
    ("nik_hash", "name_core"),
    ("phone", "name_core"),
    ("nib",),
)
DETERMINISTIC_RECALL = 0.7


def build_settings(*, conditional: bool = True) -> dict[str, Any]:
    """The untrained Splink settings: comparisons, blocking rules, column names."""
    from splink import SettingsCreator, block_on

    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=build_comparisons(conditional=conditional),
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in BLOCKING_RULES],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=25,
        em_convergence=0.0001,
    )
    return creator.create_settings_dict("duckdb")


@dataclass
class ResolutionModel:
    """A trained Splink model (its settings dictionary, parameters included) and the two
    thresholds: pairs at or above ``upper`` merge automatically, pairs in [``lower``, ``upper``)
    go to the review queue, pairs below ``lower`` are different businesses."""

    settings: dict[str, Any]
    upper: float = DEFAULT_UPPER
    lower: float = DEFAULT_LOWER
    trained_on: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not 0 < self.lower <= self.upper < 1:
            raise ValueError("thresholds need 0 < lower <= upper < 1")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "upper": self.upper,
            "lower": self.lower,
            "trained_on": self.trained_on,
            "splink": self.settings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ResolutionModel":
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a {MODEL_FORMAT} model")
        return cls(
            settings=data["splink"],
            upper=float(data["upper"]),
            lower=float(data["lower"]),
            trained_on=data.get("trained_on", {}),
        )

    def save(self, path: str | os.PathLike) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> "ResolutionModel":
        return cls.from_dict(json.loads(Path(path).read_text()))

    def decision(self, match_probability: float) -> str:
        """What to do with a pair of this probability: "merge", "review" or "distinct"."""
        if match_probability >= self.upper:
            return "merge"
        if match_probability >= self.lower:
            return "review"
        return "distinct"


# --- running Splink -----------------------------------------------------------------------------


def _linker(con: duckdb.DuckDBPyConnection, table: str, settings: dict[str, Any]):
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register(table), settings, log_level=None, validate_settings=False)
    return db_api, linker


DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
# Fewer pairs than these and an estimate is noise: the base model's value is kept instead.
MIN_DETERMINISTIC_PAIRS = 20
MIN_EM_PAIRS = 200
MIN_IDENTIFIER_VALUES = 200


@cache
def _default_model_data() -> dict[str, Any] | None:
    if not DEFAULT_MODEL_PATH.exists():
        return None
    return json.loads(DEFAULT_MODEL_PATH.read_text())


def default_model() -> "ResolutionModel | None":
    """The model shipped with Tumbuh, trained on synthetic partner files (see
    ``bench/resolve.py``); None if it is missing."""
    data = _default_model_data()
    return ResolutionModel.from_dict(copy.deepcopy(data)) if data else None


def train(
    records,
    *,
    base: "ResolutionModel | str | None" = "default",
    upper: float | None = None,
    lower: float | None = None,
    seed: int = SEED,
    u_pairs: float = 1e7,
) -> "ResolutionModel":
    """Estimate a model from the records themselves (no labels); the same records and seed
    give the same model.

    - the prior (probability that two random records match) from the pairs that
      ``DETERMINISTIC_RULES`` find, taken to be ``DETERMINISTIC_RECALL`` of all matches;
    - ``u`` (how often different businesses agree) from ``u_pairs`` random pairs drawn with
      ``seed``, except for NIK, phone and NIB, whose share of agreeing pairs is counted exactly
      (``_identifier_u``); then the duplicates among random pairs are taken out of every u
      (``_remove_matches_from_u``);
    - ``m`` (how often duplicates agree) by expectation maximisation over the pairs of each of
      ``TRAINING_BLOCKING_RULES``, for the comparisons that do not use the rule's columns.

    Phone, owner's name and place are estimated as if they always counted, and only then made
    conditional (``build_comparisons``, ``_apply_conditions``): the pairs where they count are
    too few to estimate them on. No m falls below ``M_FLOOR``. Parameters that the records are
    too few to estimate (a partner's small file) keep the values of ``base``: a model,
    "default" for the shipped model (``default_model``) or None. Its thresholds are kept too
    unless ``upper`` and ``lower`` are given.
    """
    from splink import block_on

    if base == "default":
        base = default_model()
    settings = build_settings(conditional=False)
    # EM warns about every level a session cannot see (levels of the comparisons it does not
    # train, or that no pair in its block reaches); other sessions or the base cover those.
    with _quiet_splink(logging.ERROR), _connection() as con:
        count = _load(con, records, "records")
        db_api, linker = _linker(con, "records", settings)
        _register_term_frequencies(con, db_api, linker, settings, ["records"])
        total_pairs = count * (count - 1) / 2
        prior = None
        if _pairs_sharing(con, DETERMINISTIC_RULES) >= MIN_DETERMINISTIC_PAIRS:
            linker.training.estimate_probability_two_random_records_match(
                [block_on(*rule) for rule in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
            )
            prior = linker._settings_obj._probability_two_random_records_match
        elif base is not None and total_pairs:
            # About as many duplicates per record as in the base model's data.
            base_pairs = base.trained_on.get("records", count) ** 2 / 2
            prior = base.settings["probability_two_random_records_match"] * base_pairs / total_pairs
            linker._settings_obj._probability_two_random_records_match = min(prior, 0.5)
        if count >= 2:
            linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
        exact_u = _identifier_u(con)
        for rule in TRAINING_BLOCKING_RULES:
            if _pairs_sharing(con, [rule]) < MIN_EM_PAIRS:
                continue
            before = linker._settings_obj.core_model_settings.copy()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
            except ValueError as error:
                # Splink refuses an m that underflows to 0 (a level EM decided no duplicate
                # ever reaches) after it has changed the parameters in place: put them back
                # and let the other sessions estimate what this one would have.
                linker._settings_obj.core_model_settings = before
                logger.warning("EM on %s skipped: %s", rule, error)
        trained = linker.misc.save_model_to_json()
    trained.pop("linker_uid", None)
    _set_identifier_u(trained, exact_u)
    _remove_matches_from_u(trained)
    if base is not None:
        _copy_parameters(base.settings, trained)
    _apply_conditions(trained)
    _floor_m_probabilities(trained)
    return ResolutionModel(
        trained,
        upper=base.upper if upper is None and base else upper or DEFAULT_UPPER,
        lower=base.lower if lower is None and base else lower or DEFAULT_LOWER,
        trained_on={"records": count, "seed": seed},
    )


# Comparisons whose only levels are "same" and "different" on one identifier column.
IDENTIFIERS = {"nik": "nik_hash", "phone": "phone", "nib": "nib"}


def _identifier_u(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """For NIK, phone and NIB, the share of pairs of records (both with a value) that share it.

    This is what random sampling estimates, counted exactly: two random records share a NIK
    once in millions of pairs, so even ten million sampled pairs see it a handful of times and
    the weight of "same NIK" would swing by a bit from one sample to the next.
    """
    shares = {}
    for comparison, column in IDENTIFIERS.items():
        same, values = con.sql(f"""
            SELECT coalesce(sum(n * (n - 1)), 0), coalesce(sum(n), 0) FROM (
                SELECT count(*)::DOUBLE AS n FROM records WHERE {column} IS NOT NULL GROUP BY {column}
            )
        """).fetchall()[0]
        if values >= MIN_IDENTIFIER_VALUES and same > 0:
            shares[comparison] = min(same / (values * (values - 1)), 0.5)
    return shares


def _set_identifier_u(settings: dict[str, Any], shares: dict[str, float]) -> None:
    for comparison in settings["comparisons"]:
        share = shares.get(comparison["output_column_name"])
        if share is None:
            continue
        same, different = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        same["u_probability"], different["u_probability"] = share, 1 - share


def _pairs_sharing(con: duckdb.DuckDBPyConnection, rules) -> int:
    """How many pairs of records agree on all columns of at least one rule (an upper bound
    when rules overlap; enough to tell "too few" from "enough")."""
    total = 0
    for rule in rules:
        columns = ", ".join(rule)
        not_null = " AND ".join(f"{column} IS NOT NULL" for column in rule)
        total += con.sql(f"""
            SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (
                SELECT count(*) AS n FROM records WHERE {not_null} GROUP BY {columns}
            )
        """).fetchall()[0][0]
    return int(total)


def _copy_parameters(source: dict[str, Any], target: dict[str, Any]) -> None:
    """Fill the m and u that ``target`` could not estimate (not a number) from the same
    comparison levels of ``source``, matched by comparison and level label."""
    levels = {
        (comparison["output_column_name"], level.get("label_for_charts")): level
        for comparison in source["comparisons"]
        for level in comparison["comparison_levels"]
    }
    for comparison in target["comparisons"]:
        for level in comparison["comparison_levels"]:
            known = levels.get((comparison["output_column_name"], level.get("label_for_charts")))
            if known is None or level.get("is_null_level"):
                continue
            for key in ("m_probability", "u_probability"):
                if isinstance(known.get(key), float) and not isinstance(level.get(key), float):
                    level[key] = known[key]


# No level is proof: one never seen among the duplicates of the training data (a KBLI that
# differs, say) still gets this much m, so that it weighs about -10 bits, not -100.
M_FLOOR = 0.001


def _apply_conditions(settings: dict[str, Any]) -> None:
    """Swap the null levels estimated unconditionally for the conditional ones."""
    conditional = {
        comparison["output_column_name"]: comparison
        for comparison in build_settings(conditional=True)["comparisons"]
    }
    for comparison in settings["comparisons"]:
        null_levels = [
            level for level in conditional[comparison["output_column_name"]]["comparison_levels"]
            if level.get("is_null_level")
        ]  # fmt: skip
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                level["sql_condition"] = null_levels[0]["sql_condition"]


def _remove_matches_from_u(settings: dict[str, Any]) -> None:
    """Take the duplicates out of the u probabilities estimated from random pairs.

    Random sampling assumes every random pair is two different businesses, but a share
    (lambda, the prior) are duplicates, and they land in levels such as "same NIK" far more
    often than the others: P(level | random) = lambda * m + (1 - lambda) * u. Solved for u, the
    correction matters only for levels unrelated businesses almost never reach, where it makes
    the weight of "same NIK" honest. It never takes u below a tenth of what was observed.
    """
    prior = settings["probability_two_random_records_match"]
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or not isinstance(m, float) or not isinstance(u, float):
                continue
            level["u_probability"] = min(max((u - prior * m) / (1 - prior), u / 10), 1.0)


# What Splink assumes for a level that random sampling never reached; written out explicitly.
U_UNSEEN = 1e-6


def _floor_m_probabilities(settings: dict[str, Any]) -> None:
    """Give every level at least ``M_FLOOR`` of m, including levels training never saw."""
    for comparison in settings["comparisons"]:
        levels = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        for level in levels:
            m = level.get("m_probability")
            level["m_probability"] = max(m, M_FLOOR) if isinstance(m, float) else M_FLOOR
            if not isinstance(level.get("u_probability"), float):
                level["u_probability"] = U_UNSEEN
        total = sum(level["m_probability"] for level in levels)
        for level in levels:
            level["m_probability"] /= total


@contextmanager
def _quiet_splink(level: int = logging.WARNING):
    """Splink logs every step at INFO; keep what matters, drop the chatter."""
    splink_logger = logging.getLogger("splink")
    previous = splink_logger.level
    splink_logger.setLevel(max(previous, level))
    try:
        yield
    finally:
        splink_logger.setLevel(previous)


# --- evidence -----------------------------------------------------------------------------------

COMPARISONS = ("nik", "phone", "owner_name", "place", "nib", "business_name", "kbli")


def _agrees(column: str) -> str:
    """True or False when both records have a value, null when one lacks it."""
    return f"CASE WHEN {column}_l IS NOT NULL AND {column}_r IS NOT NULL THEN {column}_l = {column}_r END"


def _evidence_sql(
    con: duckdb.DuckDBPyConnection,
    predictions: str,
    left: str = "record_id_l",
    right: str = "record_id_r",
) -> str:
    """Pairs with their evidence, without the personal values Splink kept to compute it.

    Per comparison ``gamma_<comparison>`` (Splink's comparison level, -1 when nothing could be
    compared) and ``weight_<comparison>`` (its match weight in bits, term frequencies included);
    per field whether the two records agree (null when one has no value) and, for names, how
    similar they are (Jaro-Winkler, 0 to 1).
    """
    columns = set(con.sql(f"SELECT * FROM {predictions} LIMIT 0").columns)
    per_comparison = ",\n".join(
        f"gamma_{name}, round(mw_{name}"
        + (f" + coalesce(mw_tf_adj_{name}, 0)" if f"mw_tf_adj_{name}" in columns else "")
        + f", 4) AS weight_{name}"
        for name in COMPARISONS
    )
    return f"""
    SELECT
        record_id_l AS {left},
        record_id_r AS {right},
        match_probability,
        round(match_weight, 4) AS match_weight,
        {per_comparison},
        {_agrees("nik_hash")} AS nik_agrees,
        {_agrees("phone")} AS phone_agrees,
        {_agrees("owner_name")} AS owner_name_agrees,
        round({JW}(owner_name_l, owner_name_r), 4) AS owner_name_similarity,
        {_agrees("nib")} AS nib_agrees,
        {_agrees("name_full")} AS business_name_agrees,
        {_agrees("name_core")} AS business_core_name_agrees,
        round({JW}(name_core_l, name_core_r), 4) AS business_name_similarity,
        {_agrees("village_key")} AS village_agrees,
        {_agrees("district_code")} AS district_agrees,
        {_agrees("kbli")} AS kbli_agrees,
        CASE WHEN kbli_l IS NOT NULL AND kbli_r IS NOT NULL THEN left(kbli_l, 2) = left(kbli_r, 2) END
            AS kbli_division_agrees
    FROM {predictions}
    """


class Evidence(NamedTuple):
    """One line of evidence about a pair: the field, whether the two records agree on it (None
    when one of them lacks it), and the same in plain words."""

    field: str
    agrees: bool | None
    text: str


def explain(pair) -> list[Evidence]:
    """Put a pair's evidence (a row of ``score_pairs`` or ``match_new``, as a mapping) into words
    a reviewer can weigh: "same NIK", "phone differs", "business names 92 % similar"."""
    from django.utils.translation import gettext as _

    def percent(value) -> int:
        return round(100 * (value or 0))

    def line(field_name, agrees, same, differs, missing):
        if agrees is None:
            return Evidence(field_name, None, missing)
        return Evidence(field_name, bool(agrees), same if agrees else differs)

    evidence = [
        line("nik", pair["nik_agrees"], _("same NIK"), _("NIK differs"), _("NIK missing in one record")),
        line("phone", pair["phone_agrees"], _("same phone number"), _("phone number differs"),
             _("phone number missing in one record")),
    ]  # fmt: skip
    if pair["owner_name_agrees"] is None:
        evidence.append(Evidence("owner_name", None, _("owner's name missing in one record")))
    elif pair["owner_name_agrees"]:
        evidence.append(Evidence("owner_name", True, _("same owner's name")))
    else:
        similarity = pair["owner_name_similarity"]
        evidence.append(
            Evidence(
                "owner_name",
                similarity >= 0.88,
                _("owners' names %(percent)s %% similar") % {"percent": percent(similarity)},
            )
        )
    evidence.append(
        line(
            "nib",
            pair["nib_agrees"],
            _("same NIB"),
            _("NIB differs"),
            _("NIB missing in one record"),
        )
    )
    if pair["business_name_agrees"] is None:
        evidence.append(Evidence("business_name", None, _("business name missing in one record")))
    elif pair["business_name_agrees"]:
        evidence.append(Evidence("business_name", True, _("same business name")))
    elif pair["business_core_name_agrees"]:
        evidence.append(
            Evidence("business_name", True, _("same business name apart from its form (CV, Toko…)"))
        )
    else:
        similarity = pair["business_name_similarity"]
        evidence.append(
            Evidence(
                "business_name",
                (pair["weight_business_name"] or 0) > 0,
                _("business names %(percent)s %% similar") % {"percent": percent(similarity)},
            )
        )
    if pair["village_agrees"]:
        evidence.append(Evidence("village", True, _("same village")))
    elif pair["district_agrees"]:
        evidence.append(Evidence("village", True, _("same district, another or unknown village")))
    elif pair["district_agrees"] is None:
        evidence.append(Evidence("village", None, _("place missing in one record")))
    else:
        evidence.append(Evidence("village", False, _("different district")))
    if pair["kbli_agrees"] is None:
        evidence.append(Evidence("kbli", None, _("KBLI missing in one record")))
    elif pair["kbli_agrees"]:
        evidence.append(Evidence("kbli", True, _("same KBLI")))
    elif pair["kbli_division_agrees"]:
        evidence.append(Evidence("kbli", False, _("KBLI differs, same division")))
    else:
        evidence.append(Evidence("kbli", False, _("KBLI differs")))
    return evidence


# --- resolution ---------------------------------------------------------------------------------


def cluster_order_key(record_id: str) -> tuple[int, str]:
    """The order that picks a cluster's id: shorter ids first, then by characters (code points).

    For decimal ids without leading zeros this is numeric order, for fixed-width ids (zero-padded
    numbers, ULIDs, dated ids) it is plain string order; either way the registry's oldest
    enterprise id in a cluster becomes the cluster's id, and stays it as records are added.
    """
    return (len(record_id), record_id)


@dataclass
class Resolution:
    """The outcome of resolving one table of records.

    ``clusters``: one row per record (``record_id``, ``cluster_id``, ``cluster_probability``,
    the highest match probability that links the record to another member, null for a record
    alone). ``review_pairs``: pairs scored in [lower, upper) whose records did not end up in one
    cluster, with their evidence (see ``_evidence_sql``). ``comparisons``: how many candidate
    pairs the blocking rules produced and the model scored.
    """

    clusters: pa.Table
    review_pairs: pa.Table
    comparisons: int


def resolve(records, model: ResolutionModel) -> Resolution:
    """Score candidate pairs, cluster those at or above ``upper``, list those to review."""
    with _quiet_splink(), _connection() as con:
        _load(con, records, "records")
        db_api, linker = _linker(con, "records", model.settings)
        _register_term_frequencies(con, db_api, linker, model.settings, ["records"])
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        comparisons = con.sql(f"SELECT count(*) FROM {blocked.physical_name}").fetchall()[0][0]
        predictions = linker.inference.predict(
            threshold_match_probability=model.lower, warning_mode="never"
        )
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=model.upper
        )
        con.execute(f"""
            CREATE TABLE clusters AS
            WITH members AS (SELECT record_id, cluster_id FROM {clusters.physical_name}),
            stable AS (
                SELECT cluster_id, arg_min(record_id, (length(record_id), record_id)) AS stable_id
                FROM members GROUP BY cluster_id
            ),
            linked AS (
                SELECT p.record_id_l, p.record_id_r, p.match_probability
                FROM {predictions.physical_name} p
                JOIN members l ON l.record_id = p.record_id_l
                JOIN members r ON r.record_id = p.record_id_r
                WHERE l.cluster_id = r.cluster_id AND p.match_probability >= {model.upper}
            ),
            best AS (
                SELECT record_id, max(match_probability) AS probability FROM (
                    SELECT record_id_l AS record_id, match_probability FROM linked
                    UNION ALL
                    SELECT record_id_r, match_probability FROM linked
                ) GROUP BY record_id
            )
            SELECT m.record_id, s.stable_id AS cluster_id, b.probability AS cluster_probability
            FROM members m JOIN stable s USING (cluster_id) LEFT JOIN best b USING (record_id)
        """)
        cluster_table = con.sql(
            "SELECT * FROM clusters ORDER BY length(record_id), record_id"
        ).to_arrow_table()
        review = con.sql(f"""
            SELECT e.* FROM ({_evidence_sql(con, predictions.physical_name)}) e
            JOIN clusters l ON l.record_id = e.record_id_l
            JOIN clusters r ON r.record_id = e.record_id_r
            WHERE e.match_probability < {model.upper} AND l.cluster_id <> r.cluster_id
            ORDER BY e.match_probability DESC, e.record_id_l, e.record_id_r
        """).to_arrow_table()
    return Resolution(cluster_table, review, comparisons)


def cluster(records, model: ResolutionModel) -> pa.Table:
    """``record_id``, ``cluster_id``, ``cluster_probability`` for every record (see ``resolve``).

    The table's schema metadata holds ``comparisons``, the number of pairs scored."""
    resolution = resolve(records, model)
    return resolution.clusters.replace_schema_metadata({"comparisons": str(resolution.comparisons)})


def score_pairs(records, model: ResolutionModel, *, threshold: float | None = None) -> pa.Table:
    """Every candidate pair (or those with ``match_probability >= threshold``) with its
    evidence, ``record_id_l`` before ``record_id_r`` in ``cluster_order_key`` order."""
    with _quiet_splink(), _connection() as con:
        _load(con, records, "records")
        db_api, linker = _linker(con, "records", model.settings)
        _register_term_frequencies(con, db_api, linker, model.settings, ["records"])
        predictions = linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never"
        )
        return con.sql(f"""
            SELECT * EXCLUDE (swap) REPLACE (
                CASE WHEN swap THEN record_id_r ELSE record_id_l END AS record_id_l,
                CASE WHEN swap THEN record_id_l ELSE record_id_r END AS record_id_r
            )
            FROM (
                SELECT *, (length(record_id_l), record_id_l) > (length(record_id_r), record_id_r) AS swap
                FROM ({_evidence_sql(con, predictions.physical_name)})
            )
            ORDER BY match_probability DESC, record_id_l, record_id_r
        """).to_arrow_table()


def match_new(existing, new, model: ResolutionModel, *, threshold: float | None = None) -> pa.Table:
    """Score a new import against the existing records without retraining.

    Only pairs of one new and one existing record are scored, with the blocking rules of the
    model; term frequencies come from both tables together. Returns ``new_record_id``,
    ``existing_record_id``, ``match_probability`` and the evidence, for pairs at or above
    ``threshold`` (default: the model's ``lower``), best first.
    """
    threshold = model.lower if threshold is None else threshold
    with _quiet_splink(), _connection() as con:
        _load(con, existing, "existing")
        _load(con, new, "new")
        db_api, linker = _linker(con, "new", model.settings)
        _register_term_frequencies(con, db_api, linker, model.settings, ["existing", "new"])
        predictions = linker.inference.predict_between(
            db_api.register("existing"),
            db_api.register("new"),
            threshold_match_probability=threshold,
            warning_mode="never",
        )
        evidence = _evidence_sql(
            con, predictions.physical_name, "existing_record_id", "new_record_id"
        )
        return con.sql(f"""
            SELECT new_record_id, existing_record_id, * EXCLUDE (new_record_id, existing_record_id)
            FROM ({evidence})
            ORDER BY new_record_id, match_probability DESC, existing_record_id
        """).to_arrow_table()


# Term frequencies are shares of the records; a small file would make every name look common
# (one record in 50 is 2 %), so the share is taken of at least this many records.
TF_MIN_RECORDS = 100_000


def _register_term_frequencies(
    con, db_api, linker, settings: dict[str, Any], tables: list[str]
) -> None:
    """Compute the term-frequency lookups of ``tables`` together and hand them to the linker."""
    union = " UNION ALL ".join(f"SELECT * FROM {table}" for table in tables)
    for column in _term_frequency_columns(settings):
        con.sql(f"DROP TABLE IF EXISTS tf_{column}")
        con.sql(f"""
            CREATE TABLE tf_{column} AS
            SELECT {column}, count(*)::DOUBLE / greatest(sum(count(*)) OVER (), {TF_MIN_RECORDS}) AS tf_{column}
            FROM ({union}) WHERE {column} IS NOT NULL GROUP BY {column}
        """)
        linker.table_management.register_term_frequency_lookup(
            db_api.register(f"tf_{column}"), column
        )


def _term_frequency_columns(settings: dict[str, Any]) -> list[str]:
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in settings["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def count_comparisons(records, model: ResolutionModel | None = None) -> int:
    """How many candidate pairs the blocking rules make of these records."""
    settings = model.settings if model else build_settings()
    with _quiet_splink(), _connection() as con:
        _load(con, records, "records")
        _db_api, linker = _linker(con, "records", settings)
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        return con.sql(f"SELECT count(*) FROM {blocked.physical_name}").fetchall()[0][0]
