"""Training the resolution model on synthetic partner files (no labels), and its accuracy there."""

import csv

import duckdb
import pyarrow as pa
import pytest

from tumbuh.registry.resolution import engine
from tumbuh.registry.resolution.files import read_csv, records_from_rows
from tumbuh.registry.synthetic import DEFAULT_PARTNERS, generate

BUSINESSES = 1000
SEED = 11


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """The good rows of the CSV partner files, as engine records, with their true business."""
    partners = [spec for spec in DEFAULT_PARTNERS if spec.file_format == "csv"]
    generated = generate(
        businesses=BUSINESSES, seed=SEED, out_dir=tmp_path_factory.mktemp("set"), partners=partners
    )
    with open(generated.truth_path, encoding="utf-8") as handle:
        truth = {
            (row["file"], int(row["row_number"])): row["entity_id"]
            for row in csv.DictReader(handle)
            if row["is_bad"] == "0"
        }
    tables = []
    for number, partner in enumerate(generated.files):
        source = read_csv(partner.path)
        keep = [
            (row_number, row)
            for row_number, row in enumerate(source.rows, start=2)
            if (partner.path.name, row_number) in truth
        ]
        table = records_from_rows(
            source.headers, [row for _n, row in keep], [f"{number}:{n}" for n, _row in keep]
        )
        entities = [truth[(partner.path.name, n)] for n, _row in keep]
        tables.append(table.append_column("entity_id", pa.array(entities)))
    return pa.concat_tables(tables)


@pytest.fixture(scope="module")
def model(records):
    return engine.train(records.drop_columns(["entity_id"]))


def test_every_parameter_is_a_probability(records, model):
    for comparison in model.settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            assert 0 < level["m_probability"] <= 1
            assert 0 < level["u_probability"] <= 1
    assert 0 < model.settings["probability_two_random_records_match"] < 0.01
    assert model.trained_on["records"] == records.num_rows


def test_training_is_deterministic(records, model):
    again = engine.train(records.drop_columns(["entity_id"]))
    assert json_rounded(again.to_dict()) == json_rounded(model.to_dict())


def json_rounded(value):
    """Sums in DuckDB run in parallel; the last bits of a float may differ between runs."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {key: json_rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_rounded(item) for item in value]
    return value


def test_resolves_the_synthetic_files_accurately(records, model):
    clusters = engine.cluster(records.drop_columns(["entity_id"]), model)
    con = duckdb.connect()
    con.register("clusters", clusters)
    con.register("records", records)
    true_positive, predicted, actual = con.sql("""
        WITH joined AS (SELECT c.cluster_id, r.entity_id FROM clusters c JOIN records r USING (record_id)),
        pairs AS (SELECT count(*) AS n, cluster_id, entity_id FROM joined GROUP BY ALL)
        SELECT
            (SELECT sum(n * (n - 1) / 2) FROM pairs),
            (SELECT sum(n * (n - 1) / 2) FROM (SELECT sum(n) AS n FROM pairs GROUP BY cluster_id)),
            (SELECT sum(n * (n - 1) / 2) FROM (SELECT sum(n) AS n FROM pairs GROUP BY entity_id))
    """).fetchall()[0]
    precision, recall = true_positive / predicted, true_positive / actual
    assert precision > 0.98
    assert recall > 0.95


def test_a_tiny_table_keeps_the_shipped_parameters_it_cannot_estimate():
    rows = [
        {"record_id": "1", "business_name": "Toko Maju", "owner_name": "Ani", "nik_hash": "a"},
        {"record_id": "2", "business_name": "TOKO MAJU", "owner_name": "Ani", "nik_hash": "a"},
        {"record_id": "3", "business_name": "Bengkel Jaya", "owner_name": "Budi"},
    ]
    model = engine.train(pa.Table.from_pylist(rows))
    shipped = engine.default_model()
    assert (model.upper, model.lower) == (shipped.upper, shipped.lower)
    clusters = engine.cluster(pa.Table.from_pylist(rows), model)
    assert clusters["cluster_id"].to_pylist() == ["1", "1", "3"]
