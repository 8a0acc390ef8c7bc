"""Shared test fixtures: real regions for a few provinces, and persona users.

The session loads the real shipped data for three provinces (Jawa Barat 32, Nusa Tenggara Timur
53 and Papua 91) once; every test then runs in a transaction that is rolled back. Tests that
need the whole country load it themselves. Personas follow the DESIGN: a national ministry
admin, and officers of two provinces who must never see each other's records. The browser tests
share one set of Playwright fixtures (``browser``, ``live_regions``, ``new_context``, ``new_page``).
"""

import itertools

import pytest
from django.db import connection

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation, User
from tumbuh.core.tests.browser import launch, unavailable
from tumbuh.regions.services import load_regions

TEST_PROVINCES = ["32", "53", "91"]

# Real villages of the test provinces: Dayeuhkolot (Kab. Bandung, Jawa Barat), Namosain (Kota
# Kupang, NTT), Sentani Kota (Kab. Jayapura, Papua).
DAYEUHKOLOT = "32.04.12.2002"
NAMOSAIN = "53.71.01.1001"
SENTANI_KOTA = "91.03.01.1001"
PASSWORD = "kata-sandi-uji-123"

_numbers = itertools.count(1)


def pytest_configure(config):
    """Tests hash passwords with a fast hasher: thousands of test users, none of them real."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One cache per test process (the file cache of var/ would be shared with other runs).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the database is rolled back, so must the pages
    and page versions cached from it be, and the regions read once per process."""
    from django.core.cache import cache

    from tumbuh.regions.queries import forget_cached_names

    cache.clear()
    forget_cached_names()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_regions(provinces=TEST_PROVINCES)


def ensure_regions() -> None:
    """Reload the test provinces after a transactional test flushed the database."""
    from tumbuh.regions.models import Province

    if not Province.objects.exists():
        load_regions(provinces=TEST_PROVINCES)


@pytest.fixture
def regions_after_flush(transactional_db):
    """A transactional test (threads with their own connections) with the test provinces, and
    the provinces back after it: the flush at the end of such a test empties every table."""
    ensure_regions()
    yield
    ensure_regions()


# --- builders ---------------------------------------------------------------------------------


def make_organisation(*, kind=Organisation.Kind.PROVINCIAL_OFFICE, region_code="", name=None):
    number = next(_numbers)
    return account_services.create_organisation(
        name=name or f"Organisation {number}",
        kind=kind,
        region_code=region_code,
        slug=f"organisation-{number}",
        by=account_services.system_actor(),
    )


def make_user(*, organisation=None, role=Membership.Role.OFFICER, region_code=None, **fields):
    number = next(_numbers)
    fields.setdefault("email", f"person{number}@example.id")
    fields.setdefault("full_name", f"Person {number}")
    user = User.objects.create_user(password=PASSWORD, **fields)
    if organisation is not None:
        account_services.grant_membership(
            user=user,
            organisation=organisation,
            role=role,
            region_code=region_code,
            by=account_services.system_actor(),
        )
    return user


def make_enterprise(name: str = "Usaha Uji", village: str = DAYEUHKOLOT, **fields):
    """A registry business in a real village of the test provinces (``kind``, ``scale``,
    ``phone_masked``... as keywords)."""
    from tumbuh.registry.models import Enterprise

    return Enterprise.objects.create(name=name, village_id=village, **fields)


def make_owner(enterprise, **fields):
    """A login that acts for ``enterprise`` as its owner (seller pages, self-assessment)."""
    from tumbuh.registry.services import link_account

    user = make_user(**fields)
    link_account(user=user, enterprise=enterprise, by=account_services.system_actor())
    return user


def make_store(
    name=None,
    *,
    enterprise=None,
    village=DAYEUHKOLOT,
    kind="umkm",
    live=True,
    opening_product=True,
    by=None,
    **fields,
):
    """A store opened through the stores services, by ``by`` or else the system actor (live by
    default, paying by cash and QRIS); a new business (``village``, ``kind``) unless
    ``enterprise`` is given. ``fields`` are then set on the store row (a test's own options).

    A store goes live only with a product on sale: a live store gets one first, "Produk
    Pembuka", which the tests that count products take into account. With
    ``opening_product=False`` that product is deleted once the store is live (it was never
    ordered), for tests that list exact products (the catalogue's).
    """
    from tumbuh.accounts.services import system_actor
    from tumbuh.stores import pages
    from tumbuh.stores.models import Store
    from tumbuh.stores.services import shop
    from tumbuh.stores.tests.builders import STATIC_QRIS

    number = next(_numbers)
    by = by or system_actor()
    enterprise = enterprise or make_enterprise(f"Usaha Toko {number}", village, kind=kind)
    store = shop.start_store(enterprise=enterprise, name=name or f"Toko {number}", by=by)
    shop.set_store_payments(
        store=store,
        whatsapp=fields.pop("whatsapp", "0812-3456-7890"),
        accepts_cod=True,
        accepts_transfer=False,
        accepts_qris=True,
        qris_payload=STATIC_QRIS,
        by=by,
    )
    if fields:
        Store.objects.filter(pk=store.pk).update(**fields)
        pages.stores_changed([store.pk])
        store.refresh_from_db()
    if live:
        opening = shop.create_product(
            store=store, title="Produk Pembuka", price_idr=15_000, stock=10, by=by
        )
        shop.publish_store(store=store, by=by)
        if not opening_product:
            opening.delete()
    return store


# --- personas ---------------------------------------------------------------------------------


@pytest.fixture
def ministry(db):
    return make_organisation(kind=Organisation.Kind.MINISTRY, name="Kementerian")


@pytest.fixture
def national_admin(ministry):
    return make_user(organisation=ministry, role=Membership.Role.ADMIN, full_name="Ratna Admin")


@pytest.fixture
def office_32(db):
    return make_organisation(region_code="32", name="Dinas Jawa Barat")


@pytest.fixture
def office_53(db):
    return make_organisation(region_code="53", name="Dinas Nusa Tenggara Timur")


@pytest.fixture
def officer_32(office_32):
    return make_user(organisation=office_32, full_name="Dedi Jabar")


@pytest.fixture
def officer_53(office_53):
    return make_user(organisation=office_53, full_name="Maria NTT")


@pytest.fixture
def mentor_32(office_32):
    """A mentor (a login with the mentor role) of the Jawa Barat office."""
    return make_user(
        organisation=office_32, role=Membership.Role.MENTOR, full_name="Siti Pendamping"
    )


@pytest.fixture
def mentor_53(office_53):
    """A mentor of the Nusa Tenggara Timur office."""
    return make_user(
        organisation=office_53, role=Membership.Role.MENTOR, full_name="Yohanes Pendamping"
    )


@pytest.fixture
def client_of(client):
    """``client_of(user)``: the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# The queries of a capped count (core.keyset.capped_count) of a list longer than a page: on
# PostgreSQL the planner's estimate, then the count in a savepoint with a time limit set and
# reset (six); on SQLite the count.
COUNT_QUERIES = 6 if connection.vendor == "postgresql" else 1


@pytest.fixture
def query_count():
    """``with query_count() as queries: ...`` then ``len(queries)``."""
    from django.test.utils import CaptureQueriesContext

    return lambda: CaptureQueriesContext(connection)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language (Indonesian), whatever the previous one used."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def english(client):
    """English for the test's duration, so assertions read the msgids whatever the catalogues
    say: ``gettext`` in the test, and the pages the test client fetches (the language switch's
    cookie). Returns the client. A module that runs wholly in English says so with
    ``pytestmark = pytest.mark.usefixtures("english")``."""
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture(autouse=True)
def payment_sandbox(settings, tmp_path_factory):
    """The payment sandbox keeps its charges in files (shared by a server's processes); each
    test gets its own, as it gets its own database, so no charge outlives the test's orders."""
    settings.TUMBUH_PAYMENT_SANDBOX_DIR = str(tmp_path_factory.mktemp("payment-sandbox"))


@pytest.fixture(autouse=True)
def upload_dirs(settings, tmp_path_factory):
    """Uploads of each test go to its own public and private directories, never to var/."""
    uploads = tmp_path_factory.mktemp("uploads")
    settings.MEDIA_ROOT = uploads / "media"
    settings.PRIVATE_MEDIA_ROOT = uploads / "private"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background tasks run at once in tests (no worker process): on commit, like in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# --- browser tests ----------------------------------------------------------------------------
#
# One browser per module; each test gets its own contexts (cookies, JavaScript on or off). The
# live server runs on a transactional database that is flushed after every test, so each test
# reloads the test provinces first (``live_regions``), and the module reloads them once more when
# it is done, for the tests that run after it. Modules of browser tests declare
# ``pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]``: fixtures named
# by ``usefixtures`` are set up before those a test asks for, so the regions are there before any
# fixture builds the test's data.

BROWSER_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser(django_db_blocker):
    """The system Chromium (see tumbuh/core/tests/browser.py), one per module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    # Playwright's sync API runs an event loop in the test thread, so Django's async-safety
    # check would refuse the tests' own ORM calls (builders, fixtures). Allowed only while the
    # browser runs: the variable must not leak to other tests or to the commands they start
    # (`check --deploy` rejects it).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = launch(playwright)
        yield chromium
        chromium.close()
    # The last transactional test flushed the database: give the later modules their regions.
    with django_db_blocker.unblock():
        ensure_regions()


@pytest.fixture
def live_regions(live_server, transactional_db):
    """The test provinces, reloaded after the previous browser test flushed them."""
    ensure_regions()


@pytest.fixture
def new_context(browser, live_server):
    """``new_context(**context_options)``: a fresh context on the live server; closed after the
    test."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context):
    """``new_page(**context_options)``: a page in a fresh context; closed after the test."""

    def open_page(**options):
        return new_context(**options).new_page()

    return open_page
