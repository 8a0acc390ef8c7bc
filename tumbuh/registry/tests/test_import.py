"""Partner imports: every row accounted for, re-imports change nothing, broken files explained."""

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_organisation
from tumbuh.core import personal
from tumbuh.registry.importing.reading import FileProblem, open_table
from tumbuh.registry.models import (
    Enterprise,
    ImportBatch,
    ImportRejection,
    Milestone,
    Ownership,
    Person,
    SourceRecord,
)
from tumbuh.registry.services import import_file

HEADER = [
    "Nama Usaha",
    "Nama Pemilik",
    "NIK",
    "No HP/WA",
    "Alamat",
    "Desa/Kelurahan",
    "Kecamatan",
    "Kabupaten/Kota",
    "KBLI",
    "NIB",
]
# Sri Wahyuni: Ciwidey (32.04.39), born 5 August 1980 (day 05 + 40 = 45), serial 0001.
SRI = "3204394508800001"
ROWS = [
    [
        "Keripik Singkong Maju Jaya",
        "Bu Sri Wahyuni",
        SRI,
        "0812-3456-7890",
        "Jl. Raya Ciwidey 1",
        "Ciwidey",
        "Ciwidey",
        "Kabupaten Bandung",
        "10794",
        "",
    ],
    [
        "CV Keripik Singkong Maju Jaya",
        "Sri Wahyuni",
        SRI,
        "+62 812 3456 7890",
        "Jl. Raya Ciwidey 1",
        "Ciwidey",
        "Ciwidey",
        "Kab. Bandung",
        "10794",
        "1234567890123",
    ],
    [
        "Warung Makan Barokah",
        "Pak Asep",
        "",
        "0813-1111-2222",
        "",
        "Panundaan",
        "Ciwidey",
        "Kabupaten Bandung",
        "56101",
        "",
    ],
    ["", "Tanpa Nama", "", "", "", "Ciwidey", "Ciwidey", "Kabupaten Bandung", "", ""],
    [
        "Toko Berkah",
        "Dedi",
        "3204391203850002",
        "0812",
        "",
        "Ciwidey",
        "Ciwidey",
        "Kabupaten Bandung",
        "47111",
        "",
    ],
    [
        "Toko Jaya",
        "Dedi",
        "1234567890123456",
        "",
        "",
        "Nengkelan",
        "Ciwidey",
        "Kabupaten Bandung",
        "47111",
        "",
    ],
    [
        "Kopi Lamaknen",
        "Yosef Bria",
        "",
        "",
        "",
        "Desa Kewar",
        "Kec. Lamaknen",
        "Kab. Belu",
        "1079",
        "",
    ],
    ["Tenun Ikat Belu", "Maria Luruk", "", "", "", "Nowhere", "Lamaknen", "Kabupaten Belu", "", ""],
    [
        "Keripik Singkong Maju Jaya",
        "Bu Sri Wahyuni",
        SRI,
        "0812-3456-7890",
        "Jl. Raya Ciwidey 1",
        "Ciwidey",
        "Ciwidey",
        "Kabupaten Bandung",
        "10794",
        "",
    ],
]


def write_csv(path: Path, rows, header=HEADER, delimiter=",", encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def partner(db):
    return make_organisation(kind=Organisation.Kind.MARKETPLACE, region_code="", name="Pasar")


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Enterprise, Person, Ownership, SourceRecord, Milestone, ImportBatch)
    }


def test_every_row_becomes_a_record_or_a_rejection(partner, tmp_path):
    batch = import_file(
        path=write_csv(tmp_path / "mitra.csv", ROWS), organisation=partner, by=system_actor()
    )

    assert batch.status == ImportBatch.Status.DONE
    assert (batch.processed_rows, batch.total_rows) == (9, 9)
    assert (batch.created_count, batch.linked_count, batch.already_imported_count) == (2, 1, 0)
    assert batch.rejected_count == 6
    assert batch.accounted_rows == batch.processed_rows
    records = {record.row_number for record in batch.records.all()}
    rejections = {
        rejection.row_number: (rejection.column, rejection.reason)
        for rejection in batch.rejections.all()
    }
    assert records | set(rejections) == set(range(2, 11))
    assert not records & set(rejections)
    assert rejections[5] == ("Nama Usaha", "Nama usaha kosong.")
    assert rejections[6][0] == "No HP/WA"
    assert rejections[7][0] == "NIK"
    assert rejections[8] == (
        "KBLI",
        "1079 adalah subgolongan (4 digit); pilih kode KBLI 5 digit di bawahnya.",
    )
    assert rejections[9] == ("Desa/Kelurahan", "Tidak ada desa “Nowhere” di Lamaknen.")
    assert rejections[10] == ("", "Sama persis dengan baris 2 di berkas ini; dihitung sekali.")


def test_rows_of_one_business_join_by_owner_nik_and_name_or_nib(partner, tmp_path):
    batch = import_file(
        path=write_csv(tmp_path / "mitra.csv", ROWS), organisation=partner, by=system_actor()
    )

    first, second = batch.records.filter(row_number__in=[2, 3]).order_by("row_number")
    assert first.enterprise_id == second.enterprise_id
    assert (first.rule, second.rule) == ("new", "nik_name")
    keripik = first.enterprise
    assert keripik.nib == "1234567890123"  # the joining row gave it its NIB
    assert keripik.village_id == "32.04.39.2002"
    assert keripik.phone_masked == "+62812*****890"
    assert personal.decrypt(keripik.phone_encrypted, context="phone") == "+6281234567890"
    owner = keripik.owners.get()
    assert owner.nik_masked == "3204**********01"
    assert owner.nik_hash == personal.keyed_hash("nik", SRI)
    assert personal.decrypt(owner.nik_encrypted, context="nik") == SRI
    assert str(owner.birth_date) == "1980-08-05" and owner.sex == "P"
    assert list(keripik.kbli_codes.values_list("code", flat=True)) == ["10794"]
    # The NIB the joining row gave it counts on the digital journey too.
    assert sorted(keripik.milestones.values_list("kind", flat=True)) == [
        "nib_issued",
        "registered",
    ]


def test_source_records_keep_the_row_verbatim_with_personal_columns_encrypted(partner, tmp_path):
    batch = import_file(
        path=write_csv(tmp_path / "mitra.csv", ROWS), organisation=partner, by=system_actor()
    )
    record = batch.records.get(row_number=3)
    assert record.values == {
        "Nama Usaha": "CV Keripik Singkong Maju Jaya",
        "Nama Pemilik": "Sri Wahyuni",
        "Alamat": "Jl. Raya Ciwidey 1",
        "Desa/Kelurahan": "Ciwidey",
        "Kecamatan": "Ciwidey",
        "Kabupaten/Kota": "Kab. Bandung",
        "KBLI": "10794",
        "NIB": "1234567890123",
    }
    import json

    assert json.loads(personal.decrypt(record.personal_encrypted, context="source")) == {
        "NIK": SRI,
        "No HP/WA": "+62 812 3456 7890",
    }
    rejection = batch.rejections.get(row_number=7)
    assert "NIK" not in rejection.values and "No HP/WA" not in rejection.values


def test_village_found_by_names_with_prefixes_and_by_code(partner, tmp_path):
    rows = [
        [
            "Kopi Lamaknen",
            "Yosef Bria",
            "",
            "",
            "",
            "Desa Kewar",
            "Kec. Lamaknen",
            "Kab. Belu",
            "10761",
            "",
        ],
        ["Sate Ciwidey", "Ujang", "", "", "", "ciwidey", "", "Kabupaten Bandung", "", ""],
        ["Sukamaju Mart", "Ani", "", "", "", "Sukamaju", "", "Kabupaten Bandung", "", ""],
    ]
    batch = import_file(
        path=write_csv(tmp_path / "nama.csv", rows), organisation=partner, by=system_actor()
    )
    villages = dict(batch.records.values_list("row_number", "enterprise__village_id"))
    assert villages == {2: "53.04.01.2001", 3: "32.04.39.2002"}
    assert batch.rejections.get().reason == (
        "Ada beberapa desa bernama “Sukamaju” di Kabupaten Bandung; tambahkan kecamatannya."
    )
    coded = write_csv(
        tmp_path / "kode.csv",
        [["Warung Kode", "Ani", "3204392001"]],
        header=["Nama Usaha", "Nama Pemilik", "Kode Desa"],
    )
    batch = import_file(path=coded, organisation=partner, by=system_actor())
    assert batch.records.get().enterprise.village_id == "32.04.39.2001"


def test_importing_the_same_file_again_changes_nothing(partner, tmp_path):
    path = write_csv(tmp_path / "mitra.csv", ROWS)
    import_file(path=path, organisation=partner, by=system_actor())
    before = counts()
    renamed = path.rename(tmp_path / "mitra-lagi.csv")
    batch = import_file(path=renamed, organisation=partner, by=system_actor())
    after = counts()
    assert after == {**before, "ImportBatch": before["ImportBatch"] + 1}
    assert (batch.created_count, batch.linked_count, batch.already_imported_count) == (0, 0, 3)
    assert batch.rejected_count == 6
    assert batch.accounted_rows == 9


def test_another_partner_sending_the_same_rows_keeps_its_own_source_records(partner, tmp_path):
    path = write_csv(tmp_path / "mitra.csv", ROWS)
    import_file(path=path, organisation=partner, by=system_actor())
    other = make_organisation(kind=Organisation.Kind.UNIVERSITY, region_code="32", name="Kampus")
    batch = import_file(path=path, organisation=other, by=system_actor())
    # Its rows are its own records: Sri's two rows join her business by NIK and name; the
    # warung has no NIK, so it is a new record until entity resolution merges it.
    assert (batch.created_count, batch.linked_count, batch.already_imported_count) == (1, 2, 0)
    assert SourceRecord.objects.filter(organisation=other).count() == 3


def test_xlsx_is_read_like_csv(partner, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([*ROWS[0][:9], None])
    sheet.append(
        [
            "Warung Nomor",
            "Ani",
            None,
            81234567891,
            None,
            "Panundaan",
            "Ciwidey",
            "Kabupaten Bandung",
            56101,
            None,
        ]
    )
    workbook.save(tmp_path / "mitra.xlsx")
    batch = import_file(path=tmp_path / "mitra.xlsx", organisation=partner, by=system_actor())
    assert (batch.created_count, batch.rejected_count) == (2, 0)
    enterprise = batch.records.get(row_number=3).enterprise
    assert enterprise.phone_masked == "+62812*****891"
    assert list(enterprise.kbli_codes.values_list("code", flat=True)) == ["56101"]


def test_a_nik_stored_as_a_number_in_xlsx_is_refused(partner, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nama Usaha", "NIK", "Kode Desa"])
    sheet.append(["Warung Angka", 3204394508800000, "32.04.39.2002"])
    workbook.save(tmp_path / "angka.xlsx")
    batch = import_file(path=tmp_path / "angka.xlsx", organisation=partner, by=system_actor())
    rejection = batch.rejections.get()
    assert (rejection.row_number, rejection.column) == (2, "NIK")
    assert rejection.reason.startswith("Lembar kerja menyimpan NIK ini sebagai angka")


# --- broken files: a clear message, and nothing kept --------------------------------------------


def broken_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    files = {}
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Nama Usaha,Desa\nKedai Kopi Ñusa,Ciwidey\n".encode("latin-1"))
    files["wrong encoding"] = (latin, "bukan teks UTF-8")
    no_header = write_csv(tmp_path / "noheader.csv", [ROWS[1]], header=ROWS[0])
    files["no header"] = (no_header, "Baris pertama tampak seperti data")
    duplicated = write_csv(tmp_path / "dup.csv", [], header=["Nama Usaha", "NIK", "Desa", "NIK"])
    files["duplicated header"] = (duplicated, "Kolom “NIK” muncul dua kali (kolom B dan D)")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nama Usaha", "Desa"])
    sheet.append(["Kedai", "Ciwidey"])
    sheet.merge_cells("A2:B2")
    workbook.save(tmp_path / "merged.xlsx")
    files["merged cells"] = (tmp_path / "merged.xlsx", "sel yang digabung (A2:B2)")
    files["empty"] = (tmp_path / "empty.csv", "Berkas kosong")
    (tmp_path / "empty.csv").write_bytes(b"")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    files["not a workbook"] = (fake, "tidak dapat dibuka")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    files["old excel"] = (old, ".xls")
    return files


@pytest.mark.parametrize(
    "kind",
    [
        "wrong encoding",
        "no header",
        "duplicated header",
        "merged cells",
        "empty",
        "not a workbook",
        "old excel",
    ],
)
def test_a_broken_file_gets_a_clear_message_and_nothing_is_kept(partner, tmp_path, kind):
    path, expected = broken_files(tmp_path)[kind]
    before = counts()
    with pytest.raises(FileProblem) as problem:
        import_file(path=path, organisation=partner, by=system_actor())
    assert expected in str(problem.value)
    assert counts() == before
    assert ImportRejection.objects.count() == 0


def test_semicolon_and_bom_are_understood(tmp_path):
    path = tmp_path / "semicolon.csv"
    path.write_bytes("\ufeffNama Usaha;Desa\nKedai;Ciwidey\n".encode())
    table = open_table(path)
    assert table.headers == ["Nama Usaha", "Desa"]
    assert list(table.rows) == [(2, ["Kedai", "Ciwidey"])]


def test_merged_cells_detected_in_large_sheet_xml(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nama Usaha", "Desa"])
    for number in range(3000):
        sheet.append([f"Usaha {number}", "Ciwidey"])
    sheet.merge_cells("A2999:B2999")
    workbook.save(tmp_path / "big.xlsx")
    with zipfile.ZipFile(tmp_path / "big.xlsx") as archive:
        assert any(name.startswith("xl/worksheets/") for name in archive.namelist())
    with pytest.raises(FileProblem, match="A2999:B2999"):
        open_table(tmp_path / "big.xlsx")


def test_report_command_writes_rejections_without_personal_data(partner, tmp_path):
    from django.core.management import call_command

    path = write_csv(tmp_path / "mitra.csv", ROWS)
    out = io.StringIO()
    call_command(
        "import_enterprises",
        str(path),
        source=partner.slug,
        report=tmp_path / "laporan.csv",
        as_json=True,
        stdout=out,
    )
    import json

    summary = json.loads(out.getvalue())
    assert {key: summary[key] for key in ("rows", "created", "linked", "rejected")} == {
        "rows": 9,
        "created": 2,
        "linked": 1,
        "rejected": 6,
    }
    report = (tmp_path / "laporan.csv").read_text()
    assert report.splitlines()[0] == "baris (row),kolom (column),alasan (reason)"
    assert len(report.splitlines()) == 7
    for secret in (
        SRI,
        "3204391203850002",
        "1234567890123456",
        "+62 812 3456 7890",
        "0813-1111-2222",
    ):
        assert secret not in report
