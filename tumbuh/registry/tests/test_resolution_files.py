"""``resolve_file``: a partner's CSV in, the same CSV with cluster ids out, nothing lost."""

import csv
import io

import pytest

from tumbuh.core.personal import keyed_hash
from tumbuh.registry.resolution import engine
from tumbuh.registry.resolution.files import read_csv, records_from_rows, resolve_file
from tumbuh.registry.resolution.places import place_index

HEADERS = ["No", "Nama Usaha", "Nama Pemilik", "NIK", "No HP/WA", "Kode Desa", "KBLI", "Catatan"]
ROWS = [
    ["1", "CV Barokah Jaya", "Hj. Siti Aminah", "3204124507800001", "0812-3456-7890", "32.04.05.2001", "10792", "anggota lama"],
    ["2", "Toko Barokah Djaja", "SITI AMINAH", "", "+62 812 3456 7890", "3204052001", "10792", ""],
    ["3", "Laundry Bersih Wangi", "Ani Lestari", "3204125506850002", "081355556666", "32.04.05.2001", "96200", "baru; cek"],
    ["4", "Kue Basah Bu Ani", "Ani Lestari", "3204125506850002", "081355556666", "32.04.05.2003", "10792", ""],
    ["5", "Toko Barokah", "Rudi Hartono", "3204121203700003", "081377778888", "32.04.05.2003", "47112", "dobel?"],
    ["6", "", "", "", "", "", "", ""],
]  # fmt: skip


def write(path, headers, rows, *, delimiter=",", bom=False, newline="\n"):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
        writer.writerow(headers)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.json"
    engine.default_model().save(path)
    return path


@pytest.mark.parametrize(("delimiter", "bom", "newline"), [(";", True, "\r\n"), (",", False, "\n")])
def test_every_row_and_column_kept_in_order(tmp_path, model_path, delimiter, bom, newline):
    source, output = tmp_path / "mitra.csv", tmp_path / "hasil.csv"
    write(source, HEADERS, ROWS, delimiter=delimiter, bom=bom, newline=newline)

    summary = resolve_file(source, output, model_path=model_path)

    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == bom
    assert data.splitlines(keepends=True)[0].endswith(newline.encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    assert rows[0] == [*HEADERS, "cluster_id", "match_probability"]
    assert [row[: len(HEADERS)] for row in rows[1:]] == ROWS
    assert [row[len(HEADERS)] for row in rows[1:]] == ["2", "2", "4", "5", "6", "7"]
    probabilities = [row[len(HEADERS) + 1] for row in rows[1:]]
    assert float(probabilities[0]) >= 0.7 and probabilities[0] == probabilities[1]
    assert probabilities[2:] == ["", "", "", ""]
    assert summary == {
        "rows": 6,
        "clusters": 5,
        "rows_in_shared_clusters": 2,
        # 1-2 (phone), 3-4 (NIK and phone); "Barokah" 1, 2, 5 share neither the whole name
        # nor the first word with an owner of the same initial.
        "comparisons": 2,
        "model": "given",
    }


def test_without_a_model_a_small_file_uses_the_shipped_model(tmp_path):
    source, output = tmp_path / "mitra.csv", tmp_path / "hasil.csv"
    write(source, HEADERS, ROWS)
    summary = resolve_file(source, output)
    rows = list(csv.reader(output.open(encoding="utf-8")))
    assert [row[-2] for row in rows[1:]] == ["2", "2", "4", "5", "6", "7"]
    assert summary["model"] == "shipped"


def test_the_registry_model_comes_before_the_shipped_one(tmp_path):
    source, output = tmp_path / "mitra.csv", tmp_path / "hasil.csv"
    write(source, HEADERS, ROWS)
    summary = resolve_file(source, output, registry_model=engine.default_model())
    assert summary["model"] == "registry"


def test_a_model_is_trained_on_the_file_when_asked(tmp_path):
    source, output = tmp_path / "mitra.csv", tmp_path / "hasil.csv"
    write(source, HEADERS, ROWS)
    summary = resolve_file(source, output, registry_model=engine.default_model(), train=True)
    rows = list(csv.reader(output.open(encoding="utf-8")))
    assert [row[-2] for row in rows[1:]] == ["2", "2", "4", "5", "6", "7"]
    assert summary["model"] == "trained on the file"


def test_short_rows_are_padded_not_lost(tmp_path, model_path):
    source, output = tmp_path / "mitra.csv", tmp_path / "hasil.csv"
    source.write_text(
        "Nama Usaha,Nama Pemilik,No HP\nToko Maju,Ani\nBengkel Jaya,Budi,\nTOKO MAJU,Ani,\n",
        encoding="utf-8",
    )
    resolve_file(source, output, model_path=model_path)
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Nama Usaha,Nama Pemilik,No HP,cluster_id,match_probability"
    assert [line.rsplit(",", 1)[0] for line in lines[1:]] == [
        "Toko Maju,Ani,,2",
        "Bengkel Jaya,Budi,,3",
        "TOKO MAJU,Ani,,2",
    ]


def test_a_file_that_already_has_cluster_id_is_refused(tmp_path, model_path):
    source = tmp_path / "mitra.csv"
    write(source, ["Nama Usaha", "cluster_id"], [["Toko Maju", "1"]])
    with pytest.raises(ValueError, match="cluster_id"):
        resolve_file(source, tmp_path / "out.csv", model_path=model_path)


def test_records_hash_the_nik_and_resolve_places():
    source_rows = [row[1:] for row in ROWS[:2]]
    headers = HEADERS[1:]
    records = records_from_rows(headers, source_rows, ["a", "b"]).to_pylist()
    assert records[0]["nik_hash"] == keyed_hash("nik", "3204124507800001")
    assert records[1]["nik_hash"] is None
    assert "3204124507800001" not in str(records)
    assert (records[0]["village_code"], records[0]["district_code"]) == (
        "32.04.05.2001",
        "32.04.05",
    )
    assert records[1]["village_code"] == "32.04.05.2001"


def test_places_by_name():
    index = place_index()
    place = index.resolve(
        village_name="Desa Cileunyi Kulon",
        district_name="Kec. Cileunyi",
        regency_name="Kab. Bandung",
    )
    assert (place.village_code, place.district_code) == ("32.04.05.2001", "32.04.05")
    typo = index.resolve(
        village_name="Cileunyi Kulonn", district_name="CILEUNYI", regency_name="KAB. BANDUNG"
    )
    assert typo.village_code == "32.04.05.2001"
    unknown = index.resolve(
        village_name="Perum Griya Asri", district_name="Cileunyi", regency_name="Bandung"
    )
    assert (unknown.district_code, unknown.village_code, unknown.village_name) == (
        "32.04.05", None, "Perum Griya Asri",
    )  # fmt: skip
    city = index.resolve(
        village_name="Cempaka Putih Timur",
        district_name="Cempaka Putih",
        regency_name="Jakarta Pusat",
    )
    assert city.district_code == "31.71.05"
    assert (
        index.resolve(district_name="Cileunyi", regency_name="Kota Bandung").district_code is None
    )


def test_read_csv_detects_the_delimiter(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("\ufeffNama Usaha;Alamat\r\nToko A;Jl. Merdeka, No. 1\r\n".encode())
    source = read_csv(path)
    assert (source.delimiter, source.has_bom, source.line_terminator) == (";", True, "\r\n")
    assert source.headers == ["Nama Usaha", "Alamat"]
    assert source.rows == [["Toko A", "Jl. Merdeka, No. 1"]]
