"""Entity resolution of business records with Splink (DuckDB backend, embedded).

``resolve`` can score pairs on Splink's Spark backend instead (``backend="spark"``, see
``backends``), for a national re-resolution past one machine; everything else is DuckDB.

A "record" is one row about a business, from a partner file or from the registry. The engine
works on tables of records, never on Django models or the database, so the registry's import,
``resolve_duplicates`` and ``resolve_file`` all call the same functions.

Input: a ``pyarrow.Table`` (or a DuckDB relation) of records with the columns
``record_id``, ``nik_hash``, ``nib``, ``phone``, ``business_name``, ``owner_name``,
``village_code``, ``district_code``, ``village_name`` and ``kbli`` (see ``records``).

The model (``ResolutionModel``, in ``model``) is a Splink model plus two thresholds: pairs at
or above ``upper`` merge automatically, pairs in [``lower``, ``upper``) go to the review queue.
See ``model.build_comparisons`` for the comparisons and blocking rules, ``model.train`` for the
training, and ``explain`` here for how a pair's evidence is put into words for a reviewer.
"""

# The SQL here is built from this module's constants and column names; record values reach
# DuckDB only as registered Arrow tables, never as SQL text.
# ruff: noqa: S608

from dataclasses import dataclass
from typing import NamedTuple

import duckdb
import pyarrow as pa

from tumbuh.registry.resolution.model import (
    DEFAULT_LOWER,
    DEFAULT_UPPER,
    JW,
    MODEL_FORMAT,
    ResolutionModel,
    build_settings,
    default_model,
    train,
)
from tumbuh.registry.resolution.records import (
    INPUT_COLUMNS,
    connection,
    load,
    make_linker,
    quiet_splink,
    register_term_frequencies,
)

__all__ = [
    "DEFAULT_LOWER",
    "DEFAULT_UPPER",
    "INPUT_COLUMNS",
    "MODEL_FORMAT",
    "Evidence",
    "Resolution",
    "ResolutionModel",
    "build_settings",
    "cluster",
    "cluster_order_key",
    "count_comparisons",
    "default_model",
    "explain",
    "match_new",
    "resolve",
    "score_pairs",
    "train",
]


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
    similar they are (Jaro-Winkler, 0 to 1); ``nik_near_agrees``: for NIKs that differ, whether
    they differ only within two neighbouring digits (null without masked hashes);
    ``is_sure``: whether the pair may merge automatically at or above ``upper`` (see
    ``_sure_edge_sql``), else it belongs in the review queue whatever its probability.
    """
    columns = set(con.sql(f"SELECT * FROM {predictions} LIMIT 0").columns)
    near = (
        "CASE WHEN nik_hash_l <> nik_hash_r THEN coalesce(list_has_any(nik_near_l, nik_near_r), false) END"
        if "nik_near_l" in columns
        else "CAST(NULL AS BOOLEAN)"
    )
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
        {near} AS nik_near_agrees,
        {_sure_edge_sql(columns)} AS is_sure,
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

    nik_differs = _("NIK differs")
    if pair.get("nik_near_agrees"):
        # Two neighbouring digits differ: a typo far more often than another person.
        nik_differs = _("NIK differs only by a typo (two neighbouring digits)")
    evidence = [
        line("nik", pair["nik_agrees"], _("same NIK"), nik_differs, _("NIK missing in one record")),
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


def resolve(records, model: ResolutionModel, *, backend: str = "duckdb") -> Resolution:
    """Score candidate pairs, cluster those at or above ``upper``, list those to review.

    ``backend`` is where Splink blocks and scores the pairs: ``"duckdb"`` (in this process) or
    ``"spark"`` (``backends.SparkBackend``, for a national re-resolution past one machine).
    Either way the records are prepared, and the scored pairs clustered, in DuckDB.
    """
    from splink import Linker

    from tumbuh.registry.resolution.backends import backend_for

    with quiet_splink(), connection() as con:
        load(con, records, "records")
        scorer = backend_for(backend, con)
        try:
            linker = Linker(
                scorer.table("records"),
                scorer.settings(model.settings),
                log_level=None,
                validate_settings=False,
            )
            register_term_frequencies(
                con, scorer.db_api, linker, model.settings, ["records"], hand_over=scorer.table
            )
            comparisons = scorer.count(linker.inference.compute_blocked_pairs_for_predict())
            predictions = scorer.local(
                linker.inference.predict(
                    threshold_match_probability=model.lower, warning_mode="never"
                ),
                "scored_pairs",
            )
        finally:
            scorer.close()
        _cluster_without_weak_chains(con, predictions, model.upper)
        cluster_table = con.sql(
            "SELECT * FROM clusters ORDER BY length(record_id), record_id"
        ).to_arrow_table()
        review = con.sql(f"""
            SELECT e.* FROM ({_evidence_sql(con, predictions)}) e
            JOIN clusters l ON l.record_id = e.record_id_l
            JOIN clusters r ON r.record_id = e.record_id_r
            WHERE l.cluster_id <> r.cluster_id
            ORDER BY e.match_probability DESC, e.record_id_l, e.record_id_r
        """).to_arrow_table()
    return Resolution(cluster_table, review, comparisons)


# An automatic merge needs more than a high probability (see ``_cluster_without_weak_chains``).
# Both conditions read the columns Splink keeps beside each pair.
SAME_NIB = "coalesce(nib_l = nib_r, false)"


# The owner's names agree at some level of the owner comparison other than "different".
OWNER_AGREES_SQL = f"""(
    owner_name_l IS NULL OR owner_name_r IS NULL OR owner_name_l = owner_name_r
    OR {JW}(owner_name_l, owner_name_r) >= 0.85
    OR owner_short_l = owner_short_r OR owner_initial_l = owner_initial_r
    OR list_has_all(string_split(owner_name_l, ' '), string_split(owner_name_r, ' '))
    OR list_has_all(string_split(owner_name_r, ' '), string_split(owner_name_l, ' '))
    OR list_sort(string_split(owner_name_l, ' ')) = list_sort(string_split(owner_name_r, ' '))
)"""


def _sure_edge_sql(columns: set[str]) -> str:
    near = (
        "OR coalesce(list_has_any(nik_near_l, nik_near_r), false)"
        if "nik_near_l" in columns
        else ""  # a model of format /1 does not compare nik_near
    )
    same_nik = f"(coalesce(nik_hash_l = nik_hash_r, false) {near} OR {SAME_NIB})"
    return f"""(
        -- the business name agrees at least a little: the NIK and the phone say who the owner
        -- is, not which of the owner's businesses the row is about
        (gamma_business_name <> 0 OR {SAME_NIB})
        -- the owner's name too, unless the NIK says it is the same person: in a district of
        -- thousands of businesses, "Warung Makan Berkah" of two owners is common, and a phone
        -- may be a relative's
        AND ({same_nik} OR {OWNER_AGREES_SQL})
        -- two districts are one business only if an identifier says so, never names alone
        AND (district_code_l IS NULL OR district_code_r IS NULL
            OR district_code_l = district_code_r OR coalesce(nik_hash_l = nik_hash_r, false)
            OR coalesce(phone_l = phone_r, false) {near} OR {SAME_NIB})
    )"""


def _cluster_without_weak_chains(con: duckdb.DuckDBPyConnection, predictions: str, upper: float):
    """Create the table ``clusters`` (``record_id``, ``cluster_id``, ``cluster_probability``).

    Connected components of the pairs at or above ``upper`` would let a chain of weak links
    join businesses that no two neighbours would call one (a "Kue Kering Agustina" in Sulawesi
    Barat with one in Bangka Belitung, through a third). So:

    1. a pair merges automatically only if it is *sure* (``SURE_EDGE_SQL``): its business names
       agree at least a little (or it shares the NIB), and, across districts, it shares the
       NIK, a NIK within one typo, the phone or the NIB; other pairs go to review;
    2. sure pairs are joined strongest first (probability, then ids: deterministic), and two
       groups are not joined when both hold NIKs and none of one is equal or within a typo of
       one of the other: three records with two owners' NIKs are two businesses, whatever links
       them through a record without a NIK.

    A cluster's id is its smallest record id (``cluster_order_key``); ``cluster_probability``
    is the highest probability linking the record to another member at or above ``upper``.
    """
    columns = set(con.sql(f"SELECT * FROM {predictions} LIMIT 0").columns)
    con.execute(f"""
        CREATE TEMPORARY TABLE sure_edges AS
        SELECT record_id_l, record_id_r, match_probability FROM {predictions}
        WHERE match_probability >= {upper} AND {_sure_edge_sql(columns)}
    """)
    edges = con.sql("""
        SELECT record_id_l, record_id_r FROM sure_edges
        ORDER BY match_probability DESC, length(record_id_l), record_id_l,
            length(record_id_r), record_id_r
    """).fetchall()
    # The NIK of each linked record, and the pairs of NIKs within one typo of each other
    # (they share a masked hash): few, since only typos make them.
    identities = dict(
        con.sql("""
            SELECT record_id, nik_hash FROM records
            WHERE nik_hash IS NOT NULL AND record_id IN (
                SELECT record_id_l FROM sure_edges UNION SELECT record_id_r FROM sure_edges
            )
        """).fetchall()
    )
    near_pairs = {
        (left, right)
        for left, right in con.sql("""
            WITH masked AS (
                SELECT DISTINCT nik_hash, unnest(nik_near) AS near FROM records
                WHERE nik_hash IS NOT NULL AND nik_near IS NOT NULL
            )
            SELECT DISTINCT a.nik_hash, b.nik_hash FROM masked a JOIN masked b USING (near)
            WHERE a.nik_hash <> b.nik_hash
        """).fetchall()
    }
    con.execute("DROP TABLE sure_edges")
    parent: dict[str, str] = {}
    niks: dict[str, set[str]] = {}

    def root(record_id: str) -> str:
        parent.setdefault(record_id, record_id)
        while parent[record_id] != record_id:
            parent[record_id] = parent[parent[record_id]]
            record_id = parent[record_id]
        return record_id

    def owners(group: str) -> set[str]:
        if group not in niks:
            nik_hash = identities.get(group)
            niks[group] = {nik_hash} if nik_hash else set()
        return niks[group]

    def conflict(left: set[str], right: set[str]) -> bool:
        if not left or not right or left & right:
            return False
        return not any((a, b) in near_pairs for a in left for b in right)

    for left, right in edges:
        left, right = root(left), root(right)
        if left == right:
            continue
        left_niks, right_niks = owners(left), owners(right)
        if conflict(left_niks, right_niks):
            continue
        if cluster_order_key(right) < cluster_order_key(left):
            left, right = right, left
            left_niks, right_niks = right_niks, left_niks
        parent[right] = left
        niks[left] = left_niks | right_niks
        niks.pop(right, None)
    members = pa.table(
        {
            "record_id": pa.array(list(parent), pa.string()),
            "cluster_id": pa.array([root(record_id) for record_id in parent], pa.string()),
        }
    )
    con.register("linked_members", members)
    con.execute(f"""
        CREATE TABLE clusters AS
        WITH members AS (
            SELECT r.record_id, coalesce(m.cluster_id, r.record_id) AS group_id
            FROM records r LEFT JOIN linked_members m USING (record_id)
        ),
        stable AS (
            SELECT group_id, arg_min(record_id, (length(record_id), record_id)) AS stable_id
            FROM members GROUP BY group_id
        ),
        linked AS (
            SELECT p.record_id_l, p.record_id_r, p.match_probability
            FROM {predictions} p
            JOIN members l ON l.record_id = p.record_id_l
            JOIN members r ON r.record_id = p.record_id_r
            WHERE l.group_id = r.group_id AND p.match_probability >= {upper}
        ),
        best AS (
            SELECT record_id, max(match_probability) AS probability FROM (
                SELECT record_id_l AS record_id, match_probability FROM linked
                UNION ALL
                SELECT record_id_r, match_probability FROM linked
            ) GROUP BY record_id
        )
        SELECT m.record_id, s.stable_id AS cluster_id, b.probability AS cluster_probability
        FROM members m JOIN stable s USING (group_id) LEFT JOIN best b USING (record_id)
    """)
    con.unregister("linked_members")


def cluster(records, model: ResolutionModel) -> pa.Table:
    """``record_id``, ``cluster_id``, ``cluster_probability`` for every record (see ``resolve``).

    The table's schema metadata holds ``comparisons``, the number of pairs scored."""
    resolution = resolve(records, model)
    return resolution.clusters.replace_schema_metadata({"comparisons": str(resolution.comparisons)})


def score_pairs(records, model: ResolutionModel, *, threshold: float | None = None) -> pa.Table:
    """Every candidate pair (or those with ``match_probability >= threshold``) with its
    evidence, ``record_id_l`` before ``record_id_r`` in ``cluster_order_key`` order."""
    with quiet_splink(), connection() as con:
        load(con, records, "records")
        db_api, linker = make_linker(con, "records", model.settings)
        register_term_frequencies(con, db_api, linker, model.settings, ["records"])
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
    ``threshold`` (default: the model's ``lower``), best first. A pair at or above ``upper``
    merges automatically only if ``is_sure`` (as in ``resolve``); otherwise it is for review.
    """
    threshold = model.lower if threshold is None else threshold
    with quiet_splink(), connection() as con:
        load(con, existing, "existing")
        load(con, new, "new")
        db_api, linker = make_linker(con, "new", model.settings)
        register_term_frequencies(con, db_api, linker, model.settings, ["existing", "new"])
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


def count_comparisons(records, model: ResolutionModel | None = None) -> int:
    """How many candidate pairs the blocking rules make of these records."""
    settings = model.settings if model else build_settings()
    with quiet_splink(), connection() as con:
        load(con, records, "records")
        _db_api, linker = make_linker(con, "records", settings)
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        return con.sql(f"SELECT count(*) FROM {blocked.physical_name}").fetchall()[0][0]
