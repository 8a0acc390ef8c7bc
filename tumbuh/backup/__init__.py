"""``tumbuh backup PATH`` and ``tumbuh restore PATH``: the database and the uploads in one file.

The project's wiring, like :mod:`tumbuh.demo`, not a command of an app: it counts the main tables
of several apps and records its audit events as the system actor, so it sits above all of them.
Both commands are Django ``BaseCommand``\\ s run by :mod:`tumbuh.cli` with Django's own parsing:
:mod:`tumbuh.backup.create` (``BackupCommand``) and :mod:`tumbuh.backup.restore`
(``RestoreCommand``); :mod:`tumbuh.backup.manifest` holds the format and what both share.

A backup is one tar file (gzip), written owner-only (0600), holding:

- ``manifest.json`` (always the first member): the format and its version, the database engine,
  when it was made, the applied Django migrations, the counts of the main tables, the SHA-256 of
  the database member and a **fingerprint of the data key** (an HMAC of a fixed text keyed with
  ``TUMBUH_DATA_KEY``; the key itself is never written);
- the database: a consistent copy made while the app runs. SQLite: a copy by SQLite's own backup
  API (``database.sqlite3``); PostgreSQL: ``pg_dump --format=custom`` (``database.pgdump``) of a
  snapshot exported by a repeatable-read transaction, in which the counts are also taken;
- the uploads kept on this machine (``media/public/…``, ``media/private/…``) unless
  ``--no-media``; uploads in S3 buckets are not in the file (the manifest says so).

NIKs and phone numbers are in the file as stored: encrypted with the data key. The file is only
readable with that key, and the key is not in it; whoever holds both can read them.

``restore`` refuses, changing nothing, a file that is not a Tumbuh backup, a backup of another
engine, a backup made with another data key (its NIKs would not decrypt), a backup of a newer
version of Tumbuh and a damaged file; it replaces a database that holds tables only when told to
(``--yes``, or ``yes`` typed at the prompt). Afterwards it counts the main tables again and
reports them beside the manifest's counts. See docs/operations.md, "Backup and restore".
"""
