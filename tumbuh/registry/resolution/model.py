"""The Splink model: comparisons, blocking rules, training, and the model file.

``build_comparisons`` says what is compared and why the comparisons are cut as they are;
``train`` estimates the parameters from the records themselves (no labels); ``ResolutionModel``
holds a trained Splink settings dictionary with the two thresholds and reads and writes it as
JSON. ``default_model`` is the model shipped with Tumbuh (``default_model.json``).
"""

# The SQL here is built from this module's constants and column names.
# ruff: noqa: S608

import copy
import json
import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from tumbuh.registry.resolution.records import (
    connection,
    load,
    make_linker,
    quiet_splink,
    register_term_frequencies,
)

logger = logging.getLogger(__name__)

# /2 added levels (NIK within one typo, phone within one digit, owner's words reordered or
# left out, business names written together) and the columns they read. A /1 model (a
# registry's stored model) still reads: every column it uses is still derived, and its
# comparisons are applied as they were trained; retraining gives it the new levels.
MODEL_FORMAT = "tumbuh.registry.resolution/2"
READABLE_FORMATS = ("tumbuh.registry.resolution/1", MODEL_FORMAT)
SEED = 20240611

DEFAULT_UPPER = 0.7
DEFAULT_LOWER = 0.05


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
                # Only files give nik_near (see ``records``); elsewhere this level never holds.
                _level("list_has_any(nik_near_l, nik_near_r)", "NIK within one typo"),
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
                # A digit dropped or mistyped; numbers in clear only (a hash says nothing).
                _level(
                    # One edit leaves the first seven or the last three characters equal
                    # (E.164 numbers have twelve or more), a cheap test before the costly one.
                    "NOT starts_with(phone_l, 'h:') AND NOT starts_with(phone_r, 'h:')"
                    " AND (left(phone_l, 7) = left(phone_r, 7) OR right(phone_l, 3) = right(phone_r, 3))"
                    " AND damerau_levenshtein(phone_l, phone_r) <= 1",
                    "phone within one digit",
                ),
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
                # "Saputra Wahyuni"; "Ratna" for "Ratna Lumban Gaol" (the marga left out).
                _level("owner_sorted_l = owner_sorted_r", "same words in another order"),
                _level(
                    "list_has_all(owner_words_l, owner_words_r)"
                    " OR list_has_all(owner_words_r, owner_words_l)",
                    "words of one name all in the other",
                ),
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
                # "CVKerupuk Ikan" / "Kerupuk Ikan", "kuekering" / "Kue Kering".
                _level(
                    "name_squeezed_l = name_squeezed_r",
                    "same name written together or glued to its form",
                ),
                _level(f"{name_similarity} >= 0.95", "name 95% similar"),
                _level(
                    f"{JW}(name_squeezed_l, name_squeezed_r) >= 0.92",
                    "name 92% similar written together",
                ),
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
                _level(
                    # the length test first: it is cheap, and two edits change it by two at most
                    "abs(length(name_key_l) - length(name_key_r)) <= 2"
                    " AND damerau_levenshtein(name_key_l, name_key_r) <= 2",
                    "name within 2 edits",
                ),
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
# the name without its form, ``name_squeezed`` the name without form or spaces, ``owner_token``
# the first word of the owner's name and ``owner_letter`` its first letter.
#
# At national density (thousands of businesses per district) "same district and same first
# word of the name" made 2.2 M of the 2.5 M pairs of a 100k-row file ("keripik", "warung"…)
# and found fewer duplicates than the two rules that replace it: the same whole name in the
# district, or the same first word with an owner of the same initial (0.612 M pairs, 99.5 % of
# the true pairs, on ``bench/resolve.py --hard national``; 0.549 M with the province limit
# below, and 7.4 M instead of 12.8 M at a million rows, with the same F1).
#
# The same name and owner's first word anywhere in the country was a rule too; at a million
# rows most of its pairs are namesakes in other provinces, which cannot merge without an
# identifier (``engine._sure_edge_sql``), and identifiers have their own rules: it is kept
# within a province, or where the place is unknown (an SQL rule, not a tuple of columns).
SAME_NAME_AND_OWNER_IN_PROVINCE = (
    'l."name_core" = r."name_core" AND l."owner_token" = r."owner_token"'
    ' AND (l."district_code" IS NULL OR r."district_code" IS NULL'
    ' OR left(l."district_code", 2) = left(r."district_code", 2))'
)
BLOCKING_RULES: tuple[tuple[str, ...] | str, ...] = (
    ("nik_hash",),
    ("nib",),
    ("phone",),
    ("district_code", "name_squeezed"),
    ("district_code", "name_token", "owner_letter"),
    ("village_key", "owner_token"),
    SAME_NAME_AND_OWNER_IN_PROVINCE,
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
    from splink.blocking_rule_library import CustomRule

    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=build_comparisons(conditional=conditional),
        blocking_rules_to_generate_predictions=[
            block_on(*rule) if isinstance(rule, tuple) else CustomRule(rule, "duckdb")
            for rule in BLOCKING_RULES
        ],
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
        if data.get("format") not in READABLE_FORMATS:
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


# --- training ---------------------------------------------------------------------------------


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
    with quiet_splink(logging.ERROR), connection() as con:
        count = load(con, records, "records")
        db_api, linker = make_linker(con, "records", settings)
        register_term_frequencies(con, db_api, linker, settings, ["records"])
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
    # Pairs of records whose NIKs differ but lie within one typo (they share a masked hash).
    near, values = con.sql("""
        WITH counted AS (
            SELECT nik_hash, any_value(nik_near) AS nik_near, count(*)::DOUBLE AS n
            FROM records WHERE nik_near IS NOT NULL GROUP BY nik_hash
        ),
        masked AS (SELECT DISTINCT nik_hash, n, unnest(nik_near) AS near FROM counted),
        near_pairs AS (
            SELECT DISTINCT a.nik_hash AS a, b.nik_hash AS b, a.n * b.n AS pairs
            FROM masked a JOIN masked b USING (near) WHERE a.nik_hash <> b.nik_hash
        )
        SELECT coalesce((SELECT sum(pairs) FROM near_pairs), 0),
            coalesce((SELECT sum(n) FROM counted), 0)
    """).fetchall()[0]
    if values >= MIN_IDENTIFIER_VALUES and near > 0:
        shares["nik_near"] = min(near / (values * (values - 1)), 0.5)
    return shares


def _set_identifier_u(settings: dict[str, Any], shares: dict[str, float]) -> None:
    """Set u of the "same" level (the first) and of "different" (the last), and of a level in
    between ("NIK within one typo") when ``shares`` has it as ``<comparison>_near``."""
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        share = shares.get(name)
        if share is None:
            continue
        levels = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        same, middle, different = levels[0], levels[1:-1], levels[-1]
        same["u_probability"] = share
        if f"{name}_near" in shares and middle:
            middle[0]["u_probability"] = shares[f"{name}_near"]
        taken = sum(
            level["u_probability"]
            for level in middle
            if isinstance(level.get("u_probability"), float)
        )
        different["u_probability"] = max(1 - share - taken, 0.5)


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
