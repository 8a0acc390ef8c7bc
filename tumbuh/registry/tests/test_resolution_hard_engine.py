"""The resolver on the cases of issue 14: typo-tolerant NIKs, glued forms, reordered names,
and a clustering that neither chains weak links across districts nor joins two owners' NIKs.

The shipped model scores these records (see ``test_resolution_engine``)."""

import pyarrow as pa

from tumbuh.registry.resolution import engine
from tumbuh.registry.resolution.files import nik_near_hashes, normalise_nik

VILLAGE = "32.04.12.2001"
NIK = "3204124507800001"


def record(record_id, business_name, owner_name, **fields):
    return {
        "record_id": record_id,
        "business_name": business_name,
        "owner_name": owner_name,
        "village_code": VILLAGE,
        **fields,
    }


def with_nik(nik):
    """The NIK columns ``resolve_file`` makes: keyed hash and masked hashes."""
    from tumbuh.core.personal import keyed_hash

    return {"nik_hash": keyed_hash("nik", nik), "nik_near": nik_near_hashes(nik)}


def clusters(rows):
    result = engine.resolve(pa.Table.from_pylist(rows), engine.default_model())
    groups = {}
    for row in result.clusters.to_pylist():
        groups.setdefault(row["cluster_id"], set()).add(row["record_id"])
    return sorted(sorted(group, key=int) for group in groups.values()), result


def test_letters_read_for_digits_are_put_back():
    assert normalise_nik("32O4l245O78OOOO1") == NIK
    assert normalise_nik("3204 1245 0780 0001") == NIK
    assert normalise_nik("32O4") is None
    assert normalise_nik("ABCDEFGHIJKLMNOP") is None


def test_masked_hashes_meet_within_one_typo_only():
    own = set(nik_near_hashes(NIK).split())
    assert len(own) == 15
    assert own & set(nik_near_hashes("3204124507800007").split())  # one digit wrong
    assert own & set(nik_near_hashes("3204124507800010").split())  # two digits transposed
    # Two neighbouring digits may differ in any way; two digits apart may not.
    assert own & set(nik_near_hashes("3204124507809901").split())
    assert not own & set(nik_near_hashes("3204124507900091").split())
    assert not any(NIK[i : i + 6] in " ".join(own) for i in range(10))


def test_a_nik_typo_still_merges_and_another_nik_does_not():
    groups, _ = clusters([
        record("1", "Kue Kering Maju", "Hj. Ratna Lumban Gaol", **with_nik(NIK), phone="081234567890"),
        record("2", "kue kering maju", "Ratna Lumban Gaol", **with_nik("3204124507800010")),
        record("3", "Kue Kering Maju", "Ratna Lumban Gaol", **with_nik("3204125512909931")),
    ])  # fmt: skip
    assert groups == [["1", "2"], ["3"]]


def test_glued_forms_and_reordered_names_merge():
    groups, _ = clusters([
        record("1", "CVKerupuk Ikan Aminah", "Wahyuni Saputra", phone="081234567890"),
        record("2", "Kerupuk Ikan Aminah", "Saputra Wahyuni", phone="0812-3456-7890"),
        record("3", "kuekering agustina", "Agustina Putri", phone="085611112222"),
        record("4", "Kue Kering Agustina", "AGUSTINA PUTRI", phone="+62 856 1111 2222"),
    ])  # fmt: skip
    assert groups == [["1", "2"], ["3", "4"]]


def test_one_owner_two_businesses_stay_apart_and_go_to_review():
    groups, result = clusters([
        record("1", "Laundry Bersih Wangi", "Ani Lestari", **with_nik(NIK), phone="081355556666"),
        record("2", "Keripik Singkong Ani", "Ani Lestari", **with_nik(NIK), phone="081355556666"),
    ])  # fmt: skip
    assert groups == [["1"], ["2"]]
    review = result.review_pairs.to_pylist()
    assert [(row["record_id_l"], row["record_id_r"]) for row in review] == [("1", "2")]


def test_names_alone_never_join_two_districts():
    other_province = "16.71.01.1001"
    groups, _ = clusters(
        [
            record("1", "Kue Kering Agustina", "Agustina"),
            record("2", "Kue Kering Agustina", "Agustina", village_code=other_province),
        ]
    )
    assert groups == [["1"], ["2"]]


def test_a_chain_through_a_row_without_nik_does_not_join_two_niks():
    # 1 and 3 are two owners of one name in one village; 2 has no NIK and looks like both.
    groups, _ = clusters([
        record("1", "Warung Makan Berkah", "Sri Rahayu", **with_nik(NIK), phone="081200001111"),
        record("2", "Warung Makan Berkah", "Sri Rahayu", phone="081200001111"),
        record("3", "Warung Makan Berkah", "Sri Rahayu", **with_nik("3204125512909931"), phone="081200001111"),
    ])  # fmt: skip
    assert len(groups) >= 2
    assert not any({"1", "3"} <= set(group) for group in groups)


def test_the_same_file_gives_the_same_clusters():
    rows = [
        record(str(n), f"Toko Berkah {n % 7}", f"Sri Rahayu {n % 5}", phone=f"0812000{n % 9:05d}")
        for n in range(1, 60)
    ]
    first, _ = clusters(rows)
    second, _ = clusters(list(reversed(rows)))
    assert first == second


def test_a_reviewer_reads_that_two_niks_differ_only_by_a_typo(english):
    rows = [
        record("1", "Kue Kering Maju", "Ratna Gaol", **with_nik(NIK)),
        record("2", "Kue Kering Maju", "Ratna Gaol", **with_nik("3204124507800010")),
        record("3", "Kue Kering Maju", "Ratna Gaol", **with_nik("3204125512909931")),
    ]
    pairs = {
        (row["record_id_l"], row["record_id_r"]): row
        for row in engine.score_pairs(
            pa.Table.from_pylist(rows), engine.default_model()
        ).to_pylist()
    }
    near = engine.explain(pairs[("1", "2")])[0]
    other = engine.explain(pairs[("1", "3")])[0]
    assert near == engine.Evidence(
        "nik", False, "NIK differs only by a typo (two neighbouring digits)"
    )
    assert other == engine.Evidence("nik", False, "NIK differs")


def test_pairs_say_whether_they_may_merge_automatically():
    rows = [
        record("1", "Laundry Bersih Wangi", "Ani Lestari", **with_nik(NIK), phone="081355556666"),
        record("2", "Keripik Singkong Ani", "Ani Lestari", **with_nik(NIK), phone="081355556666"),
        record("3", "Laundry Bersih Wangi", "Ibu Ani Lestari", **with_nik(NIK)),
    ]  # fmt: skip
    model = engine.default_model()
    pairs = {
        (row["record_id_l"], row["record_id_r"]): row["is_sure"]
        for row in engine.score_pairs(pa.Table.from_pylist(rows), model).to_pylist()
    }
    assert pairs == {("1", "2"): False, ("1", "3"): True, ("2", "3"): False}
    existing, new = pa.Table.from_pylist(rows[:2]), pa.Table.from_pylist(rows[2:])
    matches = engine.match_new(existing, new, model, threshold=0.0).to_pylist()
    assert {(row["existing_record_id"], row["is_sure"]) for row in matches} == {
        ("1", True),
        ("2", False),
    }
