"""Settings for Tumbuh, all read from the environment in this one module.

With no environment at all, Tumbuh runs embedded: SQLite in ``var/``, a secret key generated into
``var/``, DEBUG on. Production sets ``DEBUG=0``, ``SECRET_KEY``, ``DATABASE_URL`` and
``ALLOWED_HOSTS``; ``tumbuh check --deploy`` then reports nothing. See docs/operations.md.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


VAR_DIR = Path(env_str("TUMBUH_VAR_DIR", str(BASE_DIR / "var"))).resolve()
DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when DEBUG is off "
            "(generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # The embedded default keeps a generated key in var/, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _data_key() -> str:
    """The key that encrypts personal data (NIK, phone) at rest and keys their matching hashes.

    Separate from SECRET_KEY so that rotating session secrets never makes stored NIKs unreadable.
    32 random bytes, base64. Generated into var/ for the embedded default; required otherwise.
    """
    key = env_str("TUMBUH_DATA_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "TUMBUH_DATA_KEY must be set in the environment when DEBUG is off (generate one with: "
            "python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')."
        )
    path = VAR_DIR / "data_key"
    if not path.exists():
        import base64

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


TUMBUH_DATA_KEY = _data_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Lower rows never import higher rows (see DESIGN.md).
    "tumbuh.core",
    "tumbuh.accounts",
    "tumbuh.regions",
    "tumbuh.registry",
    "tumbuh.capability",
    "tumbuh.programmes",
    "tumbuh.licensing",
    "tumbuh.stores",
    "tumbuh.catalogue",
    "tumbuh.supply",
    "tumbuh.connectivity",
    "tumbuh.dashboards",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "axes",  # sign-in lockout (tumbuh/accounts/lockout.py)
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search and trigram lookups of the catalogue on PostgreSQL
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, precompressed (gzip)
    "tumbuh.core.middleware.CompressionMiddleware",  # HTML and other text; before body readers
    "tumbuh.core.middleware.InputGuardMiddleware",  # NULs and over-long values never reach a view
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tumbuh.core.middleware.LanguageMiddleware",
    "tumbuh.core.page_cache.PageCacheMiddleware",  # kept public pages, before everything below
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tumbuh.core.inline_styles.ContentSecurityPolicyMiddleware",  # CSP with inline CSS hashes
    "axes.middleware.AxesMiddleware",  # answers a locked-out sign-in (last, as axes asks)
]

ROOT_URLCONF = "tumbuh.urls"
WSGI_APPLICATION = "tumbuh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tumbuh" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tumbuh.accounts.navigation.console_sections",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
# The embedded default is a SQLite file in var/ in WAL mode, with immediate transactions (writers
# queue instead of failing with "database is locked") and a busy timeout.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
    ),
}
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tumbuh.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_SQLITE_NAME") or None}
    # The registry's region indexes also hold the village code on PostgreSQL (INCLUDE, for
    # index-only reads); SQLite has no such columns and builds the same indexes without it.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the planner starts it for a query it expects to be long, and at 30 M
    # businesses it misjudges page-sized reads (a province's list filtered on a milestone:
    # p50 47-50 ms without, 64-73 with; docs/scale.md). Set per session, so a long report
    # that gains from it may turn it back on.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"-c jit=off {options.get('options', '')}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before any check
    "tumbuh.accounts.backends.EmailOrPhoneBackend",
]
# Lockout after wrong passwords (tumbuh/accounts/lockout.py): per account and per address.
AXES_FAILURE_LIMIT = env_int("TUMBUH_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("TUMBUH_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "tumbuh.accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "tumbuh.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "tumbuh.accounts.lockout.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept
AXES_VERBOSE = False  # its log lines would name the login as typed
# Reverse proxies in front of the app that append to X-Forwarded-For (docs/operations.md).
TUMBUH_PROXY_COUNT = env_int("TUMBUH_PROXY_COUNT", 0 if DEBUG else 1)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:console-home"
# Where people's work is, for the landing after sign-in and the console home: the one registry
# of work, a function ``work_for(user, held)`` per higher app (see tumbuh/accounts/work.py). The
# order breaks ties between equally specific work.
WORK_PROVIDERS = [
    "tumbuh.capability.work.work_for",
    "tumbuh.programmes.work.work_for",
    "tumbuh.licensing.work.work_for",
    "tumbuh.stores.work.work_for",
    "tumbuh.supply.work.work_for",
    "tumbuh.dashboards.work.work_for",
]
# Cross-app hooks (tumbuh/core/hooks.py): a lower app calls the functions higher apps list here,
# explicitly and in order; nothing registers itself on import. Listed in docs/architecture.md.
# A milestone reached anywhere (registry.services.record_milestone): fn(*, milestone, by).
MILESTONE_HANDLERS = ["tumbuh.programmes.services.complete_on_milestone"]
# Next steps after an assessment (capability.nextsteps): fn(enterprise, weakest_pillars).
OFFER_SOURCES = ["tumbuh.programmes.offers.cohort_offers"]
# Who a mentor without a programme role may assess (capability.queries.may_assess), all must
# agree; with none listed, such a mentor may assess nobody: fn(user, enterprise).
CASELOAD_CHECKS = ["tumbuh.programmes.mentor.caseload.mentor_may_assess"]
# The businesses a partner organisation brought, serves or mentors (accounts.scoping, what its
# staff see; docs/permissions.md): fn(organisation_id) -> a queryset of enterprise ids. With
# none listed, partner staff see no business.
PARTNER_BUSINESSES = [
    "tumbuh.registry.queries.brought_by",
    "tumbuh.programmes.queries.served_by",
    "tumbuh.programmes.queries.mentored_by",
]
# How many businesses of a region × kind × scale × milestone a figure kept elsewhere holds, and
# as of when (registry.queries.list_count, for lists too long to count on every page):
# fn(region_code, *, kind, scale, milestone) -> (count, as_of) | None.
REGISTRY_COUNTS = ["tumbuh.dashboards.queries.registry_count"]
# The kinds of record the mentor app's offline queue carries (programmes.mentor.sync.kinds), each
# with the function that applies it: fn(*, user, record, memo, **extra) -> Result.
MENTOR_SYNC_KINDS = {
    "attendance": "tumbuh.programmes.mentor.handlers.apply_attendance",
    "visit_note": "tumbuh.programmes.mentor.handlers.apply_visit_note",
    "assessment": "tumbuh.programmes.mentor.handlers.apply_assessment",
    "signal_check": "tumbuh.connectivity.signal_checks.apply_signal_check",
    "supply_link": "tumbuh.supply.mentor.apply_supply_link",
}
# Panels of higher apps on a business's console page (registry's enterprise detail):
# fn(*, enterprise, user) -> a rendered panel (HTML) or None.
ENTERPRISE_PANELS = ["tumbuh.supply.panels.enterprise_panel"]

LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tumbuh" / "locale"]
LANGUAGE_COOKIE_NAME = "bahasa"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "tumbuh" / "static"]
# Uploads (see tumbuh/core/storage.py): public media (product photos) under content-hashed names,
# served for a year; private uploads (sign-in sheets, halal visit photos, partner files) apart,
# only through views that check the viewer. "local": var/media and var/private, the app serves
# /media/ (or the reverse proxy does, docs/operations.md); "s3": two S3-compatible buckets
# through django-storages (`uv sync --extra s3`), imported only then.
TUMBUH_MEDIA_STORAGE = env_str("TUMBUH_MEDIA_STORAGE", "local")
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("TUMBUH_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
if TUMBUH_MEDIA_STORAGE == "local":
    MEDIA_STORAGES = {
        "default": {"BACKEND": "tumbuh.core.storage.PublicFileSystemStorage"},
        "private": {"BACKEND": "tumbuh.core.storage.PrivateFileSystemStorage"},
    }
elif TUMBUH_MEDIA_STORAGE == "s3":
    # Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (read by
    # django-storages and boto3 themselves).
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE") or None
    MEDIA_STORAGES = {
        "default": {
            "BACKEND": "tumbuh.core.storage_s3.PublicS3Storage",
            "OPTIONS": {
                "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
                "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
                "default_acl": env_str("AWS_DEFAULT_ACL") or None,
                "querystring_auth": False,
                "file_overwrite": True,
            },
        },
        "private": {
            "BACKEND": "tumbuh.core.storage_s3.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": env_str("TUMBUH_PRIVATE_BUCKET_NAME"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    _buckets = [MEDIA_STORAGES[name]["OPTIONS"]["bucket_name"] for name in ("default", "private")]
    if not all(_buckets) or _buckets[0] == _buckets[1]:
        raise ImproperlyConfigured(
            "TUMBUH_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (public media) and "
            "TUMBUH_PRIVATE_BUCKET_NAME (private uploads), two different buckets."
        )
else:
    raise ImproperlyConfigured(
        f"TUMBUH_MEDIA_STORAGE must be 'local' or 's3', not {TUMBUH_MEDIA_STORAGE!r}"
    )
STORAGES = {
    **MEDIA_STORAGES,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Background tasks -------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Security ---------------------------------------------------------------------------------
# Behind the reverse proxy, which terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
# Strict by default: no inline script at all; inline critical CSS is allowed by its hash, each
# inlinable file listed below (tumbuh/core/inline_styles.py), so cached pages carry no nonce.
TUMBUH_INLINE_STYLES = [
    "css/shop.css",
    "stores/store.css",
    "stores/checkout.css",
    "catalogue/cards.css",
    "capability/pages.css",
    "programmes/mentor.css",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],  # and the hashes of TUMBUH_INLINE_STYLES
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Logging ----------------------------------------------------------------------------------
# Plain lines on stderr; the request logger never includes query strings with personal data
# because personal data never goes into URLs in the first place.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Cache (docs/operations.md) --------------------------------------------------------------------
# Shared by every server process: page versions and whole public pages (tumbuh/core/page_cache.py),
# the order rate limit. Production: Redis (TUMBUH_CACHE_URL=redis://host:6379/1). The embedded
# default: files in var/cache, shared by the processes of one machine. A per-process memory cache
# would let one process serve a page another has already changed, so it is not offered.
TUMBUH_CACHE_URL = env_str("TUMBUH_CACHE_URL")
if TUMBUH_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TUMBUH_CACHE_URL,
            "KEY_PREFIX": env_str("TUMBUH_CACHE_PREFIX", "tumbuh"),
        }
    }
elif TUMBUH_CACHE_URL:
    raise ImproperlyConfigured(
        f"TUMBUH_CACHE_URL must be a redis:// address or empty, not {TUMBUH_CACHE_URL!r}"
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": env_int("TUMBUH_CACHE_MAX_ENTRIES", 20_000)},
        }
    }
# How long a public page stays cached at most (it is keyed by versions, so never stale; this
# bounds the memory). 0 turns the page cache off.
TUMBUH_PAGE_CACHE_SECONDS = env_int("TUMBUH_PAGE_CACHE_SECONDS", 600)
# How long a console dashboard, once drawn, is shown again while the rollups move on (each fold
# of a busy registry would draw it again); the page says "as of" the figures it shows. 0 draws
# it again after every fold.
TUMBUH_DASHBOARD_REDRAW_SECONDS = env_int("TUMBUH_DASHBOARD_REDRAW_SECONDS", 60)

# --- Tumbuh -----------------------------------------------------------------------------------
TUMBUH_DEMO_SEED = env_int("TUMBUH_DEMO_SEED", 2026)

# --- Payments (docs/operations.md) ---------------------------------------------------------------
# The provider behind the "payment provider (QRIS)" method. The sandbox marks orders paid on a
# button press, so it exists only where nobody pays: with DEBUG on, or when a test deployment
# says so with TUMBUH_PAYMENT_SANDBOX=1. Without a provider, stores do not offer the method.
TUMBUH_PAYMENT_SANDBOX = env_bool("TUMBUH_PAYMENT_SANDBOX", DEBUG)
TUMBUH_PAYMENT_GATEWAY = env_str(
    "TUMBUH_PAYMENT_GATEWAY", "sandbox" if TUMBUH_PAYMENT_SANDBOX else ""
).lower()
TUMBUH_PAYMENT_EXPIRY_MINUTES = env_int("TUMBUH_PAYMENT_EXPIRY_MINUTES", 15)
TUMBUH_MIDTRANS_SERVER_KEY = env_str("TUMBUH_MIDTRANS_SERVER_KEY")
TUMBUH_MIDTRANS_CLIENT_KEY = env_str("TUMBUH_MIDTRANS_CLIENT_KEY")
# Seconds per provider call: a hanging provider never hangs a checkout.
TUMBUH_MIDTRANS_TIMEOUT_S = env_int("TUMBUH_MIDTRANS_TIMEOUT_S", 10)
TUMBUH_MIDTRANS_PRODUCTION = env_bool("TUMBUH_MIDTRANS_PRODUCTION", False)  # real money: opt in
TUMBUH_MIDTRANS_QRIS_ACQUIRER = env_str("TUMBUH_MIDTRANS_QRIS_ACQUIRER", "gopay")
if TUMBUH_PAYMENT_GATEWAY not in {"", "sandbox", "midtrans"}:
    raise ImproperlyConfigured(
        f"TUMBUH_PAYMENT_GATEWAY must be sandbox, midtrans or empty, not {TUMBUH_PAYMENT_GATEWAY!r}"
    )
if TUMBUH_PAYMENT_GATEWAY == "sandbox" and not TUMBUH_PAYMENT_SANDBOX:
    raise ImproperlyConfigured(
        "TUMBUH_PAYMENT_GATEWAY=sandbox needs DEBUG on or TUMBUH_PAYMENT_SANDBOX=1: the sandbox "
        "lets anyone mark an order paid."
    )
if TUMBUH_PAYMENT_GATEWAY == "midtrans" and not TUMBUH_MIDTRANS_SERVER_KEY:
    raise ImproperlyConfigured(
        "TUMBUH_PAYMENT_GATEWAY=midtrans needs TUMBUH_MIDTRANS_SERVER_KEY (the Midtrans server key)."
    )

# --- Owners' personal data (UU 27/2022; tumbuh/registry/personal_data.py) ----------------------
# Days the registry staff have to answer an owner's request, per kind. UU 27/2022 asks for a
# correction within 3 x 24 hours of the request (art. 30).
TUMBUH_DATA_REQUEST_DAYS = {
    "correction": env_int("TUMBUH_DATA_CORRECTION_DAYS", 3),
    "deletion": env_int("TUMBUH_DATA_DELETION_DAYS", 14),
}

# --- Orders: rate limit and payment holds (docs/stores-orders.md) ------------------------------
# At most this many order attempts per client address (accounts.lockout.client_ip) per minute,
# through the orders API and the checkout form; more answer 429. Counted in Django's cache
# (CACHES): with the default local-memory cache each server process counts on its own. 0: no limit.
TUMBUH_ORDER_RATE_PER_MINUTE = env_int("TUMBUH_ORDER_RATE_PER_MINUTE", 10)
# How long an order awaiting payment keeps its stock, per payment method, before the system
# cancels it and puts the stock back (`tumbuh expire_orders`, run every few minutes). 0: never.
# Cash on delivery never awaits payment, so it has no hold.
TUMBUH_PAYMENT_HOLD_MINUTES = {
    "qris": env_int("TUMBUH_PAYMENT_HOLD_MINUTES_QRIS", 60),
    "provider": env_int("TUMBUH_PAYMENT_HOLD_MINUTES_PROVIDER", 60),
    "transfer": env_int("TUMBUH_PAYMENT_HOLD_MINUTES_TRANSFER", 24 * 60),
}

# --- E-mail (docs/operations.md) ----------------------------------------------------------------
# Password reset links and order notices. With DEBUG on, mail is written to var/mail instead.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tumbuh <noreply@tumbuh.invalid>")
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # a reset link works for three days, once
