"""The synthetic partner files: deterministic, realistic where it matters, and truthful about every row.

One set of 2,000 businesses is generated once for the module; the tests read it back the way an
importer would (CSV with the partner's delimiter, XLSX through openpyxl) and check it against
``truth.csv`` and ``businesses.csv``. No database is used.
"""

import csv
import datetime
import gzip
import hashlib
import re
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest

from tumbuh.core.validators import normalise_phone
from tumbuh.registry.columns import recognise
from tumbuh.registry.synthetic import (
    BAD_REASONS,
    DEFAULT_PARTNERS,
    LAYOUTS,
    PartnerSpec,
    generate,
)
from tumbuh.registry.synthetic.businesses import ARCHETYPES
from tumbuh.registry.synthetic.noise import old_spelling

REGIONS = Path(__file__).resolve().parents[2] / "regions" / "data"
KBLI_FILE = Path(__file__).resolve().parents[2] / "core" / "data" / "kbli_2020.csv.gz"
SPECS = {spec.file_name: spec for spec in DEFAULT_PARTNERS}
BUSINESSES = 2_000
SEED = 20_240_817


def _gz_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def village_codes() -> set[str]:
    return {row["code"] for row in _gz_rows(REGIONS / "villages.csv.gz")}


@pytest.fixture(scope="module")
def district_codes() -> set[str]:
    return {row["code"].replace(".", "") for row in _gz_rows(REGIONS / "districts.csv.gz")}


@pytest.fixture(scope="module")
def kelompok_codes() -> set[str]:
    return {row["code"] for row in _gz_rows(KBLI_FILE) if row["level"] == "kelompok"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate(businesses=BUSINESSES, seed=SEED, out_dir=tmp_path_factory.mktemp("set"))


def _cell_text(value) -> str:
    """A cell as the importer reads it (see registry.importing.reading._cell_text)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


def read_partner_file(path: Path, spec: PartnerSpec) -> tuple[list[str], list[list[str]]]:
    if spec.file_format == "xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [
            [_cell_text(value) for value in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
        workbook.close()
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=spec.delimiter))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def tables(generated):
    """file name → (field → column index, data rows)."""
    result = {}
    for file in generated.files:
        headers, rows = read_partner_file(file.path, SPECS[file.path.name])
        mapping = recognise(headers)
        result[file.path.name] = (
            {key: headers.index(header) for key, header in mapping.items()},
            rows,
        )
    return result


@pytest.fixture(scope="module")
def truth(generated) -> list[dict]:
    with open(generated.truth_path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def businesses(generated) -> dict[str, dict]:
    with open(generated.businesses_path, encoding="utf-8", newline="") as handle:
        return {row["entity_id"]: row for row in csv.DictReader(handle)}


def rows_with_truth(tables, truth, *, bad: bool):
    """(file name, field → value, truth row) for every good (or bad) row."""
    for entry in truth:
        if (entry["is_bad"] == "1") != bad:
            continue
        columns, rows = tables[entry["file"]]
        values = rows[int(entry["row_number"]) - 2]
        yield entry["file"], {key: values[index] for key, index in columns.items()}, entry


def nik_parts(nik: str) -> tuple[str, datetime.date | None, str]:
    """(district digits, birth date with its two-digit year in 19xx/20xx as the owner's, sex)."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    return nik[:6], (day - 40 if day > 40 else day, month, year), sex


def _hash_folder(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


# --- determinism ----------------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_bytes(generated, tmp_path):
    again = generate(businesses=BUSINESSES, seed=SEED, out_dir=tmp_path / "again")
    assert _hash_folder(again.out_dir) == _hash_folder(generated.out_dir)
    assert sorted(path.name for path in again.out_dir.iterdir()) == [
        "bank-mitra-desa.csv",
        "businesses.csv",
        "dinas-kumkm-provinsi.csv",
        "kampus-mengabdi.xlsx",
        "manifest.json",
        "pasar-nusantara.csv",
        "truth.csv",
    ]


def test_another_seed_writes_other_files(tmp_path):
    first = _hash_folder(generate(businesses=300, seed=1, out_dir=tmp_path / "one").out_dir)
    second = _hash_folder(generate(businesses=300, seed=2, out_dir=tmp_path / "two").out_dir)
    assert {name for name in first if first[name] == second[name]} == set()


# --- files, headers, truth --------------------------------------------------------------------------


@pytest.mark.parametrize("style", sorted(LAYOUTS))
def test_every_header_of_every_layout_is_recognised(style):
    headers = LAYOUTS[style].headers
    mapping = recognise(headers)
    assert sorted(mapping.values()) == sorted(headers)
    assert sorted(mapping) == sorted(field for _header, field in LAYOUTS[style].columns)


def test_the_files_carry_the_layout_headers(generated):
    for file in generated.files:
        headers, _rows = read_partner_file(file.path, SPECS[file.path.name])
        assert headers == SPECS[file.path.name].layout.headers


def test_bank_file_is_excel_csv_and_marketplace_uses_semicolons(generated):
    bank = (generated.out_dir / "bank-mitra-desa.csv").read_bytes()
    assert bank.startswith(b"\xef\xbb\xbfNama Badan Usaha,")
    assert bank.count(b"\r\n") == generated.files[3].rows + 1
    marketplace = (generated.out_dir / "pasar-nusantara.csv").read_text(encoding="utf-8")
    assert marketplace.splitlines()[0] == (
        "nama_umkm;pemilik;no_ktp;telepon;email;alamat;desa/kelurahan;kecamatan;kabupaten/kota;link_toko"
    )


def test_xlsx_opens_with_openpyxl_and_has_real_date_cells(generated):
    path = generated.out_dir / "kampus-mengabdi.xlsx"
    workbook = openpyxl.load_workbook(path)  # the full reader, not only read-only mode
    sheet = workbook.worksheets[0]
    assert sheet.merged_cells.ranges == set()
    assert sheet.max_row == generated.files[2].rows + 1
    assert sheet["A1"].value == "NAMA USAHA"
    birth_dates = [row[9].value for row in sheet.iter_rows(min_row=2)]
    assert sum(isinstance(value, datetime.datetime) for value in birth_dates) > 0.5 * len(
        birth_dates
    )
    assert sum(isinstance(value, str) for value in birth_dates) > 0.15 * len(birth_dates)


def test_truth_covers_every_row_of_every_file_exactly_once(generated, tables, truth):
    numbers = defaultdict(list)
    for entry in truth:
        numbers[entry["file"]].append(int(entry["row_number"]))
    assert sorted(numbers) == sorted(tables)
    for name, (_columns, rows) in tables.items():
        assert sorted(numbers[name]) == list(range(2, len(rows) + 2)), name
    assert len(truth) == generated.rows == sum(len(rows) for _c, rows in tables.values())


def test_counts_agree_with_the_truth(generated, truth, businesses):
    good = [entry for entry in truth if entry["is_bad"] == "0"]
    assert generated.bad_rows == len(truth) - len(good)
    assert generated.good_rows == len(good)
    distinct = len({entry["entity_id"] for entry in good})
    assert generated.duplicates == len(good) - distinct
    assert len(businesses) == BUSINESSES
    assert {entry["entity_id"] for entry in truth} <= set(businesses)
    assert {entry["entity_id"] for entry in truth} == set(businesses)  # every business is reported


# --- rates --------------------------------------------------------------------------------------


def test_overlap_between_partners_is_within_the_documented_bounds(generated, truth):
    files_per_entity = defaultdict(set)
    for entry in truth:
        files_per_entity[entry["entity_id"]].add(entry["file"])
    in_two_or_more = sum(len(files) >= 2 for files in files_per_entity.values())
    assert 0.35 <= in_two_or_more / BUSINESSES <= 0.45
    assert max(len(files) for files in files_per_entity.values()) == 3
    assert in_two_or_more == generated.multi_file_businesses


def test_bad_rows_are_one_to_two_percent_and_of_known_kinds(generated, truth):
    for file in generated.files:
        spec = SPECS[file.path.name]
        share = file.bad_rows / file.rows
        assert 0.4 * spec.bad_rate <= share <= 2.0 * spec.bad_rate, (file.slug, share)
    assert 0.008 <= generated.bad_rows / generated.rows <= 0.025
    reasons = Counter(entry["bad_reason"] for entry in truth if entry["is_bad"] == "1")
    assert set(reasons) <= set(BAD_REASONS)
    assert len(reasons) >= 7
    assert all(entry["bad_reason"] == "" for entry in truth if entry["is_bad"] == "0")


def test_some_owners_have_two_businesses_that_are_different(businesses, generated):
    by_owner = defaultdict(list)
    for row in businesses.values():
        by_owner[row["owner_id"]].append(row)
    shared = [rows for rows in by_owner.values() if len(rows) > 1]
    assert 0.015 * BUSINESSES <= sum(len(rows) - 1 for rows in shared) <= 0.045 * BUSINESSES
    assert sum(len(rows) - 1 for rows in shared) == generated.shared_owner_businesses
    for rows in shared:
        assert len({row["nik"] for row in rows}) == 1
        assert len({row["phone_e164"] for row in rows}) == 1
        assert len({row["name"] for row in rows}) == len(rows)
        assert len({row["kbli"] for row in rows}) == len(rows)


def test_people_are_distinct_where_they_should_be(businesses):
    owners = {}
    for row in businesses.values():
        owners.setdefault(row["owner_id"], (row["nik"], row["phone_e164"]))
    assert len({nik for nik, _phone in owners.values()}) == len(owners)
    assert len({phone for _nik, phone in owners.values()}) == len(owners)


def test_namesakes_in_the_same_district_have_different_owners(businesses, generated):
    groups = defaultdict(set)
    for row in businesses.values():
        groups[(row["name"], row["village_code"][:8])].add(row["owner_id"])
    namesakes = [owners for owners in groups.values() if len(owners) > 1]
    assert len(namesakes) >= 0.01 * BUSINESSES
    assert generated.namesake_businesses >= 0.01 * BUSINESSES


# --- the true records ---------------------------------------------------------------------------


def test_businesses_are_in_real_villages_with_fitting_identifiers(
    businesses, village_codes, district_codes, kelompok_codes
):
    rows = list(businesses.values())
    assert {row["village_code"] for row in rows} <= village_codes
    assert {row["kbli"] for row in rows} <= kelompok_codes
    assert Counter(row["kind"] for row in rows).keys() == {"umkm", "bumdes", "cooperative"}
    scales = Counter(row["scale"] for row in rows)
    assert scales["mikro"] > 0.8 * len(rows) and scales["kecil"] > 0 and scales["menengah"] > 0
    nibs = [row["nib"] for row in rows if row["nib"]]
    assert len(nibs) == len(set(nibs)) and all(re.fullmatch(r"\d{13}", nib) for nib in nibs)
    assert 0.3 * len(rows) < len(nibs) < 0.6 * len(rows)
    for row in rows:
        nik = row["nik"]
        district, (day, month, year), sex = nik_parts(nik)
        born = datetime.date.fromisoformat(row["owner_birth_date"])
        assert re.fullmatch(r"\d{16}", nik) and district in district_codes
        assert (day, month, year) == (born.day, born.month, born.year % 100)
        assert sex == row["owner_sex"] and nik[12:] != "0000"
        assert re.fullmatch(r"\+628\d{9,11}", row["phone_e164"])
        assert row["email"] == "" or row["email"].rsplit("@", 1)[1].startswith("example.")
    bumdes = [row for row in rows if row["kind"] == "bumdes"]
    assert all(row["name"].startswith("BumDes ") for row in bumdes)
    assert all(row["village_code"][9] != "1" for row in bumdes)  # desa, not kelurahan
    assert len({row["village_code"] for row in bumdes}) == len(bumdes)  # one per village


def test_archetype_kbli_codes_are_real_kelompok_codes(kelompok_codes):
    for archetype in ARCHETYPES:
        assert set(archetype.kbli) <= kelompok_codes, archetype.key


def test_provinces_limit_the_villages(tmp_path):
    result = generate(businesses=150, seed=5, out_dir=tmp_path, provinces=["53", "Papua"])
    with open(result.businesses_path, encoding="utf-8", newline="") as handle:
        provinces = {row["village_code"][:2] for row in csv.DictReader(handle)}
    assert provinces == {"53", "91"}


def test_an_unknown_province_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown province"):
        generate(businesses=10, seed=1, out_dir=tmp_path, provinces=["Atlantis"])


def test_manifest_says_the_data_is_synthetic(generated):
    import json

    manifest = json.loads(generated.manifest_path.read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert manifest["businesses"] == BUSINESSES
    assert manifest["seed"] == SEED
    assert [file["path"] for file in manifest["files"]] == [
        spec.file_name for spec in DEFAULT_PARTNERS
    ]


# --- good rows ----------------------------------------------------------------------------------


def test_good_rows_niks_agree_with_the_owner_district_birth_date_and_sex(tables, truth, businesses):
    checked = typos = 0
    for _name, values, entry in rows_with_truth(tables, truth, bad=False):
        nik = values.get("nik", "")
        if not nik:
            continue
        owner = businesses[entry["entity_id"]]
        born = datetime.date.fromisoformat(owner["owner_birth_date"])
        assert re.fullmatch(r"\d{16}", nik), nik
        district, (day, month, year), sex = nik_parts(nik)
        assert district == owner["nik"][:6]
        assert (day, month, year) == (born.day, born.month, born.year % 100)
        assert sex == owner["owner_sex"] and nik[12:] != "0000"
        checked += 1
        typos += nik != owner["nik"]
    assert checked > 0.8 * sum(
        1 for entry in truth if entry["is_bad"] == "0" and "nik" in tables[entry["file"]][0]
    )
    assert 0 < typos < 0.05 * checked  # a few mistyped serials, as documented


def test_good_rows_phones_normalise_to_the_owner_phone(tables, truth, businesses):
    styles = set()
    for _name, values, entry in rows_with_truth(tables, truth, bad=False):
        phone = values.get("phone", "")
        if phone:
            assert normalise_phone(phone) == businesses[entry["entity_id"]]["phone_e164"]
            styles.add(re.sub(r"\d", "9", phone))
    # 0812…, 62812…, +62812…, 0812-…, +62 812 …, and 812… (a spreadsheet dropped the 0)
    assert {
        "9" * 12,
        "9" * 13,
        "+" + "9" * 13,
        "9999-9999-9999",
        "+99 999 9999 9999",
        "9" * 11,
    } <= styles


def test_good_rows_point_at_the_true_village(tables, truth, businesses, village_codes):
    for _name, values, entry in rows_with_truth(tables, truth, bad=False):
        true_code = businesses[entry["entity_id"]]["village_code"]
        if "village_code" in values:
            code = values["village_code"]
            dotted = code if "." in code else f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
            assert dotted == true_code and dotted in village_codes


def test_good_rows_name_the_business_recognisably(tables, truth, businesses):
    exact = total = 0
    for name, values, entry in rows_with_truth(tables, truth, bad=False):
        written = values["business_name"].strip()
        true_name = businesses[entry["entity_id"]]["name"]
        assert written
        total += 1
        exact += written == true_name or (SPECS[name].layout.upper and written == true_name.upper())
    assert 0.55 < exact / total < 0.95  # most rows say it as the truth does; many do not


def test_good_rows_declare_the_owner_sex_and_birth_date(tables, truth, businesses):
    declared = 0
    for _name, values, entry in rows_with_truth(tables, truth, bad=False):
        if "sex" not in values:
            continue
        owner = businesses[entry["entity_id"]]
        assert values["sex"] == {"L": "LAKI-LAKI", "P": "PEREMPUAN"}[owner["owner_sex"]]
        text = values["birth_date"]
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                born = datetime.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise AssertionError(f"{text!r} is not a date the import reads")
        assert born.isoformat() == owner["owner_birth_date"]
        declared += 1
    assert declared > 0


def test_repeated_listings_in_one_file_are_not_identical_rows(tables, truth):
    seen = defaultdict(list)
    for entry in truth:
        seen[(entry["file"], entry["entity_id"])].append(int(entry["row_number"]))
    repeats = [(file, numbers) for (file, _entity), numbers in seen.items() if len(numbers) > 1]
    assert repeats
    for file, numbers in repeats:
        rows = tables[file][1]
        versions = {tuple(value.strip() for value in rows[number - 2]) for number in numbers}
        assert len(versions) == len(numbers)


# --- bad rows -----------------------------------------------------------------------------------


def test_every_bad_row_has_its_defect(tables, truth, businesses, district_codes, village_codes):
    for _name, values, entry in rows_with_truth(tables, truth, bad=True):
        reason = entry["bad_reason"]
        nik = values.get("nik", "")
        if reason == "nik_length":
            assert nik.isdigit() and len(nik) in (15, 17)
        elif reason == "nik_characters":
            assert len(nik) == 16 and not nik.isdigit()
        elif reason == "nik_serial_zero":
            assert nik.isdigit() and nik.endswith("0000")
        elif reason == "nik_birth_date":
            day, month = int(nik[6:8]), int(nik[8:10])
            assert not (1 <= month <= 12) or day in (0,) or 31 < day <= 40 or day > 71
        elif reason == "nik_district":
            assert nik.isdigit() and len(nik) == 16 and nik[:6] not in district_codes
        elif reason == "nik_spreadsheet_number":
            assert re.fullmatch(r"\d[.,]\d+E\+15|\d{16}\.0", nik)
        elif reason == "unknown_village":
            if "village_code" in values:
                assert values["village_code"] not in village_codes
            else:
                assert values["village_name"].lower() in {
                    "perum griya asri blok c", "komplek bumi permai indah", "ruko sentra niaga",
                    "perumahan villa mutiara", "-", "belum diisi", "tidak tahu", "asrama polisi",
                }  # fmt: skip
        elif reason == "empty_business_name":
            assert values["business_name"].strip() == ""
        elif reason == "malformed_phone":
            with pytest.raises(Exception):  # noqa: B017 - ValidationError, whatever its message
                normalise_phone(values["phone"])
        elif reason == "invalid_kbli":
            assert not re.fullmatch(r"\d{5}", values["kbli"])
        else:
            raise AssertionError(reason)


def test_the_project_validators_agree_with_the_truth(tables, truth):
    """Good identifiers pass tumbuh.core.validators; each NIK/KBLI defect is refused by them."""
    validators = pytest.importorskip("tumbuh.core.validators")
    if not all(
        hasattr(validators, name) for name in ("validate_nik", "validate_kbli", "validate_nib")
    ):
        pytest.skip("the registry validators are not there yet")
    from django.core.exceptions import ValidationError

    for _name, values, _entry in rows_with_truth(tables, truth, bad=False):
        if values.get("nik"):
            assert validators.validate_nik(values["nik"]).flags == ()
        if values.get("kbli"):
            validators.validate_kbli(values["kbli"])
        if values.get("nib"):
            validators.validate_nib(values["nib"])
    for _name, values, entry in rows_with_truth(tables, truth, bad=True):
        reason = entry["bad_reason"]
        if reason.startswith("nik_"):
            with pytest.raises(ValidationError):
                validators.validate_nik(values["nik"])
        elif reason == "invalid_kbli":
            with pytest.raises(ValidationError):
                for code in re.split(r"[,;/\s]+", values["kbli"]):
                    validators.validate_kbli(code)


def test_old_spelling():
    assert old_spelling("Suka Jaya") == "Soeka Djaja"
    assert old_spelling("Sumber Rejeki Cahaya") == "Soember Redjeki Tjahaja"
    assert old_spelling("CV BumDes Maju") == "CV BumDes Madjoe"
