"""A worker killed in the middle of an import: the import resumes, every row accounted for once.

The real thing first: ``tumbuh worker`` imports a partner file into a SQLite file database and
is killed (SIGKILL) inside the transaction of its second chunk, after the first one committed;
``tumbuh resume_imports`` requeues the import and a new worker finishes it. Then the parts, in
this process: a resumed import ends as if it had never stopped, a run that was taken over
writes nothing, and an import that stopped too often fails with its rows accounted for.
"""

import csv
import datetime
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_organisation, make_user
from tumbuh.core.models import AuditEvent
from tumbuh.core.tests import processes
from tumbuh.registry.importing import pipeline
from tumbuh.registry.importing.villages import VillageIndex
from tumbuh.registry.models import Enterprise, ImportBatch, ImportRejection, SourceRecord
from tumbuh.registry.services import resume_stalled_imports, run_import, start_import

HEADER = ["Nama Usaha", "Nama Pemilik", "NIK", "Kode Desa", "NIB"]


def partner_rows(count: int) -> list[list[str]]:
    """``count`` rows: every 40th with a broken NIK (rejected); the first 20 with a NIB, which
    20 rows at the end repeat under another name (they join that business); the very last row
    identical to the first (rejected as a copy)."""
    rows = []
    for index in range(count - 1):
        day, serial = 1 + index % 28, 1 + index // 28
        nik = "320439" + f"{day:02d}0880{serial:04d}"
        nib = f"{9_000_000_000_000 + index}" if index < 20 else ""
        row = [f"Usaha Uji {index:05d}", f"Pemilik {index}", nik, DAYEUHKOLOT, nib]
        if index % 40 == 39:
            row[2] = "123"
        if index >= count - 21:
            twin = index - (count - 21)
            row = [f"Cabang Uji {index:05d}", f"Pengelola {index}", "", DAYEUHKOLOT, rows[twin][4]]
        rows.append(row)
    rows.append(list(rows[0]))
    return rows


def expected_counts(count: int) -> dict:
    broken = sum(1 for index in range(count - 21) if index % 40 == 39)
    return {
        "created": count - 1 - 20 - broken,
        "linked": 20,
        "already_imported": 0,
        "rejected": broken + 1,
    }


def copy_of_row_2() -> str:
    """The rejection of a row identical to the file's first, in the programme's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Identical to row %(row)s of this file, which counts for both.") % {"row": 2}


def write_csv(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


# --- the real thing: a worker process killed mid-import -------------------------------------

ROWS_IN_FILE = pipeline.CHUNK_ROWS + 1_500  # two chunks: the second is cut by the kill

QUEUE_IMPORT = """
from pathlib import Path
from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import create_organisation, system_actor
from tumbuh.registry.services import confirm_import, start_import
partner = create_organisation(name="Pasar", kind=Organisation.Kind.MARKETPLACE, region_code="",
                              slug="pasar", by=system_actor())
batch = start_import(organisation=partner, path=Path({path!r}), file_name="mitra.csv",
                     by=system_actor())
confirm_import(batch=batch, mapping=batch.mapping, by=system_actor())
print(batch.pk)
"""


BATCH_SQL = (
    "SELECT status, attempts, processed_rows, total_rows, created_count, linked_count, "
    "already_imported_count, rejected_count FROM registry_importbatch WHERE id = ?"
)
BATCH_COLUMNS = BATCH_SQL.removeprefix("SELECT ").split(" FROM ")[0].split(", ")


def _batch(var_dir: Path, batch_id: int) -> dict:
    (values,) = processes.rows(var_dir, BATCH_SQL, [batch_id])
    return dict(zip(BATCH_COLUMNS, values, strict=True))


def test_a_worker_killed_mid_import_resumes_and_imports_every_row_once(tmp_path_factory):
    var_dir = processes.var_dir(tmp_path_factory)
    path = write_csv(var_dir / "mitra.csv", partner_rows(ROWS_IN_FILE))
    batch_id = int(processes.python(var_dir, QUEUE_IMPORT.format(path=str(path))))

    point = "registry.import.chunk"
    log = (var_dir / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "tumbuh.cli", "worker", "--no-startup-delay", "--no-reload"],
        cwd=processes.ROOT,
        env=processes.environment(var_dir, TUMBUH_FAULT_PAUSE=f"{point}:2"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # It pauses inside the second chunk's transaction: the first chunk is committed.
        assert processes.paused_process(var_dir, point, seconds=60) == worker.pid
        assert _batch(var_dir, batch_id)["processed_rows"] == pipeline.CHUNK_ROWS
        processes.kill(worker.pid)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            processes.kill(worker.pid)
            worker.wait()
        log.close()

    # The second chunk left nothing; the import waits, "running", for a worker that is gone.
    stopped = _batch(var_dir, batch_id)
    assert (stopped["status"], stopped["attempts"]) == ("running", 1)
    assert stopped["processed_rows"] == pipeline.CHUNK_ROWS
    written = processes.rows(var_dir, "SELECT count(*), max(row_number) FROM registry_sourcerecord")
    rejected = processes.rows(var_dir, "SELECT count(*) FROM registry_importrejection")[0][0]
    assert written[0][0] + rejected == pipeline.CHUNK_ROWS
    assert written[0][1] <= pipeline.CHUNK_ROWS + 1  # rows are numbered from 2, after the header

    # Stalled (no wait: its worker is gone): back to the queue, and a new worker resumes it.
    resumed = processes.tumbuh(var_dir, "resume_imports", "--stalled-after", "0")
    assert resumed.strip() == "1 imports resumed, 0 failed"
    assert _batch(var_dir, batch_id)["status"] == "queued"
    processes.tumbuh(var_dir, "worker", "--batch", "--no-startup-delay", "--no-reload")

    done = _batch(var_dir, batch_id)
    expected = expected_counts(ROWS_IN_FILE)
    assert done == {
        "status": "done",
        "attempts": 2,
        "processed_rows": ROWS_IN_FILE,
        "total_rows": ROWS_IN_FILE,
        "created_count": expected["created"],
        "linked_count": expected["linked"],
        "already_imported_count": 0,
        "rejected_count": expected["rejected"],
    }
    # Each row of the file once: a source record or a rejection, never both, never twice.
    numbers = processes.rows(
        var_dir,
        "SELECT row_number FROM registry_sourcerecord WHERE batch_id = ? "
        "UNION ALL SELECT row_number FROM registry_importrejection WHERE batch_id = ?",
        [batch_id, batch_id],
    )
    assert sorted(number for (number,) in numbers) == list(range(2, ROWS_IN_FILE + 2))
    # One business per new row: no business created twice.
    assert processes.rows(
        var_dir, "SELECT count(*), count(DISTINCT name) FROM registry_enterprise"
    ) == [(expected["created"], expected["created"])]
    copy = processes.rows(
        var_dir,
        "SELECT reason FROM registry_importrejection WHERE row_number = ?",
        [ROWS_IN_FILE + 1],
    )
    assert copy == [(copy_of_row_2(),)]


# --- the parts, in this process ---------------------------------------------------------------


class WorkerKilled(BaseException):
    """Stands for SIGKILL: raised inside a chunk's transaction, it ends the run there."""


@pytest.fixture
def partner(db):
    return make_organisation(kind=Organisation.Kind.MARKETPLACE, region_code="", name="Pasar")


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 25)


def _queued(partner, tmp_path, rows) -> ImportBatch:
    """A batch of ``rows``, its columns confirmed, waiting for a worker."""
    path = write_csv(tmp_path / "mitra.csv", rows)
    batch = start_import(organisation=partner, path=path, file_name="mitra.csv", by=system_actor())
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.QUEUED)
    batch.refresh_from_db()
    return batch


def _killed_in_chunk(monkeypatch, nth: int) -> None:
    """The run dies inside the transaction of its ``nth`` chunk (where ``core.faults`` pauses)."""
    reached = []

    def die(name):
        reached.append(name)
        if len(reached) == nth:
            raise WorkerKilled

    monkeypatch.setattr(pipeline, "pause_point", die)


def _outcome(batch: ImportBatch) -> dict:
    batch.refresh_from_db()
    return {
        "status": batch.status,
        "processed": batch.processed_rows,
        "created": batch.created_count,
        "linked": batch.linked_count,
        "already_imported": batch.already_imported_count,
        "rejected": batch.rejected_count,
        "records": SourceRecord.objects.filter(batch=batch).count(),
        "rejections": ImportRejection.objects.filter(batch=batch).count(),
    }


@pytest.mark.usefixtures("small_chunks")
def test_a_resumed_import_ends_as_if_it_never_stopped(
    partner, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    batch = _queued(partner, tmp_path, partner_rows(120))
    _killed_in_chunk(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        run_import(batch=batch, by=system_actor())
    stopped = _outcome(batch)
    assert (stopped["status"], stopped["processed"]) == ("running", 50)
    assert stopped["records"] + stopped["rejections"] == 50

    # Its heartbeat is recent: left alone. With no wait, it is requeued and resumed.
    assert resume_stalled_imports(by=system_actor()) == {"resumed": 0, "failed": 0}
    with django_capture_on_commit_callbacks(execute=True):
        outcome = resume_stalled_imports(stalled_after=datetime.timedelta(0), by=system_actor())
    assert outcome == {"resumed": 1, "failed": 0}

    expected = expected_counts(120)
    assert _outcome(batch) == {
        "status": "done",
        "processed": 120,
        **expected,
        "records": expected["created"] + expected["linked"],
        "rejections": expected["rejected"],
    }
    assert (batch.attempts, batch.total_rows) == (2, 120)
    assert Enterprise.objects.count() == expected["created"]
    numbers = sorted(
        [*SourceRecord.objects.values_list("row_number", flat=True),
         *ImportRejection.objects.values_list("row_number", flat=True)]
    )  # fmt: skip
    assert numbers == list(range(2, 122))
    # The copy of the first row, read after the resume, is still known as one.
    assert ImportRejection.objects.get(row_number=121).reason == copy_of_row_2()
    resumed = AuditEvent.objects.get(action="registry.import_resumed")
    assert resumed.data == {"attempts": 1, "processed": 50, "total": 120}


@pytest.mark.usefixtures("small_chunks")
def test_a_run_taken_over_writes_nothing(partner, tmp_path):
    rows = partner_rows(60)
    batch = _queued(partner, tmp_path, rows)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, attempts=1)
    batch.refresh_from_db()
    villages = VillageIndex.build()
    slow = pipeline.Importer(batch, batch.headers, villages=villages)
    chunk = [(number, values) for number, values in enumerate(rows[:25], start=2)]
    # Its worker looked stopped: the import was requeued and a second run holds it now.
    ImportBatch.objects.filter(pk=batch.pk).update(attempts=2)
    with pytest.raises(pipeline.TakenOver):
        slow._chunk(chunk)
    assert _outcome(batch)["processed"] == 0
    assert not Enterprise.objects.exists() and not SourceRecord.objects.exists()

    batch.refresh_from_db()
    pipeline.Importer(batch, batch.headers, villages=villages)._chunk(chunk)
    assert _outcome(batch)["processed"] == 25 and Enterprise.objects.count() == 25


def test_an_import_stopped_too_often_fails_with_its_rows_accounted_for(
    partner, tmp_path, client, english
):
    batch = _queued(partner, tmp_path, partner_rows(80))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.RUNNING,
        attempts=ImportBatch.MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=11),
        processed_rows=30,
        created_count=29,
        rejected_count=1,
        total_rows=81,  # the estimate from the line count
    )
    alive = _queued(partner, tmp_path, partner_rows(60))  # another import, its worker alive
    ImportBatch.objects.filter(pk=alive.pk).update(
        status=ImportBatch.Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )

    assert resume_stalled_imports(by=system_actor()) == {"resumed": 0, "failed": 1}
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.unprocessed_rows) == ("failed", 80, 50)
    assert batch.processed_rows + batch.unprocessed_rows == batch.total_rows
    # attempts, processed, total, not processed: in the reason, whatever its language
    assert re.findall(r"\d+", batch.error) == ["3", "30", "80", "50"]
    assert ImportBatch.objects.get(pk=alive.pk).status == ImportBatch.Status.RUNNING
    failed = AuditEvent.objects.get(action="registry.import_failed")
    assert failed.data == {"attempts": 3, "processed": 30, "total": 80}

    client.force_login(make_user(is_superuser=True, is_staff=True))
    page = client.get(batch.get_absolute_url()).content.decode()
    table = re.sub(r"\s+", " ", page[page.index("<h2>Outcome</h2>") :])
    assert '<th scope="row">New businesses</th><td class="num">29</td>' in table
    assert '<th scope="row">Rejected</th><td class="num">1</td>' in table
    assert '<th scope="row">Not processed</th><td class="num">50</td>' in table
    assert '<th scope="row">Rows in the file</th><td class="num">80</td>' in table
    report = client.get(f"/konsol/registri/impor/{batch.public_id}/laporan.csv")
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert lines[-1] == ["", "", batch.error]
