"""The entity-resolution engine on a small hand-built set: what must merge, what must not,
stable cluster ids, the model file, incremental matching and the evidence shown to reviewers.

The shipped model (``default_model.json``, trained on synthetic partner files) scores these
records, so the outcome does not depend on training on a handful of rows.
"""

import json

import pyarrow as pa
import pytest

from tumbuh.registry.resolution import engine
from tumbuh.registry.resolution.engine import Evidence, ResolutionModel

VILLAGE = "32.04.12.2001"
OTHER_VILLAGE = "32.04.12.2005"


def record(record_id, business_name, owner_name, **fields):
    values = {
        "record_id": record_id,
        "business_name": business_name,
        "owner_name": owner_name,
        "village_code": VILLAGE,
    }
    values.update(fields)
    return values


# One row per case; the comments say which business each row is.
ROWS = [
    # A: one business, written with and without "CV"/"Toko", old spelling, honorifics, the
    # phone in three formats, the NIK missing in one row.
    record("1", "CV Barokah Jaya", "Hj. Siti Aminah", nik_hash="nik-siti", phone="0812-3456-7890", kbli="10792"),
    record("2", "Barokah Jaya", "Ibu Siti Aminah", nik_hash="nik-siti", phone="+62 812 3456 7890"),
    record("3", "Toko Barokah Djaja", "SITI AMINAH", phone="6281234567890", kbli="10792"),
    # B: one business, with a typo and old spelling in its name.
    record("4", "Soember Redjeki", "Bapak Budi Santoso", nik_hash="nik-budi", phone="081311112222", kbli="47112"),
    record("5", "Sumber Rejki", "H. Budi Santoso, S.E.", nik_hash="nik-budi", kbli="47112"),
    record("6", "Sumber Rejeki", "Pak Budi Santoso", phone="0813-1111-2222"),
    # C and D: one owner (same NIK and phone), two businesses with other names and KBLI.
    record("7", "Laundry Bersih Wangi", "Ani Lestari", nik_hash="nik-ani", phone="081355556666", kbli="96200"),
    record("8", "Kue Basah Bu Ani", "Ani Lestari", nik_hash="nik-ani", phone="081355556666", kbli="10792", village_code=OTHER_VILLAGE),
    record("9", "Laundry Bersih Wangi", "Ibu Ani Lestari", nik_hash="nik-ani", phone="0813-5555-6666"),
    # E, F, G: three businesses called Barokah in one district, three owners.
    record("10", "Toko Barokah", "Rudi Hartono", nik_hash="nik-rudi", phone="081377778888", kbli="47112", village_code=OTHER_VILLAGE),
    record("11", "Toko Barokah", "Sri Wahyuni", nik_hash="nik-sri", phone="081399990000", kbli="47112"),
    record("12", "Warung Barokah", "Dewi Sartika", phone="085700001111"),
    # H: honorific variants and no NIK or phone at all.
    record("13", "Bakso Pak Joko", "Bpk. Joko Susilo", kbli="56103", village_code=OTHER_VILLAGE),
    record("14", "BAKSO PAK JOKO", "Joko Susilo", village_code=OTHER_VILLAGE),
]  # fmt: skip

EXPECTED_CLUSTERS = {
    "1": {"1", "2", "3"},
    "4": {"4", "5", "6"},
    "7": {"7", "9"},
    "8": {"8"},
    "10": {"10"},
    "11": {"11"},
    "12": {"12"},
    "13": {"13", "14"},
}


def table(rows):
    return pa.Table.from_pylist(rows)


@pytest.fixture(scope="module")
def model():
    return engine.default_model()


@pytest.fixture(scope="module")
def resolution(model):
    return engine.resolve(table(ROWS), model)


def clusters_of(cluster_table):
    clusters = {}
    for row in cluster_table.to_pylist():
        clusters.setdefault(row["cluster_id"], set()).add(row["record_id"])
    return clusters


def test_exact_clusters(resolution):
    assert clusters_of(resolution.clusters) == EXPECTED_CLUSTERS


def test_one_row_per_record_in_id_order(resolution):
    assert resolution.clusters.column_names == ["record_id", "cluster_id", "cluster_probability"]
    assert resolution.clusters["record_id"].to_pylist() == [row["record_id"] for row in ROWS]


def test_cluster_probability(resolution, model):
    probabilities = dict(
        zip(
            resolution.clusters["record_id"].to_pylist(),
            resolution.clusters["cluster_probability"].to_pylist(),
            strict=True,
        )
    )
    for members in EXPECTED_CLUSTERS.values():
        for record_id in members:
            if len(members) == 1:
                assert probabilities[record_id] is None
            else:
                assert probabilities[record_id] >= model.upper


def test_same_owner_two_businesses_go_to_review_not_merge(resolution, model):
    # Laundry (9, KBLI missing) and cakes (8) share the owner: a reviewer decides.
    review = {
        (row["record_id_l"], row["record_id_r"]) for row in resolution.review_pairs.to_pylist()
    }
    assert ("8", "9") in review
    for row in resolution.review_pairs.to_pylist():
        assert model.lower <= row["match_probability"] < model.upper


def test_comparisons_are_counted(resolution):
    assert resolution.comparisons == engine.count_comparisons(table(ROWS), engine.default_model())
    assert 10 < resolution.comparisons < len(ROWS) * (len(ROWS) - 1) // 2


# --- stable cluster ids ---------------------------------------------------------------------


def test_cluster_ids_are_the_same_in_every_run(model, resolution):
    again = engine.cluster(table(ROWS), model)
    assert again["record_id"].to_pylist() == resolution.clusters["record_id"].to_pylist()
    assert again["cluster_id"].to_pylist() == resolution.clusters["cluster_id"].to_pylist()
    assert again.schema.metadata[b"comparisons"] == str(resolution.comparisons).encode()


def test_cluster_ids_stay_when_a_record_is_added(model):
    extra = record("15", "Barokah Jaya", "Siti Aminah", nik_hash="nik-siti", kbli="10792")
    clusters = clusters_of(engine.cluster(table([*ROWS, extra]), model))
    assert clusters == {**EXPECTED_CLUSTERS, "1": {"1", "2", "3", "15"}}


def test_cluster_id_is_the_smallest_id_by_length_then_characters(model):
    rows = [
        record("10", "Kedai Kopi Senja", "Rina Marlina", nik_hash="nik-rina"),
        record("9", "Kedai Kopi Senja", "Rina Marlina", nik_hash="nik-rina"),
        record("100", "Kedai Kopi Senja", "Rina Marlina", nik_hash="nik-rina"),
    ]
    clusters = engine.cluster(table(rows), model)
    assert set(clusters["cluster_id"].to_pylist()) == {"9"}
    assert sorted(["10", "9", "100", "E2", "E10"], key=engine.cluster_order_key) == [
        "9", "10", "E2", "100", "E10",
    ]  # fmt: skip


# --- the model file -------------------------------------------------------------------------


def test_save_and_load_give_identical_predictions(model, tmp_path):
    path = tmp_path / "model.json"
    model.save(path)
    data = json.loads(path.read_text())
    assert data["format"] == engine.MODEL_FORMAT
    assert (data["upper"], data["lower"]) == (model.upper, model.lower)
    assert {c["output_column_name"] for c in data["splink"]["comparisons"]} == set(
        engine.COMPARISONS
    )
    loaded = ResolutionModel.load(path)
    assert loaded.to_dict() == model.to_dict()
    assert (
        engine.score_pairs(table(ROWS), loaded).to_pylist()
        == engine.score_pairs(table(ROWS), model).to_pylist()
    )


def test_thresholds_are_checked():
    with pytest.raises(ValueError, match="thresholds"):
        ResolutionModel(settings={}, upper=0.5, lower=0.9)


def test_decision(model):
    assert model.decision(model.upper) == "merge"
    assert model.decision(model.lower) == "review"
    assert model.decision(model.lower / 2) == "distinct"


# --- pairs and evidence ---------------------------------------------------------------------


def test_score_pairs_orders_ids_and_keeps_no_personal_values(model):
    pairs = engine.score_pairs(table(ROWS), model, threshold=0.5)
    assert {(row["record_id_l"], row["record_id_r"]) for row in pairs.to_pylist()} >= {
        ("1", "2"), ("1", "3"), ("2", "3"), ("4", "5"), ("4", "6"), ("5", "6"), ("7", "9"),
        ("13", "14"),
    }  # fmt: skip
    for row in pairs.to_pylist():
        assert engine.cluster_order_key(row["record_id_l"]) < engine.cluster_order_key(
            row["record_id_r"]
        )
    columns = set(pairs.column_names)
    assert not columns & {"nik_hash_l", "phone_l", "owner_name_l", "name_full_l"}
    assert {f"gamma_{name}" for name in engine.COMPARISONS} <= columns
    assert {f"weight_{name}" for name in engine.COMPARISONS} <= columns


def test_explain_a_merge(model, english):
    pairs = engine.score_pairs(table(ROWS), model).to_pylist()
    pair = next(row for row in pairs if (row["record_id_l"], row["record_id_r"]) == ("1", "2"))
    assert engine.explain(pair) == [
        Evidence("nik", True, "same NIK"),
        Evidence("phone", True, "same phone number"),
        Evidence("owner_name", True, "same owner's name"),
        Evidence("nib", None, "NIB missing in one record"),
        Evidence("business_name", True, "same business name apart from its form (CV, Toko…)"),
        Evidence("village", True, "same village"),
        Evidence("kbli", None, "KBLI missing in one record"),
    ]


def test_explain_namesakes(model, english):
    pairs = engine.score_pairs(table(ROWS), model).to_pylist()
    pair = next(row for row in pairs if (row["record_id_l"], row["record_id_r"]) == ("10", "11"))
    assert engine.explain(pair) == [
        Evidence("nik", False, "NIK differs"),
        Evidence("phone", False, "phone number differs"),
        Evidence("owner_name", False, "owners' names 63 % similar"),
        Evidence("nib", None, "NIB missing in one record"),
        Evidence("business_name", True, "same business name"),
        Evidence("village", True, "same district, another or unknown village"),
        Evidence("kbli", True, "same KBLI"),
    ]
    assert pair["match_probability"] < 0.001


# --- incremental ----------------------------------------------------------------------------


def test_match_new_scores_new_rows_against_existing_only(model):
    new_ids = {"3", "9", "14"}
    existing = [row for row in ROWS if row["record_id"] not in new_ids]
    new = [row for row in ROWS if row["record_id"] in new_ids]
    # A new row may reuse an id of the registry: the two tables are never mixed up.
    new.append(record("1", "Bengkel Motor Maju", "Agus Salim", nik_hash="nik-agus"))
    matches = engine.match_new(table(existing), table(new), model)
    merged = {
        (row["new_record_id"], row["existing_record_id"])
        for row in matches.to_pylist()
        if row["match_probability"] >= model.upper
    }
    assert merged == {("3", "1"), ("3", "2"), ("9", "7"), ("14", "13")}
    assert all(row["match_probability"] >= model.lower for row in matches.to_pylist())
    assert matches.column_names[:3] == ["new_record_id", "existing_record_id", "match_probability"]
    assert "nik_agrees" in matches.column_names


# --- input ----------------------------------------------------------------------------------


def test_record_ids_must_be_unique(model):
    with pytest.raises(ValueError, match="unique"):
        engine.resolve(table([ROWS[0], ROWS[0]]), model)


def test_missing_columns_are_null_and_relations_are_accepted(model):
    import duckdb

    relation = duckdb.sql(
        "SELECT * FROM (VALUES ('a', 'Toko Maju', 'Ani'), ('b', 'TOKO MAJU', 'Ani')) "
        "t(record_id, business_name, owner_name)"
    )
    clusters = engine.cluster(relation, model)
    assert clusters.num_rows == 2
