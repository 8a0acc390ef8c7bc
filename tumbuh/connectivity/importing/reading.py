"""Reading the file: a text CSV (encoding, delimiter, blank lines) and its columns mapped by
name; a file that cannot be read is refused whole.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.importing.columns import COLUMNS, SOURCE
from tumbuh.connectivity.importing.common import simple
from tumbuh.core.refusals import Refused


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, values)
    sha256: str


def read_csv(path: Path) -> Table:
    """Headers and non-blank rows of a CSV file; ``Refused`` if it cannot be read."""
    raw = path.read_bytes()
    if raw.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        raise Refused(
            ConnectivityError.FILE_NOT_CSV,
            _(
                "This is an Excel workbook, not a CSV file. Save it as “CSV UTF-8 (comma "
                "delimited)” and import that."
            ),
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(
            ConnectivityError.FILE_NOT_UTF8,
            _("The file is UTF-16 text. Save it from Excel as “CSV UTF-8 (comma delimited)”."),
        )
    if b"\x00" in raw:
        raise Refused(
            ConnectivityError.FILE_NOT_CSV,
            _("This is not a text CSV file. Save it as “CSV UTF-8 (comma delimited)”."),
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Refused(
            ConnectivityError.FILE_NOT_UTF8,
            _(
                "The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8 (comma "
                "delimited)”."
            )
            % {"line": raw[: error.start].count(b"\n") + 1},
        ) from None
    if not text.strip():
        raise Refused(ConnectivityError.FILE_EMPTY, _("The file is empty."))
    first_line = text.lstrip("\r\n").splitlines()[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers, rows, number = None, [], 0
    try:
        for values in reader:
            number += 1
            if not any(value.strip() for value in values):
                continue  # blank lines are not rows
            if headers is None:
                headers = [value.strip() for value in values]
            else:
                rows.append((number, values))
    except csv.Error as error:
        raise Refused(
            ConnectivityError.FILE_UNREADABLE,
            _("Row %(row)s cannot be read as CSV: %(error)s") % {"row": number + 1, "error": error},
        ) from None
    if not rows:
        raise Refused(ConnectivityError.NO_ROWS, _("The file has column names but no rows."))
    return Table(headers=headers, rows=rows, sha256=hashlib.sha256(raw).hexdigest())


def map_columns(kind: str, headers: list[str], *, source_required: bool) -> dict[str, int]:
    """Each recognised column's position; ``Refused`` for a missing or doubled one."""
    by_alias = {simple(alias): column for column in COLUMNS[kind] for alias in column.aliases}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = by_alias.get(simple(header))
        if column is None:
            continue  # other columns are allowed and ignored
        if column.key in found:
            raise Refused(
                ConnectivityError.COLUMN_TWICE,
                _("The columns “%(first)s” and “%(second)s” both hold %(column)s; keep one.")
                % {"first": headers[found[column.key]], "second": header, "column": column.name},
            )
        found[column.key] = index
    missing = [
        column.name
        for column in COLUMNS[kind]
        if column.key not in found and (column.required or (column is SOURCE and source_required))
    ]
    if missing:
        raise Refused(
            ConnectivityError.COLUMNS_MISSING,
            _("The file has no column for: %(missing)s. Columns found: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(header for header in headers[:12] if header) or "-",
            },
        )
    return found
