"""What a backup holds, and what ``create`` and ``restore`` share: the format and its refusal
codes, the data key's fingerprint, the state of a database (applied migrations, counts of the
main tables), the PostgreSQL tools, the local upload folders and the audit event."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import sqlite3
import subprocess
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.utils.translation import gettext as _

from tumbuh.core.money import local_number
from tumbuh.core.refusals import Refused

FORMAT = "tumbuh-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_MEMBER = {"public": "media/public/", "private": "media/private/"}
# The tables counted in the manifest and again after a restore: enough to see that a restore
# brought back the people, the businesses and the trade, cheap to count on a large database.
MAIN_TABLES = [
    "accounts.User",
    "accounts.Organisation",
    "regions.Village",
    "registry.Enterprise",
    "registry.Person",
    "programmes.Enrolment",
    "stores.Store",
    "stores.Product",
    "stores.Order",
    "core.AuditEvent",
]
REQUIRED_KEYS = {"created_at", "engine", "database", "migrations", "counts", "media"}
FINGERPRINT_TEXT = b"tumbuh backup: the data key of this backup, v1"
# gzip's fastest level: the demo's SQLite database (104 MB) becomes 38.5 MB in 2.6 s, where level
# 6 gives 35.5 MB in 6.6 s; a PostgreSQL custom dump and photos are compressed already.
COMPRESSLEVEL = 1


class BackupError(StrEnum):
    """Why a backup or a restore was refused (or, for ``COUNTS_DIFFER``, why it failed)."""

    NO_FILE = "no_file"
    NOT_A_BACKUP = "not_a_backup"
    UNSUPPORTED_FORMAT = "unsupported_format"
    DAMAGED = "damaged"
    ENGINE_MISMATCH = "engine_mismatch"
    DATA_KEY_MISMATCH = "data_key_mismatch"
    NEWER_SCHEMA = "newer_schema"
    NOT_CONFIRMED = "not_confirmed"
    UNSUPPORTED_ENGINE = "unsupported_engine"
    NO_DATABASE = "no_database"
    TOOL_MISSING = "tool_missing"
    TOOL_FAILED = "tool_failed"
    COUNTS_DIFFER = "counts_differ"


def data_key_fingerprint(key: str | None = None) -> str:
    """An HMAC-SHA256 of a fixed text keyed with the data key: equal for equal keys, and it does
    not reveal the key (32 random bytes) it was made with."""
    key = settings.TUMBUH_DATA_KEY if key is None else key
    return hmac.new(key.encode(), FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def database_engine() -> str:
    """``sqlite`` or ``postgresql``, the configured database; any other is refused."""
    if connection.vendor not in DATABASE_MEMBER:
        raise Refused(
            BackupError.UNSUPPORTED_ENGINE,
            _("Backups cover SQLite and PostgreSQL; this database is %(engine)s.")
            % {"engine": connection.vendor},
        )
    return connection.vendor


# --- the state of a database --------------------------------------------------------------------


def main_tables() -> dict[str, str]:
    """Model label → table name, for the main tables of the installed apps."""
    tables = {}
    for label in MAIN_TABLES:
        app_label, _sep, model_name = label.partition(".")
        if apps.is_installed(f"tumbuh.{app_label}"):
            tables[label] = apps.get_model(app_label, model_name)._meta.db_table
    return tables


def database_state(cursor, table_names: set[str]) -> tuple[dict[str, list[str]], dict]:
    """The applied migrations (app → names, in the order applied) and the main tables' counts,
    read through ``cursor`` (SQLite's or Django's; both take ``"quoted"`` names)."""
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in table_names:
        cursor.execute('SELECT app, name FROM "django_migrations" ORDER BY id')
        for app_label, name in cursor.fetchall():
            migrations.setdefault(app_label, []).append(name)
    counts: dict[str, int | None] = {}
    for label, table in main_tables().items():
        if table not in table_names:
            counts[label] = None
            continue
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - a model's own table
        counts[label] = cursor.fetchone()[0]
    return migrations, counts


def current_state() -> tuple[dict[str, list[str]], dict]:
    with connection.cursor() as cursor:
        return database_state(cursor, set(connection.introspection.table_names(cursor)))


def sqlite_file_state(path: Path) -> tuple[dict[str, list[str]], dict]:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = database.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return database_state(cursor, {name for (name,) in cursor.fetchall()})
    finally:
        database.close()


def sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise Refused(
            BackupError.NO_DATABASE,
            _("The SQLite database is not a file (%(name)s).") % {"name": name or "''"},
        )
    return Path(name)


def postgres_tool(name: str) -> tuple[str, dict[str, str]]:
    """The path of ``pg_dump`` or ``pg_restore`` and the environment that connects it to the
    configured database (the password travels in the environment, never on the command line)."""
    program = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/lib/postgresql/bin")
    if program is None:
        raise Refused(
            BackupError.TOOL_MISSING,
            _("%(program)s is not installed (Debian: apt-get install postgresql-client).")
            % {"program": name},
        )
    settings_dict = connection.settings_dict
    _arguments, extra = connection.client.settings_to_cmd_args_env(settings_dict, [])
    environment = {**os.environ, **(extra or {})}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    return program, environment


def run_tool(arguments: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - pg_dump/pg_restore with our own arguments
        arguments, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise Refused(
            BackupError.TOOL_FAILED,
            _("%(program)s failed: %(error)s")
            % {"program": Path(arguments[0]).name, "error": result.stderr.strip()[-2000:]},
        )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def media_label(kind: str) -> str:
    """ "Public uploads" or "Private uploads", in the active language."""
    return _("Public uploads") if kind == "public" else _("Private uploads")


def local_media() -> dict[str, Path | None]:
    """The folder of each upload storage kept on this machine; None for one elsewhere (S3)."""
    folders = {}
    for kind, alias in (("public", "default"), ("private", "private")):
        storage = storages[alias]
        folders[kind] = Path(storage.location) if isinstance(storage, FileSystemStorage) else None
    return folders


def record(*, by, action: str, created_at: str, data: dict) -> None:
    """The audit event of a backup or a restore. No row is its target (the whole database is),
    so the event names the backup by the time it was made."""
    from tumbuh.core.models import AuditEvent

    AuditEvent.objects.create(
        actor=by, action=action, target_type="backup", target_id=created_at, data=data
    )


def counts_lines(counts: dict, found: dict | None = None) -> list[str]:
    lines = []
    width = max(map(len, counts), default=0)
    for label, count in counts.items():
        shown = "-" if count is None else local_number(count)
        if found is None:
            lines.append(f"  {label:<{width}}  {shown:>10}")
        else:
            again = found.get(label)
            mark = "ok" if again == count else _("DIFFERS")
            again_shown = "-" if again is None else local_number(again)
            lines.append(f"  {label:<{width}}  {shown:>10}  {again_shown:>10}  {mark}")
    return lines
