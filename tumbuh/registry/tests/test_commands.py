"""The registry's commands: resolve_duplicates and resolve_file."""

import csv
import io
import json

from django.core.management import call_command

from tumbuh.registry.models import Enterprise
from tumbuh.registry.tests.test_resolve_registry import generated  # noqa: F401 - fixture


def test_resolve_duplicates_prints_json(generated):  # noqa: F811
    before = Enterprise.objects.deduplicated().count()
    out = io.StringIO()
    call_command("resolve_duplicates", as_json=True, stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["records"] == before
    assert summary["businesses"] == before - summary["merged"]
    assert summary["comparisons"] > 0


def test_resolve_file_keeps_every_row_and_column(generated, tmp_path):  # noqa: F811
    source = next(f.path for f in generated.files if f.path.suffix == ".csv")
    output = tmp_path / "hasil.csv"
    out = io.StringIO()
    call_command("resolve_file", str(source), output=output, as_json=True, stdout=out)
    summary = json.loads(out.getvalue())
    with open(source, newline="", encoding="utf-8-sig") as handle:
        delimiter = ";" if ";" in handle.readline() else ","
    with open(source, newline="", encoding="utf-8-sig") as handle:
        original = list(csv.reader(handle, delimiter=delimiter))
    with open(output, newline="", encoding="utf-8-sig") as handle:
        resolved = list(csv.reader(handle, delimiter=delimiter))
    assert summary["rows"] == len(original) - 1
    assert resolved[0] == [*original[0], "cluster_id", "match_probability"]
    assert [row[: len(original[0])] for row in resolved[1:]] == [
        row + [""] * (len(original[0]) - len(row)) for row in original[1:]
    ]
    assert not (tmp_path / "hasil.model.json").exists()
