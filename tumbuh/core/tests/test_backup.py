"""Backup and restore (``tumbuh/backup/``): restore drills, and the refusals that change nothing.

The drills are real: ``tumbuh`` runs in subprocesses against a database of its own (a SQLite file
in a temporary ``TUMBUH_VAR_DIR``; a PostgreSQL database named for the run, created and dropped
here), because the test database may be in memory and a restore replaces a whole database. Each
drill builds data (a business whose owner's NIK is encrypted, a store whose WhatsApp number is,
uploads), backs it up, wipes the database and the uploads, restores, and checks that the same
rows are back and that the NIK still decrypts. The PostgreSQL drill is skipped only when no
PostgreSQL answers (CI has one).

The refusals are checked in this process against the test database: each comes before any
question or change, so the test database and its rows are untouched.
"""

import hashlib
import io
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tarfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from tumbuh.backup.manifest import BackupError, data_key_fingerprint
from tumbuh.backup.restore import restore_backup
from tumbuh.core.refusals import Refused
from tumbuh.core.tests.test_settings import ROOT

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # the drills' data key
OTHER_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
NIK = "3204394508800001"
PHONE = "0812-3456-7890"
# Settings the drills set themselves; the rest of this process's environment passes through.
OWN_SETTINGS = {
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "TUMBUH_DATA_KEY",
    "TUMBUH_VAR_DIR",
    "TUMBUH_MEDIA_STORAGE",
    "MEDIA_ROOT",
    "TUMBUH_PRIVATE_MEDIA_ROOT",
}
BUILD = "from tumbuh.core.tests.test_backup import build_drill_data; build_drill_data()"
DESCRIBE = (
    "import json; from tumbuh.core.tests.test_backup import describe; print(json.dumps(describe()))"
)


# --- run in the drills' subprocesses ------------------------------------------------------------


def build_drill_data() -> None:
    """Migrate the drill's database and fill it through the root builders: an office with an
    officer, a business whose owner has an encrypted NIK, a live store with an encrypted WhatsApp
    number, and a public and a private upload. Prints :func:`describe`."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from django.core.management import call_command

    from tumbuh.conftest import make_enterprise, make_organisation, make_store, make_user
    from tumbuh.core.personal import encrypt, keyed_hash, mask_nik
    from tumbuh.regions.services import load_regions
    from tumbuh.registry.models import Ownership, Person

    call_command("migrate", verbosity=0)
    load_regions(provinces=["32"])
    office = make_organisation(region_code="32", name="Dinas Jawa Barat")
    make_user(organisation=office, full_name="Dedi Jabar")
    enterprise = make_enterprise("Keripik Singkong Bu Sri")
    owner = Person.objects.create(
        full_name="Sri Wahyuni",
        nik_hash=keyed_hash("nik", NIK),
        nik_encrypted=encrypt(NIK, context="nik"),
        nik_masked=mask_nik(NIK),
    )
    Ownership.objects.create(enterprise=enterprise, person=owner)
    make_store(enterprise=enterprise, whatsapp=PHONE)
    storages["default"].save("uji/foto.txt", ContentFile(b"foto produk"))
    storages["private"].save("uji/lembar-hadir.txt", ContentFile(b"lembar hadir"))
    print(json.dumps(describe()))


def describe() -> dict:
    """What a restore must bring back: the main tables' counts, the owner's NIK and the store's
    WhatsApp number decrypted with the configured key, the uploads, and the backup events."""
    from django.apps import apps
    from django.core.files.storage import storages

    from tumbuh.backup.manifest import MAIN_TABLES
    from tumbuh.core.models import AuditEvent
    from tumbuh.core.personal import decrypt, keyed_hash
    from tumbuh.registry.models import Person
    from tumbuh.stores.models import Store

    owner = Person.objects.filter(nik_hash=keyed_hash("nik", NIK)).first()
    store = Store.objects.first()
    uploads = {}
    for alias in ("default", "private"):
        root = Path(storages[alias].location)
        found = root.rglob("*") if root.is_dir() else []
        uploads[alias] = sorted(
            f"{path.relative_to(root).as_posix()}:{path.read_bytes().decode()}"
            for path in found
            if path.is_file()
        )
    return {
        "counts": {label: apps.get_model(label)._base_manager.count() for label in MAIN_TABLES},
        "nik": decrypt(owner.nik_encrypted, context="nik") if owner else None,
        "whatsapp": store.whatsapp_number() if store else None,
        "uploads": uploads,
        "events": sorted(
            AuditEvent.objects.filter(action__startswith="backup.").values_list("action", flat=True)
        ),
    }


# --- helpers ------------------------------------------------------------------------------------


def tumbuh(*arguments: str, env: dict) -> subprocess.CompletedProcess:
    """``tumbuh <arguments>`` in a subprocess with the drills' data key, never a terminal on its
    standard input (so ``restore`` cannot ask), and ``env`` for the database."""
    environment = {key: value for key, value in os.environ.items() if key not in OWN_SETTINGS}
    environment.update(DJANGO_SETTINGS_MODULE="tumbuh.settings", TUMBUH_DATA_KEY=KEY, **env)
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )


def shell(code: str, *, env: dict) -> dict:
    result = tumbuh("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def members(path: Path) -> tuple[list[str], dict, bytes]:
    """The member names of a backup, its manifest and its database member's bytes."""
    with tarfile.open(path) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
        database = archive.extractfile(manifest["database"]["member"]).read()
    return names, manifest, database


def write_backup(path: Path, manifest: dict, database: bytes, *, member_name=None) -> Path:
    """A backup file written by hand (a forged or damaged one, for the refusals)."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in (
            ("manifest.json", json.dumps(manifest).encode()),
            (member_name or manifest["database"]["member"], database),
        ):
            member = tarfile.TarInfo(name)
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
    return path


def after_restore(before: dict) -> dict:
    """What describe() finds after a whole restore: what the backup held, plus the restore's own
    audit event (the backup's event came after its snapshot, so it is not in the backup)."""
    counts = {**before["counts"], "core.AuditEvent": before["counts"]["core.AuditEvent"] + 1}
    return {**before, "counts": counts, "events": ["backup.restored"]}


def check_backup_file(path: Path, before: dict, *, engine: str) -> dict:
    """The backup file is owner-only and holds the manifest first, the database (with the NIK
    only encrypted) and both uploads; the manifest counted what the database held, and carries
    the data key's fingerprint but not the key."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    names, manifest, database = members(path)
    member = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[engine]
    assert names[0] == "manifest.json"
    assert sorted(names[1:]) == sorted(
        [member]
        + [f"media/public/{name.partition(':')[0]}" for name in before["uploads"]["default"]]
        + [f"media/private/{name.partition(':')[0]}" for name in before["uploads"]["private"]]
    )
    assert manifest["format"] == "tumbuh-backup"
    assert manifest["format_version"] == 1
    assert manifest["engine"] == engine
    assert manifest["counts"] == before["counts"]
    assert manifest["database"]["sha256"] == hashlib.sha256(database).hexdigest()
    assert manifest["data_key_fingerprint"] == data_key_fingerprint(KEY)
    assert KEY not in json.dumps(manifest)
    assert "0001_initial" in manifest["migrations"]["registry"]
    assert manifest["media"]["private"] == {
        "included": True,
        "storage": "local",
        "files": 1,
        "bytes": len(b"lembar hadir"),
    }
    assert NIK.encode() not in database
    return manifest


# --- the drills ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    """A SQLite drill database in its own TUMBUH_VAR_DIR, filled and backed up (into a folder,
    so the file gets a dated name): (env, backup file, what it held)."""
    var = tmp_path_factory.mktemp("drill") / "var"
    env = {"TUMBUH_VAR_DIR": str(var)}
    before = shell(BUILD, env=env)
    backups = var.parent / "backups"
    backups.mkdir()
    made = tumbuh("backup", str(backups), env=env)
    assert made.returncode == 0, made.stderr
    [path] = backups.iterdir()
    return env, path, before


def test_sqlite_restore_drill(sqlite_backup):
    env, path, before = sqlite_backup
    assert before["nik"] == NIK
    assert before["whatsapp"] == "+6281234567890"
    assert before["counts"]["registry.Person"] == before["counts"]["stores.Store"] == 1
    assert before["events"] == []
    assert path.name.startswith("tumbuh-") and path.name.endswith(".tar.gz")
    check_backup_file(path, before, engine="sqlite")
    database = Path(env["TUMBUH_VAR_DIR"]) / "tumbuh.sqlite3"

    # Without --yes (and no terminal to ask on), a database with tables is not replaced.
    unchanged = sha256(database)
    refused = tumbuh("restore", str(path), env=env)
    assert refused.returncode == 1
    assert f"[{BackupError.NOT_CONFIRMED}]" in refused.stderr
    assert sha256(database) == unchanged

    # A damaged backup (the database member differs from the manifest's checksum) is refused
    # before anything is replaced, even with --yes.
    _names, manifest, content = members(path)
    content = content[:100] + bytes([content[100] ^ 0xFF]) + content[101:]
    damaged = write_backup(path.with_name("damaged.tar.gz"), manifest, content)
    refused = tumbuh("restore", "--yes", str(damaged), env=env)
    assert refused.returncode == 1
    assert f"[{BackupError.DAMAGED}]" in refused.stderr
    assert sha256(database) == unchanged

    # Wipe: every table emptied (Django's flush), the uploads deleted.
    shutil.rmtree(Path(env["TUMBUH_VAR_DIR"]) / "media")
    shutil.rmtree(Path(env["TUMBUH_VAR_DIR"]) / "private")
    wiped = shell(
        f"from django.core.management import call_command; call_command('flush', interactive=False); {DESCRIBE}",
        env=env,
    )
    assert wiped["counts"]["registry.Person"] == wiped["counts"]["accounts.User"] == 0
    assert wiped["nik"] is None and wiped["uploads"] == {"default": [], "private": []}

    restored = tumbuh("restore", "--yes", str(path), env=env)
    assert restored.returncode == 0, restored.stderr
    assert shell(DESCRIBE, env=env) == after_restore(before)


@dataclass
class DrillDatabase:
    url: str
    admin_url: str
    name: str

    def execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(statement)

    def drop(self) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def create(self) -> None:
        self.execute(f'CREATE DATABASE "{self.name}"')


@pytest.fixture
def drill_database():
    """A PostgreSQL database of this run (``tumbuh_drill_<random>``), dropped afterwards; the
    server is the test run's when it runs on PostgreSQL, else the local one."""
    import psycopg

    configured = os.environ.get("DATABASE_URL", "")
    admin_url = (
        configured
        if configured.startswith(("postgres://", "postgresql://"))
        else "postgres://postgres@127.0.0.1:5432/postgres"
    )
    try:
        psycopg.connect(admin_url, connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable")
    name = f"tumbuh_drill_{secrets.token_hex(6)}"
    url = urllib.parse.urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    database = DrillDatabase(url=url, admin_url=admin_url, name=name)
    database.create()
    try:
        yield database
    finally:
        database.drop()


def test_postgresql_restore_drill(tmp_path, drill_database):
    var = tmp_path / "var"
    env = {"DATABASE_URL": drill_database.url, "TUMBUH_VAR_DIR": str(var)}
    before = shell(BUILD, env=env)
    assert before["nik"] == NIK
    assert before["counts"]["registry.Person"] == before["counts"]["stores.Store"] == 1
    path = tmp_path / "tumbuh.tar.gz"
    made = tumbuh("backup", str(path), env=env)
    assert made.returncode == 0, made.stderr
    check_backup_file(path, before, engine="postgresql")

    # Wipe: the database dropped and created again, empty; the uploads deleted.
    drill_database.drop()
    drill_database.create()
    shutil.rmtree(var / "media")
    shutil.rmtree(var / "private")

    restored = tumbuh("restore", str(path), env=env)  # an empty database: nothing to confirm
    assert restored.returncode == 0, restored.stderr
    assert shell(DESCRIBE, env=env) == after_restore(before)

    # The same backup where a SQLite database is configured: refused, and no database file is
    # even created.
    elsewhere = tmp_path / "sqlite"
    refused = tumbuh("restore", "--yes", str(path), env={"TUMBUH_VAR_DIR": str(elsewhere)})
    assert refused.returncode == 1
    assert f"[{BackupError.ENGINE_MISMATCH}]" in refused.stderr
    assert not (elsewhere / "tumbuh.sqlite3").exists()


# --- refusals, in this process ------------------------------------------------------------------


def never_asked(tables: int) -> bool:
    pytest.fail("a refused restore asked to replace the database")


@pytest.fixture
def business(db):
    """A row of the test database, which every refusal must leave as it is."""
    from tumbuh.conftest import make_enterprise

    return make_enterprise("Warung Tetap Ada")


def assert_unchanged(business) -> None:
    from tumbuh.registry.models import Enterprise

    assert list(Enterprise.objects.values_list("pk", "name")) == [(business.pk, business.name)]


def refusal(path: Path) -> Refused:
    with pytest.raises(Refused) as refused:
        restore_backup(path=path, confirm=never_asked)
    return refused.value


def forged(tmp_path: Path, backup: Path, **changes) -> Path:
    """A copy of ``backup`` whose manifest says the test database's engine, with ``changes``."""
    from django.db import connection

    _names, manifest, database = members(backup)
    manifest = {**manifest, "engine": connection.vendor, **changes}
    return write_backup(tmp_path / "forged.tar.gz", manifest, database)


def not_a_tar(path: Path) -> None:
    path.write_text("NIK,Nama\n3204394508800001,Sri\n")


def empty(path: Path) -> None:
    path.write_bytes(b"")


def tar_without_manifest(path: Path) -> None:
    with tarfile.open(path, "w:gz") as archive:
        member = tarfile.TarInfo("database.sqlite3")
        member.size = 3
        archive.addfile(member, io.BytesIO(b"abc"))


def another_format(path: Path) -> None:
    with tarfile.open(path, "w") as archive:
        content = json.dumps({"format": "other-backup", "format_version": 1}).encode()
        member = tarfile.TarInfo("manifest.json")
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))


@pytest.mark.parametrize("write", [not_a_tar, empty, tar_without_manifest, another_format])
def test_a_file_that_is_not_a_tumbuh_backup_is_refused(write, tmp_path, business):
    path = tmp_path / "cadangan.tar.gz"
    write(path)
    refused = refusal(path)
    assert refused.code == BackupError.NOT_A_BACKUP
    assert refused.field == "path"
    assert_unchanged(business)


def test_a_missing_file_is_refused(tmp_path, business):
    assert refusal(tmp_path / "tidak-ada.tar.gz").code == BackupError.NO_FILE
    assert_unchanged(business)


def test_a_backup_made_with_another_data_key_is_refused(
    sqlite_backup, tmp_path, settings, business, english
):
    _env, backup, _before = sqlite_backup
    path = forged(tmp_path, backup)
    settings.TUMBUH_DATA_KEY = OTHER_KEY
    refused = refusal(path)
    assert refused.code == BackupError.DATA_KEY_MISMATCH
    assert "its NIKs and phone numbers would not decrypt" in refused.message_text
    assert OTHER_KEY not in refused.message_text and KEY not in refused.message_text
    assert_unchanged(business)


def test_a_backup_of_another_database_engine_is_refused(
    sqlite_backup, tmp_path, settings, business
):
    from django.db import connection

    _env, backup, _before = sqlite_backup
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = forged(tmp_path, backup, engine=other)
    settings.TUMBUH_DATA_KEY = KEY
    assert refusal(path).code == BackupError.ENGINE_MISMATCH
    assert_unchanged(business)


def test_a_backup_of_a_newer_version_is_refused(sqlite_backup, tmp_path, settings, business):
    _env, backup, _before = sqlite_backup
    _names, manifest, _database = members(backup)
    migrations = {**manifest["migrations"]}
    migrations["core"] = [*migrations["core"], "9999_from_a_newer_version"]
    path = forged(tmp_path, backup, migrations=migrations)
    settings.TUMBUH_DATA_KEY = KEY
    assert refusal(path).code == BackupError.NEWER_SCHEMA
    assert_unchanged(business)


def test_a_backup_of_an_unknown_format_version_is_refused(
    sqlite_backup, tmp_path, settings, business
):
    _env, backup, _before = sqlite_backup
    path = forged(tmp_path, backup, format_version=2)
    settings.TUMBUH_DATA_KEY = KEY
    assert refusal(path).code == BackupError.UNSUPPORTED_FORMAT
    assert_unchanged(business)


def test_the_data_key_fingerprint_tells_keys_apart_without_showing_them():
    assert data_key_fingerprint(KEY) == data_key_fingerprint(KEY)
    assert data_key_fingerprint(KEY) != data_key_fingerprint(OTHER_KEY)
    assert len(data_key_fingerprint(KEY)) == 64
    assert KEY not in data_key_fingerprint(KEY)


@pytest.mark.parametrize(
    ("command", "options"),
    [("backup", "[-h] [--no-media]"), ("restore", "[-h] [--yes] [--no-media]")],
)
def test_backup_and_restore_are_project_commands_of_tumbuh(command, options, capsys):
    from tumbuh import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["tumbuh", command, "--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out
    assert usage.startswith(f"usage: tumbuh {command} {options}")
    assert usage.split("\n\n")[0].rstrip().endswith("path")
