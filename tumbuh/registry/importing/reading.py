"""Opening a partner's CSV or XLSX file, with a clear message for every kind of broken file.

``open_table`` returns the headers and an iterator of ``(row_number, values)`` where
``row_number`` is the row as a spreadsheet shows it (the header is row 1). A problem with the
file as a whole raises :class:`FileProblem` with a message a partner can act on; problems with
single rows are the importer's business.
"""

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused
from tumbuh.registry.columns import header_key, recognise
from tumbuh.registry.error_codes import RegistryError

MAX_HEADER_CELLS = 200
SNIFF_BYTES = 64 * 1024


class FileProblem(Refused):
    """The file cannot be read at all (code ``file_unreadable``, at the field ``file``); the
    message says why and what to do."""

    def __init__(self, message):
        super().__init__(RegistryError.FILE_UNREADABLE, message, field="file")


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    format: str
    delimiter: str = ","


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def check_headers(headers: list[str]) -> list[str]:
    """Refuse a missing header row and duplicated column names; return the cleaned headers."""
    cleaned = [str(header or "").strip().lstrip("\ufeff") for header in headers]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    if not any(cleaned):
        raise FileProblem(
            _("The first row is empty: it must name the columns (e.g. Nama Usaha, NIK).")
        )
    if not recognise(cleaned):
        looks_like_data = any(re.fullmatch(r"[\d\s.+\-]{8,}", header) for header in cleaned)
        if looks_like_data:
            raise FileProblem(
                _(
                    "The first row looks like data, not column names. Add a header row "
                    "(e.g. Nama Usaha, Nama Pemilik, NIK, No HP, Desa/Kelurahan)."
                )
            )
        raise FileProblem(
            _(
                "None of the columns is recognised (found: %(found)s). Name them e.g. "
                "Nama Usaha, Nama Pemilik, NIK, No HP, Alamat, Desa/Kelurahan, Kecamatan, "
                "Kabupaten/Kota, KBLI, NIB."
            )
            % {"found": ", ".join(header for header in cleaned[:8] if header)}
        )
    seen: dict[str, int] = {}
    for index, header in enumerate(cleaned):
        if not header:
            continue
        key = header_key(header)
        if key in seen:
            raise FileProblem(
                _("The column “%(header)s” appears twice (columns %(first)s and %(second)s).")
                % {
                    "header": header,
                    "first": _column_letter(seen[key]),
                    "second": _column_letter(index),
                }
            )
        seen[key] = index
    return cleaned


def _csv_table(path: Path) -> Table:
    raw = path.read_bytes()[:SNIFF_BYTES]
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        raise FileProblem(
            _("The file is UTF-16 text. Save it from Excel as “CSV UTF-8 (comma delimited)”.")
        )
    if b"\x00" in raw:
        raise FileProblem(_("This is not a text CSV file. Upload a CSV (UTF-8) or an XLSX file."))
    try:
        sample = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(raw) - 4:  # not just a character cut off by the sample's end
            line = raw[: error.start].count(b"\n") + 1
            raise FileProblem(
                _(
                    "The file is not UTF-8 text (line %(line)s). Save it from Excel as "
                    "“CSV UTF-8 (comma delimited)”, or upload the XLSX file."
                )
                % {"line": line}
            ) from None
        sample = raw[: error.start].decode("utf-8-sig")
    first_line = sample.splitlines()[0] if sample.strip() else ""
    if not first_line.strip():
        raise FileProblem(_("The file is empty."))
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get)
    if counts[delimiter] == 0:
        delimiter = ","
    handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by _rows
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        headers = check_headers(next(reader))
    except StopIteration:
        handle.close()
        raise FileProblem(_("The file is empty.")) from None
    except (UnicodeDecodeError, csv.Error) as error:
        handle.close()
        raise FileProblem(_("The first row cannot be read: %(error)s") % {"error": error}) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for values in reader:
                number += 1
                yield number, values
        except UnicodeDecodeError:
            raise FileProblem(
                _(
                    "The file is not UTF-8 text after row %(row)s. Save it from Excel as "
                    "“CSV UTF-8 (comma delimited)”, or upload the XLSX file."
                )
                % {"row": number}
            ) from None
        except csv.Error as error:
            raise FileProblem(
                _("Row %(row)s cannot be read as CSV: %(error)s")
                % {"row": number + 1, "error": error}
            ) from None
        finally:
            handle.close()

    return Table(headers=headers, rows=rows(), format="csv", delimiter=delimiter)


def _merged_cells(path: Path, sheet_xml: str) -> list[str]:
    """Merged ranges of a worksheet, read from its XML (openpyxl's read-only mode hides them)."""
    with zipfile.ZipFile(path) as archive, archive.open(sheet_xml) as sheet:
        tail = b""
        for chunk in iter(lambda: sheet.read(1 << 20), b""):
            data = tail + chunk
            found = re.findall(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', data)
            if found:
                return [ref.decode() for ref in found]
            tail = data[-64:]
    return []


def _xlsx_table(path: Path) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem(
            _(
                "The XLSX file cannot be opened (%(error)s). Save it again from Excel, or as CSV UTF-8."
            )
            % {"error": error}
        ) from None
    sheet = workbook.worksheets[0]
    sheet_xml = None
    with zipfile.ZipFile(path) as archive:
        names = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        sheet_xml = sorted(names)[0] if names else None
    merged = _merged_cells(path, sheet_xml) if sheet_xml else []
    if merged:
        workbook.close()
        raise FileProblem(
            _(
                "The sheet has merged cells (%(cells)s). Unmerge them so that every row has its "
                "own values, then upload again."
            )
            % {"cells": ", ".join(merged[:5])}
        )
    cells = sheet.iter_rows(values_only=True)
    try:
        header_row = next(cells)
    except StopIteration:
        workbook.close()
        raise FileProblem(_("The first sheet is empty.")) from None
    headers = check_headers([str(value) if value is not None else "" for value in header_row])

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(cells, start=2):
                yield number, [_cell_text(value) for value in values]
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows(), format="xlsx")


class NumberCell(str):
    """Text of a spreadsheet cell that held a number: long identifiers in it may be damaged."""


def _cell_text(value) -> str:
    """A cell as the partner sees it: whole numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e12:
        # Excel keeps 15 significant digits: a 16-digit NIK stored as a number has lost one.
        return NumberCell(str(int(value)) if float(value).is_integer() else repr(value))
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat() if not (value.hour or value.minute) else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def open_table(path: Path, *, file_name: str | None = None) -> Table:
    """Open a CSV or XLSX partner file; raise :class:`FileProblem` if it cannot be read."""
    name = (file_name or path.name).lower()
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"PK"):
        return _xlsx_table(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            _(
                "This is an old Excel (.xls) file. Save it as .xlsx or as CSV UTF-8 and upload again."
            )
        )
    if name.endswith((".xlsx", ".xlsm")):
        raise FileProblem(_("The file is named .xlsx but is not an Excel workbook."))
    return _csv_table(path)
