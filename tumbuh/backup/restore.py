"""``tumbuh restore PATH``: check a backup, then replace the database with it and copy its
uploads back; count the main tables again."""

from __future__ import annotations

import datetime
import hmac
import json
import shutil
import sqlite3
import sys
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.backup.manifest import (
    DATABASE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_MEMBER,
    REQUIRED_KEYS,
    BackupError,
    counts_lines,
    current_state,
    data_key_fingerprint,
    database_engine,
    local_media,
    media_label,
    postgres_tool,
    record,
    run_tool,
    sha256,
    sqlite_path,
)
from tumbuh.core import page_cache
from tumbuh.core.money import local_number
from tumbuh.core.refusals import Refused


@dataclass
class Restored:
    manifest: dict
    counts: dict[str, int | None]
    media_files: int
    pending_migrations: list[str]
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def counts_match(self) -> bool:
        return self.counts == self.manifest["counts"]


def _not_a_backup(path: Path) -> Refused:
    return Refused(
        BackupError.NOT_A_BACKUP,
        _("%(file)s is not a Tumbuh backup.") % {"file": path.name},
        field="path",
    )


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    try:
        first = archive.next()
        if first is None or first.name != MANIFEST or not first.isfile():
            raise _not_a_backup(path)
        manifest = json.loads(archive.extractfile(first).read())
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as error:
        raise _not_a_backup(path) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_a_backup(path)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise Refused(
            BackupError.UNSUPPORTED_FORMAT,
            _(
                "%(file)s is a Tumbuh backup of format %(version)s, which this version of Tumbuh "
                "does not read."
            )
            % {"file": path.name, "version": manifest.get("format_version")},
        )
    if not manifest.keys() >= REQUIRED_KEYS or manifest["engine"] not in DATABASE_MEMBER:
        raise _not_a_backup(path)
    return manifest


def _open_archive(path: Path) -> tarfile.TarFile:
    """The backup at ``path`` opened for reading (the caller closes it); refuses a file that is not
    a Tumbuh backup, or none at all."""
    if not path.is_file():
        raise Refused(
            BackupError.NO_FILE, _("%(path)s: no such file.") % {"path": path}, field="path"
        )
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError) as error:
        raise _not_a_backup(path) from error


def _code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def check_restorable(manifest: dict) -> list[str]:
    """Refuse a backup this installation cannot take; return the migrations of this version
    that the backup's database has not applied (``tumbuh migrate`` applies them afterwards)."""
    engine = database_engine()
    if manifest["engine"] != engine:
        raise Refused(
            BackupError.ENGINE_MISMATCH,
            _(
                "This backup holds a %(backup)s database, but the configured database is "
                "%(configured)s. Restore it where DATABASE_URL names a %(backup)s database."
            )
            % {"backup": manifest["engine"], "configured": engine},
        )
    if not hmac.compare_digest(
        str(manifest.get("data_key_fingerprint", "")), data_key_fingerprint()
    ):
        raise Refused(
            BackupError.DATA_KEY_MISMATCH,
            _(
                "This backup was made with another data key: with the configured TUMBUH_DATA_KEY "
                "its NIKs and phone numbers would not decrypt. Set the data key the backup was "
                "made with."
            ),
        )
    applied = {
        (app_label, name)
        for app_label, names in manifest.get("migrations", {}).items()
        for name in names
    }
    known = _code_migrations()
    if unknown := sorted(applied - known):
        raise Refused(
            BackupError.NEWER_SCHEMA,
            _(
                "This backup comes from a newer version of Tumbuh (%(count)s migrations unknown "
                "here, e.g. %(example)s). Restore it with that version."
            )
            % {"count": len(unknown), "example": ".".join(unknown[0])},
        )
    return [f"{app_label}.{name}" for app_label, name in sorted(known - applied)]


def _extract(archive: tarfile.TarFile, manifest: dict, work: Path, include_media: bool) -> Path:
    """Read the rest of the archive: the database member into ``work`` (checked against the
    manifest's SHA-256), the uploads into ``work/media`` through tarfile's ``data`` filter (no
    absolute names, no ``..``, no links out, no devices)."""
    member_name = manifest["database"]["member"]
    dump = work / DATABASE_MEMBER[manifest["engine"]]
    found = False
    for member in archive:
        if member.name == member_name and member.isfile():
            with archive.extractfile(member) as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            found = True
        elif include_media and member.name.startswith(tuple(MEDIA_MEMBER.values())):
            archive.extract(member, work, filter="data")
    if not found or sha256(dump) != manifest["database"]["sha256"]:
        raise Refused(
            BackupError.DAMAGED,
            _("The database in this backup is missing or damaged (its checksum differs)."),
        )
    return dump


def _existing_tables() -> int:
    """How many tables the configured database holds (a SQLite file not there yet holds none)."""
    if connection.vendor == "sqlite" and not sqlite_path().exists():
        return 0
    return len(connection.introspection.table_names())


def _restore_sqlite(dump: Path) -> None:
    """Copy the backup's database into the configured file with SQLite's backup API, page by
    page in one step, as other connections see a whole database either side."""
    target_path = sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgres(dump: Path) -> None:
    program, environment = postgres_tool("pg_restore")
    run_tool(
        [
            program,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={environment.get('PGDATABASE', '')}",
            str(dump),
        ],
        environment,
    )


def _restore_media(work: Path) -> int:
    """Copy the backup's uploads into the local upload folders; files of the same name are
    replaced, files that are only on disk are kept (public names carry their content's hash)."""
    restored = 0
    for kind, folder in local_media().items():
        source = work / MEDIA_MEMBER[kind]
        if folder is None or not source.is_dir():
            continue
        for file in source.rglob("*"):
            if file.is_file():
                target = folder / file.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, target)
                restored += 1
    return restored


def restore_backup(
    *, path: Path, confirm: Callable[[int], bool], include_media: bool = True
) -> Restored:
    """Replace the configured database (and add the uploads) with the backup at ``path``.

    Refuses before changing anything (see :func:`check_restorable`); when the database holds
    tables, ``confirm(number_of_tables)`` must answer True. The counts of the main tables are
    read again afterwards and returned beside the manifest's. It takes no actor: the people of
    the database being replaced are gone afterwards, so the restored database's system actor
    records the event (when the restore is whole and no migration is pending).
    """
    started = time.perf_counter()
    with _open_archive(path) as archive:
        manifest = _read_manifest(archive, path)
        pending = check_restorable(manifest)
        existing = _existing_tables()
        if existing and not confirm(existing):
            raise Refused(
                BackupError.NOT_CONFIRMED,
                _(
                    "The database holds %(tables)s tables, which a restore replaces. Run again "
                    "with --yes to replace them."
                )
                % {"tables": existing},
            )
        with tempfile.TemporaryDirectory(prefix="tumbuh-restore-") as work:
            try:
                dump = _extract(archive, manifest, Path(work), include_media)
            except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
                raise Refused(
                    BackupError.DAMAGED,
                    _("This backup cannot be read to its end: %(error)s") % {"error": error},
                ) from error
            connection.close()
            if manifest["engine"] == "sqlite":
                _restore_sqlite(dump)
            else:
                _restore_postgres(dump)
            media_files = _restore_media(Path(work)) if include_media else 0
    connection.close()
    page_cache.bump(page_cache.EVERY_PAGE)  # no page cached from the replaced database is served
    _migrations, counts = current_state()
    restored = Restored(
        manifest=manifest,
        counts=counts,
        media_files=media_files,
        pending_migrations=pending,
        seconds=time.perf_counter() - started,
    )
    for kind, media in manifest["media"].items():
        if media.get("storage") == "s3":
            restored.notes.append(
                _("%(uploads)s were in S3 and are not in this backup.")
                % {"uploads": media_label(kind)}
            )
        elif include_media and media.get("storage") == "local" and not media.get("included"):
            restored.notes.append(
                _("%(uploads)s were left out of this backup.") % {"uploads": media_label(kind)}
            )
    if restored.counts_match and not pending:
        from tumbuh.accounts.services import system_actor

        record(
            by=system_actor(),
            action="backup.restored",
            created_at=manifest["created_at"],
            data={"file": path.name, "engine": manifest["engine"], "counts": counts},
        )
    return restored


class RestoreCommand(BaseCommand):
    help = (
        "Replace the configured database with a backup written by `tumbuh backup`, and copy its "
        "uploads back. Refuses, changing nothing, a file that is not a Tumbuh backup, a backup of "
        "another database engine or made with another TUMBUH_DATA_KEY. Asks before replacing a "
        "database that holds tables (--yes answers yes). Stop the app and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace the database without asking, even when it holds tables.",
        )
        parser.add_argument(
            "--no-media",
            action="store_false",
            dest="include_media",
            help="Restore the database only, not the uploads.",
        )

    def handle(self, *args, path: Path, yes: bool, include_media: bool, **options):
        def confirm(tables: int) -> bool:
            if yes:
                return True
            if not sys.stdin.isatty():
                return False
            answer = input(
                _(
                    "The database holds %(tables)s tables; the restore replaces all of them. "
                    "Type 'yes' to continue: "
                )
                % {"tables": tables}
            )
            return answer.strip().lower() in {"yes", "ya"}

        try:
            restored = restore_backup(path=path, confirm=confirm, include_media=include_media)
        except Refused as refusal:
            raise CommandError(
                _("Nothing was restored: %(reason)s [%(code)s]")
                % {"reason": refusal.message_text, "code": refusal.code}
            ) from None
        manifest = restored.manifest
        made = datetime.datetime.fromisoformat(manifest["created_at"])
        self.stdout.write(
            _("Restored the backup of %(made)s (%(engine)s) in %(seconds)s s.")
            % {
                "made": timezone.localtime(made).strftime("%Y-%m-%d %H:%M %Z"),
                "engine": manifest["engine"],
                "seconds": local_number(restored.seconds, decimals=1),
            }
        )
        self.stdout.write(_("Counts: in the backup, and found after the restore."))
        for line in counts_lines(manifest["counts"], restored.counts):
            self.stdout.write(line)
        if include_media:
            self.stdout.write(
                ngettext(
                    "Uploads restored: %(files)s file.",
                    "Uploads restored: %(files)s files.",
                    restored.media_files,
                )
                % {"files": restored.media_files}
            )
        for note in restored.notes:
            self.stdout.write(note)
        if restored.pending_migrations:
            self.stdout.write(
                ngettext(
                    "This version of Tumbuh has %(count)s migration the backup had not applied: "
                    "run `tumbuh migrate` now.",
                    "This version of Tumbuh has %(count)s migrations the backup had not applied: "
                    "run `tumbuh migrate` now.",
                    len(restored.pending_migrations),
                )
                % {"count": len(restored.pending_migrations)}
            )
        if not restored.counts_match:
            raise CommandError(
                _(
                    "The restored database does not hold what the backup's manifest counted "
                    "(see above). [%(code)s]"
                )
                % {"code": BackupError.COUNTS_DIFFER}
            )
