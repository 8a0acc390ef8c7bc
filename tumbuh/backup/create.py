"""``tumbuh backup PATH``: write the database and the local uploads into one owner-only file."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import django
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.backup.manifest import (
    COMPRESSLEVEL,
    DATABASE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_MEMBER,
    BackupError,
    counts_lines,
    data_key_fingerprint,
    database_engine,
    database_state,
    local_media,
    media_label,
    postgres_tool,
    record,
    run_tool,
    sha256,
    sqlite_file_state,
    sqlite_path,
)
from tumbuh.core.money import local_number
from tumbuh.core.refusals import Refused

if TYPE_CHECKING:
    from tumbuh.accounts.models import User


@dataclass
class Backup:
    path: Path
    manifest: dict
    size_bytes: int
    seconds: float


def _dump_sqlite(target: Path) -> tuple[dict, dict]:
    """Copy the database with SQLite's backup API (one step: a consistent copy, while writers go
    on in WAL mode), then read the state from the copy, so the counts are the copy's."""
    source_path = sqlite_path()
    if not source_path.exists():
        raise Refused(
            BackupError.NO_DATABASE,
            _("There is no database at %(path)s.") % {"path": source_path},
        )
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return sqlite_file_state(target)


def _dump_postgres(target: Path) -> tuple[dict, dict]:
    """``pg_dump`` of a snapshot exported by a repeatable-read transaction that stays open while
    it runs; the counts are read in the same snapshot, so they are the dump's."""
    program, environment = postgres_tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = database_state(cursor, set(connection.introspection.table_names(cursor)))
        run_tool(
            [
                program,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            environment,
        )
    return state


def _media_files(folder: Path) -> list[tuple[Path, str]]:
    """Every regular file under ``folder`` (symbolic links are not followed), with its name
    relative to the folder in POSIX form."""
    if not folder.is_dir():
        return []
    files = []
    for directory, _directories, names in os.walk(folder):
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                files.append((path, path.relative_to(folder).as_posix()))
    return sorted(files, key=lambda item: item[1])


def create_backup(*, path: Path, include_media: bool = True, by: User) -> Backup:
    """Write a backup of the configured database (and of the local uploads) to ``path``, or into
    ``path`` under a dated name when it is a folder. The file appears whole or not at all (it is
    written beside, then renamed), owner-only."""
    started = time.perf_counter()
    engine = database_engine()
    created_at = timezone.now()
    if path.is_dir():
        path = path / f"tumbuh-{timezone.localtime(created_at):%Y%m%d-%H%M%S}.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    folders = local_media()
    media = {}
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".tumbuh-backup-") as work:
        dump = Path(work) / DATABASE_MEMBER[engine]
        migrations, counts = (_dump_sqlite if engine == "sqlite" else _dump_postgres)(dump)
        files = {}
        for kind, folder in folders.items():
            if folder is None:
                media[kind] = {"included": False, "storage": "s3"}
            elif not include_media:
                media[kind] = {"included": False, "storage": "local"}
            else:
                files[kind] = _media_files(folder)
                media[kind] = {
                    "included": True,
                    "storage": "local",
                    "files": len(files[kind]),
                    "bytes": sum(file.stat().st_size for file, _name in files[kind]),
                }
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created_at.isoformat(),
            "engine": engine,
            "django": django.get_version(),
            "database": {
                "member": dump.name,
                "bytes": dump.stat().st_size,
                "sha256": sha256(dump),
            },
            "migrations": migrations,
            "counts": counts,
            "data_key_fingerprint": data_key_fingerprint(),
            "media": media,
        }
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with (
                os.fdopen(descriptor, "wb") as stream,
                tarfile.open(fileobj=stream, mode="w:gz", compresslevel=COMPRESSLEVEL) as archive,
            ):
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
                archive.add(dump, arcname=dump.name, recursive=False)
                for kind, kind_files in files.items():
                    for file, name in kind_files:
                        archive.add(file, arcname=MEDIA_MEMBER[kind] + name, recursive=False)
            os.chmod(partial, 0o600)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    record(
        by=by,
        action="backup.created",
        created_at=manifest["created_at"],
        data={"file": path.name, "engine": engine, "counts": counts},
    )
    return Backup(
        path=path,
        manifest=manifest,
        size_bytes=path.stat().st_size,
        seconds=time.perf_counter() - started,
    )


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(content)
    member.mode = 0o600
    member.mtime = int(time.time())
    archive.addfile(member, io.BytesIO(content))


class BackupCommand(BaseCommand):
    help = (
        "Write a backup of the database (a consistent copy taken while the app runs) and of the "
        "uploads kept on this machine into one owner-only file: PATH, or a dated file in PATH "
        "when it is a folder. Restore it with `tumbuh restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file to write, or a folder.")
        parser.add_argument(
            "--no-media",
            action="store_false",
            dest="include_media",
            help="Leave the uploads out (the database only).",
        )

    def handle(self, *args, path: Path, include_media: bool, **options):
        from tumbuh.accounts.services import system_actor

        try:
            backup = create_backup(path=path, include_media=include_media, by=system_actor())
        except Refused as refusal:
            raise CommandError(
                _("No backup was written: %(reason)s [%(code)s]")
                % {"reason": refusal.message_text, "code": refusal.code}
            ) from None
        manifest = backup.manifest
        self.stdout.write(
            _("Backup written to %(path)s (%(size)s MB, %(seconds)s s).")
            % {
                "path": backup.path,
                "size": local_number(backup.size_bytes / 1e6, decimals=1),
                "seconds": local_number(backup.seconds, decimals=1),
            }
        )
        self.stdout.write(
            _("Database: %(engine)s, %(migrations)s migrations applied.")
            % {
                "engine": manifest["engine"],
                "migrations": sum(map(len, manifest["migrations"].values())),
            }
        )
        for line in counts_lines(manifest["counts"]):
            self.stdout.write(line)
        for kind, media in manifest["media"].items():
            if media["included"]:
                message = ngettext(
                    "%(uploads)s: %(files)s file.", "%(uploads)s: %(files)s files.", media["files"]
                )
            elif media["storage"] == "s3":
                message = _("%(uploads)s: in S3, not in this file; back the bucket up.")
            else:
                message = _("%(uploads)s: left out (--no-media).")
            self.stdout.write(message % {"uploads": media_label(kind), "files": media.get("files")})
        self.stdout.write(
            _(
                "The file holds personal data: names and private uploads as they are, NIKs and "
                "phone numbers encrypted with the data key. Keep it owner-only, and the data key "
                "apart from it."
            )
        )
