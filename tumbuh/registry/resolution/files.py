"""Resolve a partner's CSV file without the database: ``resolve_file(in_path, out_path)``.

The output is the input, every row and every column kept in order, with two columns added:
``cluster_id`` (the row number of the first row of the same business; a row alone carries its
own number) and ``match_probability`` (the highest probability linking the row to another row of
its cluster, empty for a row alone). A partner can so clean a file before sending it.

Rows shorter than the header are padded with empty cells so the added columns line up; a row
with more cells than the header keeps them, before the added columns. Every row, blank ones
included, gets a cluster.

Headers are recognised with ``tumbuh.registry.columns.recognise``; NIKs are replaced by their
keyed hash (``tumbuh.core.personal.keyed_hash``) and by the keyed hashes of the NIK with each
pair of neighbouring digits masked (``nik_near_hashes``, for typo-tolerant comparison) before
matching, and never leave this module;
places given by name are resolved to Kemendagri codes with the shipped region files
(``places.py``). Which model resolves the file is chosen by a stated rule (``choose_model``)
and named in the summary.

The output keeps the personal columns (NIK, phone) exactly as the input had them: it is the
partner's own file, returned to them with two columns more, and as sensitive as the input. It is
created readable and writable by its owner only (mode 0600), never anywhere else.
"""

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from tumbuh.core.personal import keyed_hash
from tumbuh.registry.columns import recognise
from tumbuh.registry.resolution import engine
from tumbuh.registry.resolution.places import place_index

DELIMITERS = ",;"
ADDED_COLUMNS = ("cluster_id", "match_probability")
_NIK_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass
class CsvFile:
    headers: list[str]
    rows: list[list[str]]
    delimiter: str
    has_bom: bool
    line_terminator: str


def read_csv(path: str | Path) -> CsvFile:
    """Read a CSV written with commas or semicolons, in UTF-8 with or without a byte-order mark."""
    data = Path(path).read_bytes()
    has_bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    line_terminator = "\r\n" if first_line.endswith("\r") else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        raise ValueError("The file is empty: it has no header row.")
    return CsvFile(rows[0], rows[1:], delimiter, has_bom, line_terminator)


# Letters a typist or a scan reads for digits ("32O4...", "3l74...").
_LETTERS_AS_DIGITS = str.maketrans("OoDQIilLSsBZzG", "00001111558226")


def normalise_nik(value: str | None) -> str | None:
    """The 16 digits of a NIK written with or without separators, letters read for digits put
    back ("O" for 0, "l" for 1, "S" for 5, "B" for 8…); None for anything else."""
    digits = _NIK_SEPARATORS.sub("", value or "")
    if not digits.isdigit() and len(digits) == 16:
        digits = digits.translate(_LETTERS_AS_DIGITS)
    return digits if len(digits) == 16 and digits.isascii() and digits.isdigit() else None


# Hex characters kept of each masked hash: 64 bits, enough that two different masked NIKs
# never meet by chance in one file.
NEAR_HASH_CHARS = 16


def nik_near_hashes(nik: str, key: bytes | None = None) -> str:
    """The ``nik_near`` of ``records``: one short keyed hash per pair of neighbouring digits,
    the NIK hashed with that pair masked. NIKs that differ only within two neighbouring digits
    (one mistyped, two transposed, two side by side mistyped) share at least one; without the
    key, no digit can be read back.

    Keyed BLAKE2b (a MAC, 15 per NIK, so it must be cheap) with a key derived from the
    registry's data key through ``keyed_hash``."""
    key = key or _near_key()
    return " ".join(
        hashlib.blake2b(
            f"{position}:{nik[:position]}{nik[position + 2 :]}".encode(),
            key=key,
            digest_size=NEAR_HASH_CHARS // 2,
        ).hexdigest()
        for position in range(len(nik) - 1)
    )


def _near_key() -> bytes:
    return bytes.fromhex(keyed_hash("nik_near", "key"))


def records_from_rows(
    headers: list[str], rows: Iterable[list[str]], record_ids: Iterable[str]
) -> pa.Table:
    """Engine records from a partner's rows: recognised columns, hashed NIK, resolved places."""
    mapping = recognise(headers)
    index = {key: headers.index(header) for key, header in mapping.items()}
    places = place_index()

    def cell(row: list[str], key: str) -> str | None:
        position = index.get(key)
        if position is None or position >= len(row):
            return None
        value = row[position].strip()
        return value or None

    columns: dict[str, list] = {name: [] for name in engine.INPUT_COLUMNS}
    nik_hashes: dict[str, tuple[str, str]] = {}
    near_key = _near_key()
    for record_id, row in zip(record_ids, rows, strict=True):
        nik = normalise_nik(cell(row, "nik"))
        if nik and nik not in nik_hashes:
            nik_hashes[nik] = (keyed_hash("nik", nik), nik_near_hashes(nik, near_key))
        place = places.resolve(
            village_code=cell(row, "village_code"),
            village_name=cell(row, "village_name"),
            district_name=cell(row, "district_name"),
            regency_name=cell(row, "regency_name"),
            province_name=cell(row, "province_name"),
        )
        columns["record_id"].append(record_id)
        columns["nik_hash"].append(nik_hashes[nik][0] if nik else None)
        columns["nik_near"].append(nik_hashes[nik][1] if nik else None)
        columns["nib"].append(cell(row, "nib"))
        columns["phone"].append(cell(row, "phone"))
        columns["business_name"].append(cell(row, "business_name"))
        columns["owner_name"].append(cell(row, "owner_name"))
        columns["village_code"].append(place.village_code)
        columns["district_code"].append(place.district_code)
        columns["village_name"].append(place.village_name)
        columns["kbli"].append(cell(row, "kbli"))
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def choose_model(
    records: pa.Table,
    *,
    model_path: str | Path | None = None,
    registry_model: "engine.ResolutionModel | None" = None,
    train: bool = False,
) -> tuple["engine.ResolutionModel", str]:
    """The model to resolve a file with, and which one it is, by this rule:

    1. the model of ``model_path`` ("given") when there is one;
    2. with ``train``, a model trained on the file itself ("trained on the file"; fixed seed,
       what the file cannot estimate taken from the shipped model);
    3. the registry's active model ("registry") when there is one;
    4. the model shipped with Tumbuh, ``default_model.json`` ("shipped"); a model trained on
       the file if it is missing.

    Training is not the default: on the hard lists of ``bench/resolve.py --hard`` (100k rows)
    a model trained on the file scored the same F1 as the shipped one (0.9798 and 0.9800) and
    took ten times as long, which at a million rows would not fit the two minutes a partner
    waits.
    """
    if model_path:
        return engine.ResolutionModel.load(model_path), "given"
    if train:
        return engine.train(records), "trained on the file"
    if registry_model is not None:
        return registry_model, "registry"
    shipped = engine.default_model()
    if shipped is None:
        return engine.train(records), "trained on the file"
    return shipped, "shipped"


def resolve_file(
    in_path: str | Path,
    out_path: str | Path,
    *,
    model_path: str | Path | None = None,
    registry_model: "engine.ResolutionModel | None" = None,
    train: bool = False,
) -> dict:
    """Write ``in_path`` to ``out_path`` with ``cluster_id`` and ``match_probability`` added.

    Returns counts: rows, clusters, rows that share their cluster with another row, the
    number of comparisons made, and which model was used (``choose_model``).
    """
    source = read_csv(in_path)
    for name in ADDED_COLUMNS:
        if name in source.headers:
            raise ValueError(f"The file already has a column named {name!r}.")
    width = len(source.headers)
    rows = [row + [""] * (width - len(row)) for row in source.rows]
    # The spreadsheet's row numbers: the header is row 1.
    record_ids = [str(number) for number in range(2, len(rows) + 2)]
    records = records_from_rows(source.headers, rows, record_ids)
    model, model_source = choose_model(
        records, model_path=model_path, registry_model=registry_model, train=train
    )
    resolution = engine.resolve(records, model)
    clusters = {
        record_id: (cluster_id, probability)
        for record_id, cluster_id, probability in zip(
            resolution.clusters["record_id"].to_pylist(),
            resolution.clusters["cluster_id"].to_pylist(),
            resolution.clusters["cluster_probability"].to_pylist(),
            strict=True,
        )
    }
    # Owner-only from the first byte: the output holds the input's NIKs and phone numbers.
    descriptor = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(
        descriptor, "w", encoding="utf-8-sig" if source.has_bom else "utf-8", newline=""
    ) as out:
        writer = csv.writer(out, delimiter=source.delimiter, lineterminator=source.line_terminator)
        writer.writerow([*source.headers, *ADDED_COLUMNS])
        for record_id, row in zip(record_ids, rows, strict=True):
            cluster_id, probability = clusters[record_id]
            writer.writerow([*row, cluster_id, "" if probability is None else f"{probability:.4f}"])
    cluster_sizes: dict[str, int] = {}
    for cluster_id, _probability in clusters.values():
        cluster_sizes[cluster_id] = cluster_sizes.get(cluster_id, 0) + 1
    return {
        "rows": len(rows),
        "clusters": len(cluster_sizes),
        "rows_in_shared_clusters": sum(size for size in cluster_sizes.values() if size > 1),
        "comparisons": resolution.comparisons,
        "model": model_source,
    }
