"""The model's DuckDB SQL in Spark's dialect, and tables made ready for Spark (no Spark here:
``bench/resolve.py --backend spark`` runs Spark itself)."""

import re

import pyarrow as pa
import pytest

from tumbuh.registry.resolution import engine
from tumbuh.registry.resolution.backends import backend_for, spark_ready, spark_settings


def _sql(settings):
    levels = [
        level["sql_condition"]
        for comparison in settings["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    rules = [rule["blocking_rule"] for rule in settings["blocking_rules_to_generate_predictions"]]
    return levels, rules


def test_the_shipped_model_in_spark_sql():
    model = engine.default_model()
    settings = spark_settings(model.settings)
    levels, rules = _sql(settings)
    duckdb_levels, _rules = _sql(model.settings)

    assert settings["sql_dialect"] == "spark"
    assert len(levels) == len(duckdb_levels)
    assert "arrays_overlap(nik_near_l, nik_near_r)" in levels
    assert (
        "(size(array_except(owner_words_r, owner_words_l)) = 0)"
        " OR (size(array_except(owner_words_l, owner_words_r)) = 0)"
    ) in levels
    assert "tumbuh_jaro_winkler(name_key_l, name_key_r) >= 0.95" in levels
    assert any("tumbuh_damerau_levenshtein(phone_l, phone_r) <= 1" in level for level in levels)
    assert rules[0] == "l.`nik_hash` = r.`nik_hash`"
    for sql in levels + rules:
        assert not re.search(r'list_has|jaro_winkler_similarity|starts_with\(|"', sql), sql
    # the model itself is left as it was
    assert "list_has_any(nik_near_l, nik_near_r)" in duckdb_levels


def test_sql_without_a_spark_equivalent_is_refused():
    settings = engine.default_model().settings
    settings = {**settings, "comparisons": [dict(settings["comparisons"][0])]}
    settings["comparisons"][0]["comparison_levels"] = [
        {"sql_condition": "list_intersect(nik_near_l, nik_near_r) <> []"}
    ]
    with pytest.raises(ValueError, match="no Spark equivalent"):
        spark_settings(settings)


def test_unsigned_hashes_become_signed_bit_for_bit():
    big = 2**64 - 2
    table = pa.table(
        {
            "record_id": ["1", "2"],
            "nik_near": pa.array([[big, 5], None], pa.list_(pa.uint64())),
        }
    )
    ready = spark_ready(table)
    assert ready.schema.field("nik_near").type == pa.list_(pa.int64())
    assert ready["nik_near"].to_pylist() == [[-2, 5], None]
    assert ready["record_id"].to_pylist() == ["1", "2"]


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend must be one of"):
        backend_for("sqlite", None)
