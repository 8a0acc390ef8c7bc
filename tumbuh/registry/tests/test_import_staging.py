"""The set-based import path: rows checked against the registry in one query per chunk, staged,
written by set-based statements; the same rows, columns and reasons as row by row, and nothing
half-written when a statement fails."""

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, connection
from django.utils import translation
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_organisation
from tumbuh.registry.importing import pipeline
from tumbuh.registry.importing.checks import PLAIN_EMAIL
from tumbuh.registry.models import (
    PUBLIC_ID_ALPHABET,
    Enterprise,
    EnterpriseKbli,
    ImportBatch,
    ImportRejection,
    Milestone,
    Ownership,
    Person,
    SourceRecord,
)
from tumbuh.registry.services import import_file

HEADER = ["Nama Usaha", "Nama Pemilik", "NIK", "No HP", "Kode Desa", "KBLI", "NIB"]
# Sri Wahyuni: Ciwidey (32.04.39), born 5 August 1980, serial 0001.
SRI = "3204394508800001"


@pytest.fixture
def partner(db):
    return make_organisation(kind=Organisation.Kind.MARKETPLACE, region_code="", name="Pasar")


def write_csv(path: Path, rows, header=HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def in_programme_language(message: str, **values) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % values


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Enterprise,
            Person,
            Ownership,
            EnterpriseKbli,
            SourceRecord,
            Milestone,
            ImportRejection,
        )
    }


def outcome(batch: ImportBatch) -> dict:
    """Every row of the batch: its rule and business (by name), or its column and reason."""
    rows = {
        record.row_number: (record.rule, record.enterprise.name)
        for record in batch.records.select_related("enterprise")
    }
    rows.update(
        (rejection.row_number, (rejection.column, rejection.reason))
        for rejection in batch.rejections.all()
    )
    return rows


def test_a_village_code_checked_against_the_regions_is_refused_with_row_column_and_reason(
    partner, tmp_path
):
    rows = [
        ["Warung Ada", "Ani", "", "", DAYEUHKOLOT, "", ""],
        [
            "Warung Tidak Ada",
            "Budi",
            "",
            "",
            "99.99.99.9999",
            "",
            "",
        ],  # ten digits, no such village
        ["Warung Salah", "Cici", "", "", "32-04", "", ""],  # not a code at all
        ["Warung Ada Juga", "Dedi", "", "", "3204122002", "", ""],
    ]
    before = counts()
    batch = import_file(
        path=write_csv(tmp_path / "desa.csv", rows), organisation=partner, by=system_actor()
    )
    message = "“%(code)s” is not a village code (e.g. 32.04.12.2001)."
    assert outcome(batch) == {
        2: ("new", "Warung Ada"),
        3: ("Kode Desa", in_programme_language(message, code="99.99.99.9999")),
        4: ("Kode Desa", in_programme_language(message, code="32-04")),
        5: ("new", "Warung Ada Juga"),
    }
    assert batch.rejections.get(row_number=3).values == {
        "Nama Usaha": "Warung Tidak Ada",
        "Nama Pemilik": "Budi",
        "Kode Desa": "99.99.99.9999",
    }
    assert (batch.created_count, batch.linked_count, batch.rejected_count) == (2, 0, 2)
    after = counts()
    assert after == {
        **before,
        "Enterprise": before["Enterprise"] + 2,
        "Person": before["Person"] + 2,
        "Ownership": before["Ownership"] + 2,
        "SourceRecord": before["SourceRecord"] + 2,
        "Milestone": before["Milestone"] + 2,
        "ImportRejection": before["ImportRejection"] + 2,
    }


def _rows_joining_across_chunks() -> list[list[str]]:
    return [
        ["Keripik Sri", "Sri", SRI, "0812-3456-7890", DAYEUHKOLOT, "10794", ""],
        ["Warung Nib", "Ani", "", "", DAYEUHKOLOT, "56101", "9000000000001"],
        ["CV Keripik Sri", "Sri Wahyuni", SRI, "", DAYEUHKOLOT, "10794;10710", "9000000000002"],
        ["Toko Lain", "Sri", SRI, "", DAYEUHKOLOT, "", ""],
        ["Cabang Nib", "Budi", "", "", DAYEUHKOLOT, "56101", "9000000000001"],
        ["Keripik Sri Lagi", "Sri", SRI, "", DAYEUHKOLOT, "", "9000000000002"],
    ]


@pytest.mark.parametrize("chunk_rows", [1, 2, 10_000])
def test_rows_join_businesses_of_earlier_rows_whatever_the_chunks(
    partner, tmp_path, monkeypatch, chunk_rows
):
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", chunk_rows)
    batch = import_file(
        path=write_csv(tmp_path / "mitra.csv", _rows_joining_across_chunks()),
        organisation=partner,
        by=system_actor(),
    )
    assert outcome(batch) == {
        2: ("new", "Keripik Sri"),
        3: ("new", "Warung Nib"),
        4: ("nik_name", "Keripik Sri"),  # same owner, same name once "CV" is set aside
        5: ("new", "Toko Lain"),
        6: ("nib", "Warung Nib"),
        7: ("nib", "Keripik Sri"),  # row 4 gave Keripik Sri its NIB
    }
    keripik = Enterprise.objects.get(name="Keripik Sri")
    assert keripik.nib == "9000000000002"
    assert sorted(keripik.kbli_codes.values_list("code", flat=True)) == ["10710", "10794"]
    assert keripik.owners.count() == 1 and Person.objects.count() == 3  # Sri, Ani, Budi
    assert sorted(keripik.milestones.values_list("kind", flat=True)) == ["nib_issued", "registered"]
    assert list(Ownership.objects.filter(enterprise__name="Warung Nib").values_list(
        "person__full_name", flat=True).order_by("person__full_name")) == ["Ani", "Budi"]  # fmt: skip


def test_a_statement_failing_mid_chunk_leaves_nothing_half_written(partner, tmp_path):
    rows = _rows_joining_across_chunks()
    path = write_csv(tmp_path / "mitra.csv", rows)
    before = counts()

    def fail_on_source_records(execute, sql, params, many, context):
        # People and businesses are written by then: the whole chunk must roll back.
        if sql.lstrip().startswith(
            f"INSERT INTO {connection.ops.quote_name('registry_sourcerecord')}"
        ):
            raise DatabaseError("disk full")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_source_records), pytest.raises(DatabaseError):
        import_file(path=path, organisation=partner, by=system_actor())
    assert counts() == before
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.processed_rows) == (ImportBatch.Status.RUNNING, 0)

    # The next import of the file takes it whole, as if the failed one had never run.
    batch = import_file(path=path, organisation=partner, by=system_actor())
    assert (batch.created_count, batch.linked_count, batch.rejected_count) == (3, 3, 0)


def test_a_chunk_costs_the_same_queries_whatever_its_size(partner, tmp_path):
    def queries_for(count: int) -> int:
        rows = [
            [f"Usaha {count}-{number}", f"Pemilik {number}",
             f"320439{1 + number % 28:02d}0880{count * 100 + number + 1:04d}",
             "0812-3456-7890", DAYEUHKOLOT, "10794", f"{9_100_000_000_000 + count * 100 + number}"]
            for number in range(count)
        ]  # fmt: skip
        path = write_csv(tmp_path / f"{count}.csv", rows)
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            batch = import_file(path=path, organisation=partner, by=system_actor())
        assert batch.processed_rows == count
        return len(captured)

    assert queries_for(40) == queries_for(5)


def test_public_ids_are_drawn_from_the_alphabet():
    ids = pipeline.public_ids(500)
    assert len(ids) == 500 and len(set(ids)) == 500
    assert all(len(value) == 12 and set(value) <= set(PUBLIC_ID_ALPHABET) for value in ids)


# Generating from this regular expression (and running the check) is slow on a busy machine;
# the slowness says nothing about the fast path.
@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.from_regex(PLAIN_EMAIL, fullmatch=True).filter(lambda text: len(text) <= 254))
def test_an_address_on_the_fast_path_is_one_django_accepts(address):
    try:
        validate_email(address)
    except ValidationError:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{address!r} passed the fast path but not EmailValidator")
