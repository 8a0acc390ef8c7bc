"""The rules of the smoke crawl (``tools/smoke.py``), apart from the browser and the server.

Which links a visitor follows and in what order, which rules a page answers to, what counts as a
NIK, a page too wide or too heavy, how broken resources are reported, and the summary. They are
plain functions (and the script that measures a page's width in the browser), tested by
``tumbuh/core/tests/test_smoke_rules.py``, which loads this file by its path: ``tools/`` is not
part of the ``tumbuh`` package that is installed and deployed.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT_WIDTH = 360
VIEWPORT_HEIGHT = 740
BUDGET_BYTES = 14 * 1024
ANONYMOUS = "anonim"
FAILING_RULES = ("server-error", "resource", "overflow", "budget", "csp", "nik", "axe", "crawl")
AXE_IMPACTS = ("serious", "critical")
# The standards the project holds its pages to (WCAG 2.1 A and AA) and axe's best practices
# (landmarks, heading order, one main); only serious and critical findings fail the run.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RESOURCE_TYPES = ("image", "stylesheet", "script", "font")

# --- links --------------------------------------------------------------------------------------

# Never followed: signing out ends the visitor's session, Django's admin is for technical staff,
# the health check, service workers and manifests are not pages, and static files and uploads are
# checked as the resources of the pages that use them.
SKIPPED_PREFIXES = ("/keluar/", "/admin/", "/static/", "/media/", "/healthz")
SKIPPED_SUFFIXES = ("/sw.js", ".webmanifest")
LANGUAGE_SWITCH = "/bahasa/"
# Links that lead to a file rather than a page: fetched and read for NIKs, not opened as pages.
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".pdf", ".json", ".jsonld", ".parquet", ".svg", "/unduh/")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def normalise_link(href: str | None, page_url: str) -> str | None:
    """The absolute URL a link leads to, without its fragment and with its query sorted, or
    ``None`` when the crawl does not follow it (another site, another scheme, an empty link)."""
    if href is None:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    url = urljoin(page_url, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or origin_of(url) != origin_of(page_url):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def link_kind(url: str) -> str:
    """``"page"``, ``"download"``, ``"language"`` (the language switch) or ``"skip"``."""
    path = urlsplit(url).path
    if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
        return "skip"
    if path.startswith(LANGUAGE_SWITCH):
        return "language"
    if path.endswith(DOWNLOAD_SUFFIXES):
        return "download"
    return "page"


def visit_key(url: str) -> str:
    """Two URLs that differ only in where the sign-in page sends the visitor next are one page."""
    parts = urlsplit(url)
    query = [pair for pair in parse_qsl(parts.query, keep_blank_values=True) if pair[0] != "next"]
    return urlunsplit(("", "", parts.path, urlencode(sorted(query)), ""))


def priority(depth: int, seen: int, order: int) -> tuple:
    """Which link a visitor follows next (the smallest first): every URL the demo printed, then
    kinds of page (Django URL names) the visitor has not seen, shallowest first, then more pages
    of the kinds seen least, so the page cap is spent on variety (the mentor's visit pages two
    links away before the fortieth storefront one link away)."""
    return (depth > 0, seen > 0, seen, depth, order)


# --- pages --------------------------------------------------------------------------------------


def page_kind(path: str) -> str:
    """Which rules a page answers to: ``console``, ``seller``, ``mentor``, ``api`` or ``public``."""
    if path.startswith("/konsol/"):
        return "console"
    if path.startswith(("/toko-saya/", "/rantai-pasok/")):
        return "seller"
    if path.startswith("/pendamping/"):
        return "mentor"
    if path.startswith("/api/"):
        # The API's documentation is a developer tool rendered by django-ninja, not a page of the
        # platform: it answers to the server, resource and NIK rules only.
        return "api"
    return "public"


def has_budget(path: str) -> bool:
    """Storefronts and products (``/toko/…``), the catalogue (``/bbi/…``), the mentor app
    (``/pendamping/…``) and the supply pages of growers, collectors and processors
    (``/rantai-pasok/…``, not their PDF documents) must load on 2G: 14 KB of HTML and CSS as
    transferred."""
    if path.startswith("/rantai-pasok/"):
        return not path.endswith(".pdf")
    return path.startswith(("/toko/", "/bbi/", "/pendamping/"))


def checks_accessibility(kind: str) -> bool:
    return kind in ("public", "seller", "mentor")


def overflow_problem(scroll_width: int, culprit: str = "") -> str | None:
    """A page wider than the viewport. ``scroll_width`` is ``documentElement.scrollWidth``: the
    content inside an element that scrolls horizontally (``overflow-x: auto``, such as a console
    ``.table-scroll`` box) is that element's own scrollable overflow and does not widen the page,
    so the same measure serves public, seller, mentor and console pages."""
    if scroll_width <= VIEWPORT_WIDTH:
        return None
    where = f" ({culprit})" if culprit else ""
    return f"overflow: {scroll_width} px wide at {VIEWPORT_WIDTH} px{where}"


def budget_problem(path: str, transferred_bytes: int) -> str | None:
    if not has_budget(path) or transferred_bytes <= BUDGET_BYTES:
        return None
    return f"budget: {transferred_bytes} bytes of HTML+CSS transferred, over {BUDGET_BYTES}"


# --- NIKs ---------------------------------------------------------------------------------------

# The provinces' Kemendagri codes, the first two digits of every NIK, from the shipped regions.
PROVINCE_CODES = frozenset(
    line.split(",", 1)[0]
    for line in (ROOT / "tumbuh/regions/data/provinces.csv").read_text().splitlines()[1:]
)
# Sixteen digits in a row (not part of a longer number or the decimals of a coordinate), or
# written in groups of four with spaces, dots or dashes as people and spreadsheets write them.
_NIK_CANDIDATE = re.compile(
    r"(?<![\d.])(\d{16})(?!\d)|(?<![\d.])(\d{4})([ .\-])(\d{4})\3(\d{4})\3(\d{4})(?!\d)"
)


def is_nik(digits: str) -> bool:
    """Sixteen digits laid out as a NIK: a province code, then after the regency and district
    the birth date as DDMMYY (a woman's day plus 40), then a serial that is not 0000."""
    if len(digits) != 16 or not digits.isascii() or not digits.isdigit():
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    return (
        digits[:2] in PROVINCE_CODES
        and (1 <= day <= 31 or 41 <= day <= 71)
        and 1 <= month <= 12
        and digits[12:] != "0000"
    )


def find_niks(text: str) -> list[str]:
    """The NIKs in ``text``, masked (``5304…0001``) so the report never repeats one."""
    found = []
    for match in _NIK_CANDIDATE.finditer(text):
        digits = match.group(1) or "".join(match.group(i) for i in (2, 4, 5, 6))
        if is_nik(digits):
            masked = f"{digits[:4]}…{digits[-4:]}"
            if masked not in found:
                found.append(masked)
    return found


def download_text(body: bytes, content_type: str = "") -> str:
    """The readable text of a download for the NIK search: CSV and JSON as they are, the cells
    of an XLSX workbook (its XML parts), and the decompressed content streams of a PDF."""
    if body[:2] == b"PK":  # a zip: XLSX
        with contextlib.suppress(zipfile.BadZipFile), zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    if body[:5] == b"%PDF-":
        parts = [body.decode("latin-1")]
        for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.DOTALL):
            with contextlib.suppress(zlib.error):
                parts.append(zlib.decompress(stream.group(1)).decode("latin-1"))
        return "\n".join(parts)
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


# --- records and summary ------------------------------------------------------------------------


@dataclass
class PageRecord:
    url: str
    login: str
    status: int | None
    bytes: int
    ms: int
    kind: str
    problems: list[str] = field(default_factory=list)
    scroll_width: int = 0
    axe_checked: bool = False
    axe_nodes: int = 0

    def line(self) -> str:
        return json.dumps(
            {
                "url": self.url,
                "login": self.login,
                "status": self.status,
                "bytes": self.bytes,
                "ms": self.ms,
                "kind": self.kind,
                "problems": self.problems,
            },
            ensure_ascii=False,
        )


def resource_problems(broken: list[tuple[str, str, str]]) -> list[str]:
    """One problem per kind of resource and answer: ``(type, status or error, url)`` rows."""
    groups: dict[tuple[str, str], list[str]] = {}
    for resource_type, answer, url in broken:
        urls = groups.setdefault((resource_type, answer), [])
        if relative(url) not in urls:
            urls.append(relative(url))
    return [
        f"resource: {len(urls)} {resource_type} ({answer}): {', '.join(urls[:2])}"
        + (", …" if len(urls) > 2 else "")
        for (resource_type, answer), urls in groups.items()
    ]


def rule_of(problem: str) -> str:
    return problem.split(":", 1)[0]


def summarise(records: list[PageRecord], seconds: float) -> dict:
    """Pages per login, failures per rule, 4xx pages, and the worst page per measure."""
    pages = Counter(record.login for record in records)
    failures = Counter()
    for record in records:
        for rule in {rule_of(problem) for problem in record.problems}:
            failures[rule] += 1

    def worst(records, value):
        chosen = max(records, key=value, default=None)
        if chosen is None or not value(chosen):
            return None
        return {"url": chosen.url, "login": chosen.login, "value": value(chosen)}

    budgeted = [r for r in records if has_budget(urlsplit(r.url).path) and r.status == 200]
    return {
        "summary": True,
        "ok": not any(failures[rule] for rule in FAILING_RULES),
        "seconds": round(seconds, 1),
        "pages": dict(pages),
        "pages_total": len(records),
        "failures": {rule: failures[rule] for rule in FAILING_RULES},
        "client_errors": sum(1 for r in records if r.status and 400 <= r.status < 500),
        "axe_checked": sum(1 for r in records if r.axe_checked),
        "worst": {
            "largest_bytes": worst(budgeted, lambda r: r.bytes),
            "widest_overflow": worst(records, lambda r: r.scroll_width),
            "slowest_ms": worst(records, lambda r: r.ms),
            "most_axe_nodes": worst(records, lambda r: r.axe_nodes),
        },
    }


# --- the width of a page ------------------------------------------------------------------------

# The element that reaches furthest right outside any element that scrolls horizontally: what to
# fix when the page is too wide.
OVERFLOW_SCRIPT = """() => {
  const scrollWidth = document.documentElement.scrollWidth;
  const width = document.documentElement.clientWidth;
  if (scrollWidth <= width) return {scrollWidth, culprit: ''};
  const scrolls = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const x = getComputedStyle(node).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  let culprit = '', right = width;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > right + 0.5 && !scrolls(el)) {
      right = box.right;
      culprit = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className.trim()
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    }
  }
  return {scrollWidth, culprit: culprit ? culprit + ' reaches ' + Math.round(right) + ' px' : ''};
}"""


# --- URLs ---------------------------------------------------------------------------------------


def relative(url: str) -> str:
    """A URL as the report shows it: its path and query."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


_ROUTE_CACHE: dict[str, str] = {}


def route_of(url: str) -> str:
    """The Django URL name of a URL's path (``stores:product``), so the crawl can prefer kinds of
    page it has not seen; the path itself when Django is not set up or nothing matches."""
    path = urlsplit(url).path
    if path not in _ROUTE_CACHE:
        try:
            from django.urls import Resolver404, resolve

            try:
                _ROUTE_CACHE[path] = resolve(path).view_name
            except Resolver404:
                _ROUTE_CACHE[path] = path
        except Exception:  # Django not configured: fall back to the path
            _ROUTE_CACHE[path] = path
    return _ROUTE_CACHE[path]
