"""The public pages: language, weight, security headers and accessibility of their HTML.

Public pages are built on ``base_shop.html``: no JavaScript at all, the critical CSS inlined
under the request's CSP nonce, Bahasa Indonesia whatever the browser asks for, English only
through the ``bahasa`` cookie set by the footer link, and each page under 14 KB compressed so it
arrives in one TCP round trip on a 2G connection (DESIGN.md, "Pages").
"""

import base64
import hashlib
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tumbuh.conftest import make_store
from tumbuh.core import inline_styles
from tumbuh.core.tests.weight import served_size
from tumbuh.regions.models import PriorityArea

# name → path of every public page, in the states a visitor sees.
PUBLIC_PAGES = {
    "home": "/",
    "login": "/masuk/",
    "picker": "/wilayah/",
    "picker-village": (
        "/wilayah/?province=53&regency=53.71&district=53.71.01&village=53.71.01.1001"
    ),
    "search": "/wilayah/?q=Kupang",
    # The heaviest in the test provinces: the district with the most villages (32), and a
    # search that fills the whole result list (20).
    "picker-largest-district": "/wilayah/?district=53.08.03",
    "search-many": "/wilayah/?q=Suka",
}
PAGE_BUDGET_GZIP_BYTES = 14 * 1024

# Indonesian text the translation catalogue must produce (tumbuh/locale/id/LC_MESSAGES).
INDONESIAN_H1 = {"login": "Masuk", "picker": "Wilayah Indonesia"}
ENGLISH_H1 = {"login": "Sign in", "picker": "Regions of Indonesia"}

pages = pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())


class PageParser(HTMLParser):
    """The parts of a page these tests check: tags, form controls, labels, headings, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.start_tags: list[tuple[str, dict[str, str | None]]] = []
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: list[str | None] = []
        self.headings: list[tuple[int, str]] = []
        self.links: list[tuple[dict[str, str | None], str]] = []
        self._heading: list | None = None
        self._link: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.start_tags.append((tag, attributes))
        if tag == "label":
            self.label_targets.append(attributes.get("for"))
        elif tag in {"input", "select", "textarea"}:
            self.controls.append({"tag": tag, **attributes})
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        elif tag == "a":
            self._link = [attributes, ""]

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._link is not None:
            self._link[1] += data

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attributes for tag, attributes in self.start_tags if tag == name]


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def html_lang(response) -> str | None:
    return parse(response).tags("html")[0].get("lang")


def h1_text(response) -> str:
    return next(text for level, text in parse(response).headings if level == 1)


def language_links(response) -> dict[str, str]:
    """Text → href of the footer's language switch links."""
    return {
        text: attributes["href"]
        for attributes, text in parse(response).links
        if (attributes.get("href") or "").startswith("/bahasa/")
    }


# --- language ---------------------------------------------------------------------------------


@pages
@pytest.mark.django_db
def test_public_page_is_indonesian_whatever_the_browser_asks(client, path):
    response = client.get(path, headers={"accept-language": "en-US,en;q=0.9"})

    assert response.status_code == 200
    assert html_lang(response) == "id"
    assert response.headers["Content-Language"] == "id"
    assert "Cookie" in response.headers["Vary"]


@pages
@pytest.mark.django_db
def test_public_page_is_english_with_the_cookie(english, path):
    response = english.get(path)

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_an_unknown_cookie_value_means_indonesian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client.get("/masuk/")

    assert html_lang(response) == "id"
    assert response.headers["Content-Language"] == "id"


@pytest.mark.django_db
@pytest.mark.parametrize("page", INDONESIAN_H1)
def test_headings_are_indonesian_by_default(client, page):
    response = client.get(PUBLIC_PAGES[page], headers={"accept-language": "en"})

    assert h1_text(response) == INDONESIAN_H1[page]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ENGLISH_H1)
def test_headings_are_english_with_the_cookie(english, page):
    response = english.get(PUBLIC_PAGES[page])

    assert h1_text(response) == ENGLISH_H1[page]


@pytest.mark.django_db
def test_home_offers_english_in_indonesian(client):
    response = client.get("/")

    assert language_links(response) == {"English": "/bahasa/en/?next=/"}
    assert '<strong aria-current="true" lang="id">Bahasa Indonesia</strong>' in response.text


@pytest.mark.django_db
def test_home_offers_bahasa_indonesia_in_english(english):
    response = english.get("/")

    assert language_links(response) == {"Bahasa Indonesia": "/bahasa/id/?next=/"}
    assert '<strong aria-current="true" lang="en">English</strong>' in response.text


@pytest.mark.django_db
def test_language_link_keeps_the_page_and_its_query(client):
    path = PUBLIC_PAGES["picker-village"]

    link = language_links(client.get(path))["English"]
    response = client.get(link)

    assert link == "/bahasa/en/?next=" + quote(path, safe="/")
    assert response.status_code == 302
    assert response.headers["Location"] == path
    assert html_lang(client.get(path)) == "en"


@pytest.mark.django_db
def test_switching_language_sets_the_cookie_and_goes_back(client):
    response = client.get("/bahasa/en/", {"next": "/wilayah/?province=53"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/wilayah/?province=53"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True


@pytest.mark.django_db
def test_switching_back_to_indonesian(english):
    response = english.get("/bahasa/id/", {"next": "/masuk/"})

    assert response.headers["Location"] == "/masuk/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    assert html_lang(english.get("/masuk/")) == "id"


@pytest.mark.django_db
def test_switching_without_next_goes_home(client):
    response = client.get("/bahasa/en/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/masuk/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "/\\evil.example/",
    ],
)
def test_switching_refuses_an_external_next(client, target):
    response = client.get("/bahasa/en/", {"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_unknown_language_is_404_and_sets_nothing(client):
    response = client.get("/bahasa/xx/", {"next": "/masuk/"})

    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_language_switch_is_get_only(client):
    response = client.post("/bahasa/en/")

    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- weight -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
@pages
def test_public_page_fits_one_round_trip(client, path, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    body = response.content

    compressed = served_size(response)

    print(f"page weight {language} {path}: {len(body)} bytes raw, {compressed} bytes served")
    assert compressed <= PAGE_BUDGET_GZIP_BYTES


# --- security headers and scripts -------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pages
@pytest.mark.django_db
def test_public_page_has_no_script(client, path):
    response = client.get(path)
    page = parse(response)

    assert "<script" not in response.text.lower()
    assert page.tags("script") == []
    handlers = [
        name for _tag, attributes in page.start_tags for name in attributes if name.startswith("on")
    ]
    assert handlers == []
    assert "'unsafe-inline'" not in csp_directives(response)["script-src"]


def style_hash(css: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


@pages
@pytest.mark.django_db
def test_inline_css_is_allowed_by_its_hash(client, path):
    response = client.get(path)
    page = parse(response)

    style_src = csp_directives(response)["style-src"]
    blocks = re.findall(r"<style>(.*?)</style>", response.text, flags=re.DOTALL)
    assert blocks
    assert len(blocks) == len(page.tags("style"))  # every style element, none with attributes
    assert [style_hash(css) for css in blocks if style_hash(css) not in style_src] == []
    assert not [value for value in style_src if value.startswith("'nonce-")]
    assert "'unsafe-inline'" not in style_src
    # Style attributes would be blocked by the hash-based policy.
    assert [attributes for _tag, attributes in page.start_tags if "style" in attributes] == []


@pytest.mark.django_db
def test_two_responses_never_share_a_nonce(client):
    """A cached page is the same bytes for every visitor: it must not hold a nonce, which
    would then be everybody's. The policy carries none either; it is the same for every
    response."""
    store = make_store()
    paths = ["/", "/bbi/", store.get_absolute_url(), store.products.first().get_absolute_url()]
    for path in paths:
        first, second = client.get(path), client.get(path)
        assert first.status_code == second.status_code == 200
        for response in (first, second):
            assert "nonce" not in response.text
            assert "nonce-" not in response["Content-Security-Policy"]
        assert first["Content-Security-Policy"] == second["Content-Security-Policy"]


def test_every_inlined_file_is_in_the_policy():
    """A template can only inline a file the policy hashes: the tag refuses any other."""
    used = set()
    for template in Path(settings.BASE_DIR, "tumbuh").rglob("templates/**/*.html"):
        used |= set(re.findall(r'inline_style "([^"]+)"', template.read_text()))
    assert used == set(settings.TUMBUH_INLINE_STYLES)
    with pytest.raises(ValueError, match="TUMBUH_INLINE_STYLES"):
        inline_styles.text("css/console.css")


@pages
@pytest.mark.django_db
def test_public_page_has_no_external_stylesheet(client, path):
    page = parse(client.get(path))

    assert [link for link in page.tags("link") if "stylesheet" in (link.get("rel") or "")] == []
    embedded = {"iframe", "object", "embed", "frame"}
    assert [tag for tag, _attributes in page.start_tags if tag in embedded] == []


# --- accessibility ----------------------------------------------------------------------------


@pages
@pytest.mark.django_db
def test_every_form_control_has_a_label(client, path):
    page = parse(client.get(path))

    unlabelled = [
        control
        for control in page.controls
        if control.get("type") not in {"hidden", "submit"}
        and (not control.get("id") or control["id"] not in page.label_targets)
    ]
    assert unlabelled == []
    ids = [attributes.get("id") for _tag, attributes in page.start_tags if attributes.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique for labels to point at one control"
    assert set(page.label_targets) <= set(ids), "a label points at no control"


@pytest.mark.django_db
def test_the_pages_have_the_form_controls_they_should(client):
    """So the label test above does not pass vacuously."""
    login = parse(client.get(PUBLIC_PAGES["login"]))
    picker = parse(client.get(PUBLIC_PAGES["picker-village"]))

    assert [control.get("name") for control in login.controls] == [
        "csrfmiddlewaretoken",
        "username",
        "password",
        "next",
    ]
    assert [control.get("name") for control in picker.controls] == [
        "province",
        "regency",
        "district",
        "village",
        "q",
    ]


@pages
@pytest.mark.django_db
def test_headings_start_with_one_h1_and_skip_no_level(client, path):
    levels = [level for level, _text in parse(client.get(path)).headings]

    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))


@pages
@pytest.mark.django_db
def test_public_page_has_a_skip_link_and_a_viewport(client, path):
    page = parse(client.get(path))

    assert page.links[0] == ({"class": "skip", "href": "#main"}, page.links[0][1])
    assert [m for m in page.tags("meta") if m.get("name") == "viewport"] != []
    assert [m["id"] for m in page.tags("main")] == ["main"]


# --- what the pages say -----------------------------------------------------------------------


@pytest.mark.django_db
def test_picker_shows_the_chosen_village(client):
    response = client.get(PUBLIC_PAGES["picker-village"])

    assert response.status_code == 200
    summary = re.sub(r"\s+", " ", response.text)
    assert 'Namosain <span class="muted">53.71.01.1001</span>' in summary
    assert "<dd>Alak</dd>" in summary
    assert "<dd>Kota Kupang</dd>" in summary
    assert "<dd>85232</dd>" in summary


@pytest.mark.django_db
def test_search_lists_matching_regions(client):
    response = client.get(PUBLIC_PAGES["search"])

    links = {text: attributes["href"] for attributes, text in parse(response).links}
    assert links["Kota Kupang"] == "/wilayah/?regency=53.71"
    assert links["Kabupaten Kupang"] == "/wilayah/?regency=53.01"


@pytest.mark.django_db
def test_search_results_are_capped_at_twenty(client):
    response = client.get(PUBLIC_PAGES["search-many"])

    results = [href for attributes, _text in parse(response).links
               if (href := attributes["href"]).startswith("/wilayah/?")]  # fmt: skip
    assert len(results) == 20


# --- health and the console's door ------------------------------------------------------------


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "no-cache" in response.headers["Cache-Control"]


CONSOLE_PAGES = [
    "/konsol/",
    "/konsol/organisasi/",
    "/konsol/organisasi/{organisation}/",
    "/konsol/kawasan/",
    "/konsol/kawasan/{area}/",
    "/konsol/kawasan/{area}/ubah/",
    "/konsol/wilayah/",
    "/konsol/wilayah/?province=53",
]


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", CONSOLE_PAGES)
def test_console_pages_need_sign_in(client, ministry, pattern):
    area = PriorityArea.objects.order_by("slug").first()
    path = pattern.format(organisation=ministry.slug, area=area.slug if area else "contoh")

    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk/?next=" + quote(path, safe="/")


@pytest.mark.django_db
def test_console_page_after_sign_in_in_indonesian(client_of, national_admin):
    client = client_of(national_admin)

    response = client.get("/konsol/", headers={"accept-language": "en"})

    assert response.status_code == 200
    assert html_lang(response) == "id"
    assert "Ratna Admin" in response.text


def test_no_template_has_a_style_attribute():
    """The policy allows inline CSS by hash only: a style attribute would be blocked (and the
    smoke crawl's csp rule would fail the page)."""
    found = [
        str(template)
        for template in Path(settings.BASE_DIR, "tumbuh").rglob("templates/**/*.html")
        if re.search(r"\sstyle=", template.read_text())
    ]
    assert found == []
