"""The province code on the rows that hang off a business (``models.province_key``): the key
the registry partitions on. Triggers keep it, whichever path writes a row (the set-based import,
the ORM, a merge moving rows, undoing it, a business moving province)."""

import pytest

from tumbuh.accounts.services import system_actor
from tumbuh.registry import services
from tumbuh.registry.models import (
    Enterprise,
    EnterpriseKbli,
    Milestone,
    Ownership,
    SourceRecord,
)
from tumbuh.registry.tests.console_helpers import (
    DAYEUHKOLOT,
    NAMOSAIN,
    import_rows,
    nik,
    partner,
    row,
)

pytestmark = pytest.mark.django_db
ROWS = (SourceRecord, Milestone, Ownership, EnterpriseKbli)


def provinces_of(enterprise: Enterprise) -> dict[str, set[str]]:
    return {
        model.__name__: set(
            model.objects.filter(enterprise=enterprise).values_list("province_code", flat=True)
        )
        for model in ROWS
    }


def imported(tmp_path, name: str, village: str, number: int) -> Enterprise:
    batch = import_rows(
        tmp_path,
        partner(name=f"Mitra {number}"),
        [row(name, owner=f"Pemilik {number}", nik=nik("320412"), village=village, kbli="10792")],
        name=f"mitra-{number}.csv",
    )
    return Enterprise.objects.get(pk=batch.records.get().enterprise_id)


def test_every_row_of_an_imported_business_carries_its_province(tmp_path):
    bandung = imported(tmp_path, "Keripik Bandung", DAYEUHKOLOT, 1)
    services.record_milestone(enterprise=bandung, kind="trained", source="test", by=None)

    found = provinces_of(bandung)

    assert found == {name: {"32"} for name in found}
    assert Milestone.objects.filter(enterprise=bandung).count() == 2  # registered, trained


def test_rows_follow_a_merge_across_provinces_and_its_undoing(tmp_path):
    bandung = imported(tmp_path, "Keripik Maju", DAYEUHKOLOT, 1)
    kupang = imported(tmp_path, "Keripik Maju Kupang", NAMOSAIN, 2)
    kupang_rows = set(SourceRecord.objects.filter(enterprise=kupang).values_list("pk", flat=True))

    record = services.merge_enterprises(keep=bandung, drop=kupang, by=system_actor())
    moved = set(
        SourceRecord.objects.filter(pk__in=kupang_rows).values_list("province_code", flat=True)
    )
    merged = provinces_of(bandung)
    services.unmerge(record=record, by=system_actor())

    assert moved == {"32"}
    assert merged == {name: {"32"} for name in merged}
    assert provinces_of(kupang)["SourceRecord"] == {"53"}
    assert provinces_of(bandung)["SourceRecord"] == {"32"}


def test_a_business_moving_to_another_province_takes_its_rows_along(tmp_path):
    business = imported(tmp_path, "Tenun Ikat", DAYEUHKOLOT, 1)

    Enterprise.objects.filter(pk=business.pk).update(village_id=NAMOSAIN)
    after = provinces_of(business)

    assert after == {name: {"53"} for name in after}
