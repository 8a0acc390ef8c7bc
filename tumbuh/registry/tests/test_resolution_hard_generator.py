"""The hard generator of issue 14: deterministic, labelled, as dense as asked."""

from collections import Counter

from tumbuh.registry.synthetic.hard import (
    COLUMNS,
    PHENOMENA,
    UNSEEN_MIX,
    generate_hard,
)


def test_same_seed_same_rows_other_seed_other_rows():
    first = generate_hard(businesses=300, seed=5)
    again = generate_hard(businesses=300, seed=5)
    other = generate_hard(businesses=300, seed=6)
    assert first.columns == again.columns
    assert first.columns["business_name"] != other.columns["business_name"]
    assert list(first.columns) == list(COLUMNS)


def test_every_row_has_its_business_and_only_known_labels():
    generated = generate_hard(businesses=2000, seed=3)
    labels = Counter(label for text in generated.columns["phenomena"] for label in text.split())
    assert set(labels) <= set(PHENOMENA)
    # At this size every phenomenon of the default mix occurs.
    assert set(labels) == set(PHENOMENA)
    assert generated.columns["record_id"] == [str(n) for n in range(1, generated.rows + 1)]
    businesses = len(set(generated.columns["entity_id"]))
    assert businesses == 2000
    assert 1.6 < generated.rows / businesses < 1.9


def test_row_labels_say_what_was_done():
    generated = generate_hard(businesses=1500, seed=4)
    columns = generated.columns
    for index, labels in enumerate(columns["phenomena"]):
        labels = labels.split()
        assert (columns["nik"][index] == "") == ("nik_missing" in labels)
        assert (columns["phone"][index] == "") == ("phone_missing" in labels)
        assert (columns["village_code"][index] == "") == ("village_code_missing" in labels)
        if "nik_letter_for_digit" in labels:
            assert not columns["nik"][index].isdigit()
        elif columns["nik"][index]:
            assert len(columns["nik"][index]) == 16 and columns["nik"][index].isdigit()


def test_national_density_and_another_mix():
    generated = generate_hard(businesses=4000, seed=2, per_district=2000, mix=UNSEEN_MIX)
    districts = Counter(
        (region, district)
        for region, district in zip(
            generated.columns["regency_name"], generated.columns["district_name"], strict=True
        )
    )
    assert len(districts) == 2
    missing = generated.columns["village_code"].count("") / generated.rows
    assert 0.35 < missing < 0.45  # UNSEEN_MIX leaves 40 % of village codes out


def test_csv_has_headers_the_import_recognises(tmp_path):
    from tumbuh.registry.columns import recognise

    generated = generate_hard(businesses=50, seed=1)
    path = tmp_path / "hard.csv"
    generated.write_csv(path)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "entity_id" not in header
    assert set(recognise(header)) >= {
        "business_name", "owner_name", "nik", "phone", "village_code", "village_name",
        "district_name", "regency_name", "province_name", "kbli", "nib",
    }  # fmt: skip
