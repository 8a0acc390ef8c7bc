"""CSV and XLSX downloads, in one place: the file name, Excel's UTF-8 mark, and formula cells.

Every export of the console goes through :func:`csv_response` (or :func:`streaming_csv_response`
for long reports) and :func:`xlsx_response`. Each cell passes through :func:`safe_cell`: a text
that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
prefixed with an apostrophe, so a business name typed as ``=HYPERLINK(...)`` by a partner is shown,
never run, when an officer opens the file (CSV/formula injection).
"""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse

__all__ = ["csv_response", "safe_cell", "safe_row", "streaming_csv_response", "xlsx_response"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"  # so that Excel reads a CSV file as UTF-8
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """``value``, or a text that a spreadsheet will show rather than run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    return [safe_cell(cell) for cell in row]


def _attachment(response, file_name: str):
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def csv_response(rows: Iterable[Iterable], *, file_name: str) -> HttpResponse:
    """A CSV download of ``rows`` (the header first), every cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write(BYTE_ORDER_MARK)
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(safe_row(row))
    return _attachment(response, file_name)


class _Echo:
    """A file-like object whose ``write`` hands the line back, for a streamed CSV."""

    def write(self, value):
        return value


def streaming_csv_response(rows: Iterable[Iterable], *, file_name: str) -> StreamingHttpResponse:
    """The same as :func:`csv_response`, written as the rows come (long reports)."""
    writer = csv.writer(_Echo())

    def lines():
        yield BYTE_ORDER_MARK
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _attachment(response, file_name)


def xlsx_response(rows: Iterable[Iterable], *, file_name: str, sheet_title: str) -> HttpResponse:
    """An XLSX download of ``rows`` on one sheet (titles are cut to Excel's 31 characters)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])
    for row in rows:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), file_name)
