"""Reading the shipped region data files, row by row, with the file and line of every problem.

Each reader yields plain dictionaries after checking the header and every field; the first
problem raises :class:`DataFileError` naming the file, the line and what is wrong, so the loader
can stop before writing anything.
"""

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

CODE_PATTERNS = {
    "province": re.compile(r"^\d{2}$"),
    "regency": re.compile(r"^\d{2}\.\d{2}$"),
    "district": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    "village": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.[123]\d{3}$"),
    "island": re.compile(r"^\d{2}\.\d{2}\.4\d{4}$"),
}
POSTAL_CODE = re.compile(r"^\d{5}$")

# Indonesia's extent with a margin: a coordinate outside it is a data error, not a place.
LATITUDE_RANGE = (-11.5, 6.5)
LONGITUDE_RANGE = (94.0, 141.5)


class DataFileError(Exception):
    """A data file that cannot be loaded: which file, which line, and why."""

    def __init__(self, path: Path | str, line: int, reason: str):
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path.name}, line {line}: {reason}")


class Row(dict):
    """One data row; knows where it came from so checks can say so."""

    path: Path
    line: int

    def fail(self, reason: str) -> DataFileError:
        return DataFileError(self.path, self.line, reason)

    def code(self, column: str, level: str) -> str:
        value = self[column]
        if not CODE_PATTERNS[level].match(value):
            raise self.fail(f"{column} {value!r} is not a {level} code")
        return value

    def text(self, column: str) -> str:
        value = self[column].strip()
        if not value:
            raise self.fail(f"{column} is empty")
        return value

    def number(self, column: str, *, allow_empty: bool = False) -> float | None:
        value = self[column].strip()
        if not value and allow_empty:
            return None
        try:
            return float(value)
        except ValueError:
            raise self.fail(f"{column} {value!r} is not a number") from None

    def whole_number(self, column: str) -> int:
        value = self[column].strip()
        if not value.isdigit():
            raise self.fail(f"{column} {value!r} is not a whole number")
        return int(value)

    def flag(self, column: str) -> bool:
        value = self[column].strip()
        if value not in {"0", "1"}:
            raise self.fail(f"{column} {value!r} is not 0 or 1")
        return value == "1"

    def coordinates(self) -> tuple[float, float]:
        latitude = self.number("latitude")
        longitude = self.number("longitude")
        if not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
            raise self.fail(f"latitude {latitude} is outside Indonesia")
        if not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
            raise self.fail(f"longitude {longitude} is outside Indonesia")
        return latitude, longitude

    def choice(self, column: str, allowed: set[str]) -> str:
        value = self[column].strip()
        if value not in allowed:
            raise self.fail(f"{column} {value!r} is not one of {', '.join(sorted(allowed))}")
        return value


def _open_binary(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _open_text(path: Path) -> io.TextIOBase:
    return io.TextIOWrapper(_open_binary(path), encoding="utf-8", newline="")


def _locate_unreadable_line(path: Path) -> DataFileError:
    """Re-read ``path`` line by line to name the line of a bad byte or of a damaged gzip stream.

    Only called on the error path: the fast reader decodes ahead in 8 KB chunks, so the line the
    CSV reader had reached when decoding failed is not the bad one.
    """
    number = 0
    try:
        with _open_binary(path) as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as error:
                    return DataFileError(path, number, f"not UTF-8 text ({error.reason})")
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        return DataFileError(path, number + 1, f"not a valid gzip file ({error})")
    return DataFileError(path, number, "the file cannot be read")


def read_rows(path: Path, columns: list[str]) -> Iterator[Row]:
    """Yield the rows of a CSV file (plain or gzip) whose header must be exactly ``columns``."""
    if not path.exists():
        raise DataFileError(path, 0, "the file is missing")
    with _open_text(path) as handle:
        reader = csv.reader(handle, strict=True)
        line = 1
        try:
            header = next(reader, None)
            if header is None:
                raise DataFileError(path, 1, "the file is empty")
            if [name.strip().lstrip("\ufeff") for name in header] != columns:
                raise DataFileError(
                    path, 1, f"expected the columns {','.join(columns)}, found {','.join(header)}"
                )
            for fields in reader:
                line = reader.line_num
                if not fields:
                    continue
                if len(fields) != len(columns):
                    raise DataFileError(
                        path, line, f"expected {len(columns)} fields, found {len(fields)}"
                    )
                row = Row(zip(columns, fields, strict=True))
                row.path, row.line = path, line
                yield row
        except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, zlib.error):
            raise _locate_unreadable_line(path) from None
        except csv.Error as error:
            raise DataFileError(path, reader.line_num, f"not valid CSV ({error})") from None
