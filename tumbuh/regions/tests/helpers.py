"""Small builders and readers for the regions tests.

The expected values come from the shipped data files, read here with nothing but ``csv`` and
``gzip`` (never through the loader under test), so a test compares the database with the files.
"""

import csv
import gzip
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from tumbuh.regions.datafiles import DATA_DIR
from tumbuh.regions.models import (
    District,
    Island,
    PriorityArea,
    PriorityAreaRegency,
    Province,
    Regency,
    ThreeTDesignation,
    Village,
)

# The provinces tumbuh/conftest.py loads once per session: Jawa Barat, NTT and Papua.
SESSION_PROVINCES = ("32", "53", "91")

TABLES = [
    Province,
    Regency,
    District,
    Village,
    Island,
    ThreeTDesignation,
    PriorityArea,
    PriorityAreaRegency,
]


# --- the shipped files ----------------------------------------------------------------------


def shipped_rows(filename: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """Every row of a shipped data file (plain or gzip CSV) as a dictionary."""
    path = data_dir / filename
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def in_session(code: str) -> bool:
    return code[:2] in SESSION_PROVINCES


# --- the database -----------------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    """Row counts of every table the loader writes."""
    return {model._meta.model_name: model.objects.count() for model in TABLES}


def members_of(slug: str) -> dict[str, str]:
    """A priority area's regencies, code → role."""
    return dict(
        PriorityAreaRegency.objects.filter(area__slug=slug).values_list("regency_id", "role")
    )


# --- corrupted copies of the data -----------------------------------------------------------


def copy_data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def read_lines(path: Path) -> list[bytes]:
    """The raw lines of a data file, without their line endings."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return raw.split(b"\n")


def write_lines(path: Path, lines: list[bytes]) -> None:
    raw = b"\n".join(lines)
    path.write_bytes(gzip.compress(raw, compresslevel=1) if path.suffix == ".gz" else raw)


def edit_lines(path: Path, change: Callable[[list[bytes]], None]) -> None:
    """Rewrite a data file (keeping its compression) after ``change`` edited its lines."""
    lines = read_lines(path)
    change(lines)
    write_lines(path, lines)


def line_number(path: Path, starting_with: bytes) -> int:
    """The 1-based line number of the first line that starts with ``starting_with``."""
    for number, line in enumerate(read_lines(path), start=1):
        if line.startswith(starting_with):
            return number
    raise AssertionError(f"no line of {path.name} starts with {starting_with!r}")


# --- reading rendered pages -------------------------------------------------------------------


class PageReader(HTMLParser):
    """Collects what the region pages show: each select's options and each dt/dd pair."""

    def __init__(self):
        super().__init__()
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self.definitions: dict[str, str] = {}
        self._select = None
        self._option = None
        self._term = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs["name"]
            self.selects[self._select] = []
        elif tag == "option":
            self._option = (attrs.get("value", ""), "selected" in attrs)
            self._text = []
        elif tag in ("dt", "dd"):
            self._text = []

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option":
            value, selected = self._option
            self.selects[self._select].append((value, "".join(self._text).strip(), selected))
            self._text = None
        elif tag == "dt":
            self._term = " ".join("".join(self._text).split())
            self._text = None
        elif tag == "dd":
            self.definitions[self._term] = " ".join("".join(self._text).split())
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def read_page(response) -> PageReader:
    reader = PageReader()
    reader.feed(response.content.decode())
    return reader


def chosen(response) -> dict[str, str]:
    """The selected option of each select on the page, by field name ("" when none)."""
    return {
        name: next((value for value, _label, selected in options if selected), "")
        for name, options in read_page(response).selects.items()
    }
