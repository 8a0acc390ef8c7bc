"""The registry refuses in the one shape, ``core.refusals.Refused``, with codes of
``RegistryError``; the console shows the same messages as before."""

import pytest

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_enterprise
from tumbuh.core.refusals import Refused
from tumbuh.registry import services
from tumbuh.registry.error_codes import RegistryError
from tumbuh.registry.importing.reading import FileProblem, open_table
from tumbuh.registry.models import ImportBatch, MergeRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_business_merged_with_itself_or_twice_is_refused_with_its_code():
    keep, drop = make_enterprise("Satu"), make_enterprise("Dua")
    with pytest.raises(Refused) as refused:
        services.merge_enterprises(keep=keep, drop=keep, by=system_actor())
    assert (refused.value.reason, refused.value.message_text) == (
        RegistryError.MERGE_WITH_ITSELF,
        "A business cannot be merged with itself.",
    )
    record = services.merge_enterprises(keep=keep, drop=drop, by=system_actor())
    with pytest.raises(Refused) as refused:
        services.merge_enterprises(keep=keep, drop=drop, by=system_actor())
    assert refused.value.reason == "already_merged"
    services.unmerge(record=record, by=system_actor())
    with pytest.raises(Refused) as refused:
        services.unmerge(record=record, by=system_actor())
    assert refused.value.reason == "already_undone"
    assert MergeRecord.objects.count() == 1


def test_an_unreadable_file_is_a_refusal_at_the_file_field(tmp_path):
    path = tmp_path / "kosong.csv"
    path.write_bytes(b"")
    with pytest.raises(FileProblem) as problem:
        open_table(path)
    assert isinstance(problem.value, Refused)
    assert (problem.value.reason, problem.value.field, problem.value.message_text) == (
        "file_unreadable",
        "file",
        "The file is empty.",
    )
    assert not ImportBatch.objects.exists()


def test_a_mapping_without_the_essentials_is_refused_with_its_code():
    with pytest.raises(Refused) as refused:
        services.check_mapping(["Nama Usaha"], {"business_name": "Nama Usaha"})
    assert refused.value.reason == RegistryError.VILLAGE_COLUMN_MISSING
    with pytest.raises(Refused) as refused:
        services.check_mapping(["Nama Usaha"], {"business_name": "Nama"})
    assert refused.value.reason == RegistryError.COLUMNS_NOT_IN_FILE
