"""Every registry service that changes state is given who acts: a person, or the system actor of
the commands, the demo and the background task. Records name the person (none for the system
actor, whose work nobody did by hand); audit events name every actor."""

import inspect

import pytest
from django.core.management import call_command

from tumbuh.accounts.models import User
from tumbuh.accounts.services import SYSTEM_EMAIL, system_actor
from tumbuh.capability import services as capability_services
from tumbuh.conftest import make_enterprise, make_user
from tumbuh.core.models import AuditEvent
from tumbuh.registry import merging, services
from tumbuh.registry.models import ImportBatch, MergeRecord
from tumbuh.registry.tests.console_helpers import partner, row, write_csv

pytestmark = pytest.mark.django_db

WRITES = [
    services.start_import,
    services.confirm_import,
    services.run_import,
    services.import_file,
    services.merge_enterprises,
    services.unmerge,
    services.decide_candidate,
    services.resolve_duplicates,
    services.resolve_batch,
    services.link_account,
    merging.merge_pairs,
    capability_services.submit_assessment,
]


@pytest.mark.parametrize("service", WRITES, ids=lambda service: service.__name__)
def test_every_write_takes_its_actor_as_a_required_keyword(service):
    by = inspect.signature(service).parameters["by"]
    assert by.kind is inspect.Parameter.KEYWORD_ONLY
    assert by.default is inspect.Parameter.empty


def test_a_merge_by_the_system_actor_names_no_person_and_its_event_names_the_actor():
    keep, drop = make_enterprise("Keripik Sari"), make_enterprise("Keripik Sari Rasa")
    record = services.merge_enterprises(keep=keep, drop=drop, by=system_actor())
    assert MergeRecord.objects.get(pk=record.pk).merged_by is None
    event = AuditEvent.objects.get(action="registry.merged")
    assert event.actor == system_actor()
    services.unmerge(record=record, by=system_actor())
    record.refresh_from_db()
    assert (record.is_undone, record.undone_by) == (True, None)
    assert AuditEvent.objects.get(action="registry.unmerged").actor == system_actor()


def test_a_merge_by_a_person_names_them_in_the_record_and_the_event():
    reviewer = make_user(full_name="Peninjau")
    keep, drop = make_enterprise("Dodol Ani"), make_enterprise("Dodol Bu Ani")
    record = services.merge_enterprises(keep=keep, drop=drop, by=reviewer)
    assert MergeRecord.objects.get(pk=record.pk).merged_by == reviewer
    assert AuditEvent.objects.get(action="registry.merged").actor == reviewer


def test_the_task_runs_a_confirmed_upload_as_the_system_actor_for_its_uploader(
    tmp_path, django_capture_on_commit_callbacks
):
    uploader = make_user(full_name="Petugas Unggah")
    path = write_csv(tmp_path, [row("Tenun Ikat Sabu")])
    batch = services.start_import(
        organisation=partner(), path=path, file_name="mitra.csv", by=uploader
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import(batch=batch, mapping=batch.mapping, by=uploader)
    batch.refresh_from_db()
    assert (batch.status, batch.uploaded_by, batch.created_count) == ("done", uploader, 1)
    finished = AuditEvent.objects.get(action="registry.import_finished")
    assert finished.actor == uploader
    assert User.objects.filter(email=SYSTEM_EMAIL).exists()  # the task's actor


def test_the_import_command_names_no_uploader(tmp_path):
    organisation = partner()
    path = write_csv(tmp_path, [row("Kopi Flores")])
    call_command("import_enterprises", str(path), "--source", organisation.slug, "--json")
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.uploaded_by) == ("done", None)
    assert AuditEvent.objects.get(action="registry.import_started").actor == system_actor()
