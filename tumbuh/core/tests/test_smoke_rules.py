"""The rules of the smoke crawl (tools/smoke_rules.py, used by tools/rules.py): which links it
follows, how it classifies pages, what counts as a NIK, a page too wide or too heavy, an axe
violation, and the demo report it reads.

tools/ is not part of the installed ``tumbuh`` package, so the scripts are loaded by their paths.
"""

import datetime
import importlib.util
import io
import json
import stat
import sys
from pathlib import Path

import pytest

from tumbuh.core.demodata import DemoReport
from tumbuh.demo import Command as DemoCommand
from tumbuh.registry.synthetic.people import nik_for

TOOLS = Path(__file__).resolve().parents[3] / "tools"


def _load(name):
    """``tools/<name>.py`` as the module ``name`` (rules.py imports smoke_rules by that name)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


rules = _load("smoke_rules")
smoke = _load("smoke")
PAGE = "http://127.0.0.1:8123/bbi/?halaman=2"


# --- links ---


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/toko/x/", "http://127.0.0.1:8123/toko/x/"),
        ("kampanye/a/#produk", "http://127.0.0.1:8123/bbi/kampanye/a/"),
        ("?q=kopi&halaman=3", "http://127.0.0.1:8123/bbi/?halaman=3&q=kopi"),
        ("  /konsol/  ", "http://127.0.0.1:8123/konsol/"),
        ("http://127.0.0.1:8123/masuk/", "http://127.0.0.1:8123/masuk/"),
        ("http://localhost:8123/masuk/", None),  # another host is another site
        ("http://127.0.0.1:9999/", None),  # another port too
        ("https://wa.me/6281234567890", None),
        ("mailto:dinas@example.go.id", None),
        ("tel:+6281234567890", None),
        ("#main", None),
        ("", None),
        (None, None),
    ],
)
def test_links_are_made_absolute_without_fragment_and_with_a_sorted_query(href, expected):
    assert rules.normalise_link(href, PAGE) == expected


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/keluar/", "skip"),
        ("/admin/", "skip"),
        ("/admin/accounts/user/", "skip"),
        ("/static/css/console.css", "skip"),
        ("/media/stores/products/a.webp", "skip"),
        ("/healthz", "skip"),
        ("/toko/sw.js", "skip"),
        ("/toko-saya/manifest.webmanifest", "skip"),
        ("/bahasa/en/?next=/bbi/", "language"),
        ("/konsol/program/abc/peserta.csv", "download"),
        ("/konsol/program/pendamping.csv", "download"),
        ("/sertifikat/ABCD2345/unduh/", "download"),
        ("/api/v1/openapi.json", "download"),
        ("/data/catalog.jsonld", "download"),
        ("/data/usaha-per-provinsi.parquet", "download"),
        ("/data/peta.svg", "download"),
        ("/bbi/", "page"),
        ("/konsol/registri/?page=2", "page"),
    ],
)
def test_link_kinds(path, kind):
    assert rules.link_kind("http://127.0.0.1:8123" + path) == kind


def test_the_sign_in_page_is_one_page_whatever_comes_next():
    assert rules.visit_key("http://h/masuk/?next=/konsol/") == "/masuk/"
    assert rules.visit_key("http://h/masuk/?next=/a/&b=1") == "/masuk/?b=1"
    assert rules.visit_key("http://h/bbi/?halaman=2") == "/bbi/?halaman=2"


def test_printed_urls_first_then_new_kinds_of_page_then_the_least_seen():
    printed_late = rules.priority(depth=0, seen=3, order=90)
    new_and_deep = rules.priority(depth=2, seen=0, order=80)
    new_and_shallow = rules.priority(depth=1, seen=0, order=85)
    seen_once_deep = rules.priority(depth=2, seen=1, order=10)
    seen_once_shallow = rules.priority(depth=1, seen=1, order=20)
    seen_often = rules.priority(depth=1, seen=5, order=1)
    assert sorted(
        [seen_often, seen_once_deep, new_and_deep, printed_late, seen_once_shallow, new_and_shallow]
    ) == [
        printed_late,
        new_and_shallow,
        new_and_deep,
        seen_once_shallow,
        seen_once_deep,
        seen_often,
    ]


# --- pages ---


@pytest.mark.parametrize(
    ("path", "kind", "budget", "axe"),
    [
        ("/", "public", False, True),
        ("/toko/", "public", True, True),
        ("/toko/bumdes-a/", "public", True, True),
        ("/toko/bumdes-a/keripik/", "public", True, True),
        ("/bbi/kampanye/a/", "public", True, True),
        ("/sertifikat/", "public", False, True),
        ("/toko-saya/", "seller", False, True),
        ("/toko-saya/abc/produk/baru/", "seller", False, True),
        ("/pendamping/", "mentor", True, True),
        ("/pendamping/usaha/abc/", "mentor", True, True),
        ("/konsol/", "console", False, False),
        ("/konsol/bbi/kampanye/", "console", False, False),
        ("/api/v1/docs", "api", False, False),
    ],
)
def test_pages_are_classified_by_their_path(path, kind, budget, axe):
    assert rules.page_kind(path) == kind
    assert rules.has_budget(path) is budget
    assert rules.checks_accessibility(kind) is axe


def test_the_route_of_a_url_is_its_django_url_name():
    assert rules.route_of("http://h/bbi/?halaman=2") == "catalogue:home"
    assert rules.route_of("http://h/toko/a/b/") == "stores:product"
    assert rules.route_of("http://h/tidak-ada/") == "/tidak-ada/"


def test_overflow_is_a_page_wider_than_360_px():
    assert rules.overflow_problem(360) is None
    assert rules.overflow_problem(200) is None
    assert rules.overflow_problem(361, "table reaches 361 px") == (
        "overflow: 361 px wide at 360 px (table reaches 361 px)"
    )
    assert rules.overflow_problem(1009) == "overflow: 1009 px wide at 360 px"


def test_the_budget_is_14_kb_on_storefront_catalogue_mentor_and_supply_pages_only():
    assert rules.budget_problem("/bbi/", 14_336) is None
    assert rules.budget_problem("/bbi/", 14_337) == (
        "budget: 14337 bytes of HTML+CSS transferred, over 14336"
    )
    assert rules.budget_problem("/pendamping/", 20_000).startswith("budget: 20000 bytes")
    assert rules.budget_problem("/toko/a/b/", 14_337) is not None
    assert rules.budget_problem("/konsol/registri/", 90_000) is None
    assert rules.budget_problem("/toko-saya/", 90_000) is None
    assert rules.budget_problem("/rantai-pasok/pesanan/K7XQ2M9RTA/", 14_337) is not None
    assert rules.budget_problem("/rantai-pasok/pesanan/K7XQ2M9RTA/dokumen/po.pdf", 30_000) is None
    assert rules.page_kind("/rantai-pasok/") == "seller"


def test_broken_resources_are_grouped_per_type_and_answer():
    broken = [
        ("image", "404", "http://h/media/a.webp"),
        ("image", "404", "http://h/media/b.webp"),
        ("image", "404", "http://h/media/c.webp"),
        ("image", "404", "http://h/media/a.webp"),
        ("stylesheet", "net::ERR_CONNECTION_REFUSED", "http://h/static/x.css"),
    ]
    assert rules.resource_problems(broken) == [
        "resource: 3 image (404): /media/a.webp, /media/b.webp, …",
        "resource: 1 stylesheet (net::ERR_CONNECTION_REFUSED): /static/x.css",
    ]
    assert rules.resource_problems([]) == []


# --- NIKs ---

# Real districts: Atambua in Belu (NTT), Dayeuhkolot (Kab. Bandung), Jayapura Utara.
NIKS = [
    nik_for("53.04.01", datetime.date(1990, 7, 5), "P", 1),
    nik_for("32.04.12", datetime.date(1978, 12, 31), "L", 2417),
    nik_for("91.71.02", datetime.date(2001, 1, 1), "P", 9999),
]


def test_the_synthetic_niks_look_like_niks():
    assert NIKS == ["5304014507900001", "3204123112782417", "9171024101019999"]
    assert all(rules.is_nik(nik) for nik in NIKS)


@pytest.mark.parametrize("nik", NIKS)
def test_a_nik_is_found_in_text_and_html_and_reported_masked(nik):
    masked = f"{nik[:4]}…{nik[-4:]}"
    assert rules.find_niks(f"NIK: {nik}.") == [masked]
    assert rules.find_niks(f'<td data-nik="{nik}">x</td>') == [masked]
    assert rules.find_niks(f"<dd>{nik}</dd><dd>{nik}</dd>") == [masked]
    grouped = f"{nik[:4]}.{nik[4:8]}.{nik[8:12]}.{nik[12:]}"
    assert rules.find_niks(f"NIK {grouped}") == [masked]
    assert rules.find_niks(f"NIK {grouped.replace('.', ' ')}") == [masked]
    assert rules.find_niks(f"/konsol/orang/{nik}/") == [masked]
    assert nik not in " ".join(rules.find_niks(nik))


@pytest.mark.parametrize(
    "text",
    [
        "5304014507900001" + "7",  # 17 digits: part of a longer number
        "9" + "5304014507900001",
        "-9.5304014507900001",  # the decimals of a coordinate
        "0004014507900001",  # no province 00
        "9704014507900001",  # nor 97
        "5304013207900001",  # day 32
        "5304014513900001",  # month 13
        "5304014507900000",  # serial 0000
        "5304.0145.0790-0001",  # mixed separators
        "5304014507900",  # a NIB has 13 digits
        "kode 00020101021226",
    ],
)
def test_numbers_that_are_not_a_nik(text):
    assert rules.find_niks(text) == []


def test_niks_are_found_in_csv_xlsx_and_pdf_downloads():
    from fpdf import FPDF
    from openpyxl import Workbook

    nik = NIKS[0]
    masked = [f"{nik[:4]}…{nik[-4:]}"]
    csv = f"nama,nik\nYosefina,{nik}\n".encode()
    assert rules.find_niks(rules.download_text(csv)) == masked

    book = Workbook()
    book.active.append(["Yosefina", nik])
    buffer = io.BytesIO()
    book.save(buffer)
    assert rules.find_niks(rules.download_text(buffer.getvalue())) == masked

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=f"NIK {nik}")
    body = bytes(pdf.output())
    assert nik.encode() not in body  # the page's text is in a compressed stream
    assert rules.find_niks(rules.download_text(body)) == masked

    clean = f"nama,nik\nYosefina,{nik[:4]}********{nik[-4:]}\n".encode()
    assert rules.find_niks(rules.download_text(clean)) == []


# --- summary and the demo's report ---


def test_the_summary_counts_pages_failures_and_the_worst_pages():
    records = [
        rules.PageRecord("/bbi/", "anonim", 200, 20_203, 120, "public", ["budget: 20203 …"]),
        rules.PageRecord("/toko/a/", "anonim", 200, 8_000, 300, "public", []),
        rules.PageRecord("/konsol/x/", "admin", 200, 9_000, 90, "console", ["overflow: 1009 …"]),
        rules.PageRecord("/konsol/y/", "admin", 403, 0, 40, "console", []),
        rules.PageRecord("/toko/b/", "anonim", 200, 7_000, 80, "public", ["csp: Applying …"]),
    ]
    records[2].scroll_width = 1009
    summary = rules.summarise(records, 12.34)
    assert summary["ok"] is False
    assert summary["seconds"] == 12.3
    assert summary["pages"] == {"anonim": 3, "admin": 2}
    assert summary["failures"] == {
        "server-error": 0,
        "resource": 0,
        "overflow": 1,
        "budget": 1,
        "csp": 1,
        "nik": 0,
        "axe": 0,
        "crawl": 0,
    }
    assert summary["client_errors"] == 1
    assert summary["worst"]["largest_bytes"] == {"url": "/bbi/", "login": "anonim", "value": 20203}
    assert summary["worst"]["widest_overflow"] == {
        "url": "/konsol/x/",
        "login": "admin",
        "value": 1009,
    }
    assert summary["worst"]["slowest_ms"] == {"url": "/toko/a/", "login": "anonim", "value": 300}
    assert summary["worst"]["most_axe_nodes"] is None
    assert rules.summarise(records[1:2], 1)["ok"] is True


def test_the_crawl_reads_the_urls_and_logins_the_demo_writes(tmp_path, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    report = DemoReport()
    report.add_link("/", "Beranda publik (public home)")
    report.add_link("/bbi/", "Katalog")
    report.add_link("/", "again")
    report.add_login("admin@demo.tumbuh.id", "tumbuh-aaaa-bbbb-cccc", "Administrator")
    report.add_login("penjual@demo.tumbuh.id", "tumbuh-dddd-eeee-ffff", "Pengelola toko")
    path = tmp_path / "report.json"
    DemoCommand()._write_report(report, path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the demo passwords
    assert json.loads(path.read_text())["site_url"] == "http://127.0.0.1:8000"
    paths, visitors = smoke.read_report(path)
    assert paths == ["/", "/bbi/"]
    assert [(v.login, v.password, v.who) for v in visitors] == [
        ("admin@demo.tumbuh.id", "tumbuh-aaaa-bbbb-cccc", "Administrator"),
        ("penjual@demo.tumbuh.id", "tumbuh-dddd-eeee-ffff", "Pengelola toko"),
    ]


# --- the overflow measure in Chromium ---

WIDE_TABLE = "<table><tr>" + "<td>Kabupaten&nbsp;Manggarai&nbsp;Barat</td>" * 6 + "</tr></table>"
PAGE_HTML = (
    '<!doctype html><meta name="viewport" content="width=device-width,initial-scale=1">'
    "<style>body{margin:0} .table-scroll{overflow-x:auto}</style><main>%s</main>"
)


@pytest.mark.browser
@pytest.mark.django_db  # the shared browser fixture reloads the test regions when it closes
def test_the_overflow_measure_ignores_what_scrolls_inside_a_table_box(browser):
    context = browser.new_context(
        viewport={"width": rules.VIEWPORT_WIDTH, "height": rules.VIEWPORT_HEIGHT},
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        page.set_content(PAGE_HTML % f'<div class="table-scroll">{WIDE_TABLE}</div>')
        layout = page.evaluate(rules.OVERFLOW_SCRIPT)
        assert layout == {"scrollWidth": 360, "culprit": ""}
        assert page.evaluate("document.querySelector('.table-scroll').scrollWidth") > 360

        page.set_content(PAGE_HTML % WIDE_TABLE)
        layout = page.evaluate(rules.OVERFLOW_SCRIPT)
        assert layout["scrollWidth"] > 360
        assert layout["culprit"] == f"table reaches {layout['scrollWidth']} px"
        problem = rules.overflow_problem(layout["scrollWidth"], layout["culprit"])
        assert problem == (
            f"overflow: {layout['scrollWidth']} px wide at 360 px "
            f"(table reaches {layout['scrollWidth']} px)"
        )
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db  # the shared browser fixture reloads the test regions when it closes
def test_serious_and_critical_axe_violations_are_problems_and_moderate_ones_are_not(browser):
    from axe_playwright_python.sync_playwright import Axe

    crawler = smoke.Crawler(
        base_url="http://127.0.0.1:1", seeds=[], cap=1, depth=0, timeout_ms=5_000, axe_per_route=1
    )
    crawler.axe = Axe()
    context = browser.new_context()
    try:
        page = context.new_page()
        record = rules.PageRecord("/x/", "anonim", 200, 0, 0, "public")
        # A picture without a text alternative (critical), a link without a name (serious), a
        # heading level skipped (moderate: not a problem).
        page.set_content(
            '<!doctype html><html lang="id"><title>Uji</title><main><h1>Uji</h1><h4>Lompat</h4>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1">'
            '<a href="/toko/"></a></main></html>'
        )
        assert sorted(crawler.accessibility_problems(page, record)) == [
            "axe: image-alt (critical, 1×: img)",
            "axe: link-name (serious, 1×: a)",
        ]
        assert (record.axe_checked, record.axe_nodes) == (True, 2)

        page.set_content(
            '<!doctype html><html lang="id"><title>Uji</title><main><h1>Uji</h1>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Logo" width="1" height="1">'
            '<a href="/toko/">Toko</a></main></html>'
        )
        clean = rules.PageRecord("/y/", "anonim", 200, 0, 0, "public")
        assert crawler.accessibility_problems(page, clean) == []
        assert (clean.axe_checked, clean.axe_nodes) == (True, 0)
    finally:
        context.close()
