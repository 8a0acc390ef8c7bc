"""The onboarding rollups: kept by the triggers and folds, equal to a rebuild from the registry."""

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from tumbuh.accounts import services as account_services
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA, make_enterprise
from tumbuh.dashboards import rollups
from tumbuh.dashboards.models import (
    Level,
    OnboardingChange,
    OnboardingCount,
    OnboardingSeries,
    RollupClock,
)
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import Enterprise, MergeRecord, Milestone

pytestmark = pytest.mark.django_db

KINDS = [Milestone.Kind.REGISTERED, Milestone.Kind.TRAINED, Milestone.Kind.STORE_LIVE]
SARMI_VILLAGE = "91.10.13.2003"  # Kabupaten Sarmi, a 3T regency
VILLAGES = [DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA, SARMI_VILLAGE]


def snapshot():
    counts = {
        (row.region_code, row.is_3t, row.enterprise_kind, row.scale, row.milestone): row.count
        for row in OnboardingCount.objects.exclude(count=0)
    }
    series = {
        (row.period, row.region_code, row.start, row.is_3t, row.enterprise_kind, row.milestone): (
            row.count
        )
        for row in OnboardingSeries.objects.exclude(count=0)
    }
    return counts, series


def national(milestone=""):
    return sum(
        OnboardingCount.objects.filter(level=Level.NATIONAL, milestone=milestone).values_list(
            "count", flat=True
        )
    )


def test_a_business_and_its_milestones_count_at_every_level():
    rollups.apply_changes()
    business = make_enterprise(village=SARMI_VILLAGE, scale=Enterprise.Scale.MIKRO)
    registry_services.record_milestone(
        enterprise=business,
        kind=Milestone.Kind.TRAINED,
        source="test",
        by=None,
        occurred_at=datetime.datetime(2026, 3, 31, 20, tzinfo=datetime.UTC),  # 1 April in WIB
    )
    assert OnboardingChange.objects.count() == 2

    fold = rollups.apply_changes()

    assert (fold.changes, OnboardingChange.objects.count()) == (2, 0)
    trained = OnboardingCount.objects.filter(milestone=Milestone.Kind.TRAINED)
    assert sorted(trained.values_list("level", "region_code", "parent_code", "count")) == [
        (Level.NATIONAL, "", "", 1),
        (Level.PROVINCE, "91", "", 1),
        (Level.REGENCY, "91.10", "91", 1),
        (Level.DISTRICT, "91.10.13", "91.10", 1),
        (Level.VILLAGE, SARMI_VILLAGE, "91.10.13", 1),
    ]
    assert set(trained.values_list("is_3t", "enterprise_kind", "scale")) == {
        (True, "umkm", "mikro")
    }
    months = OnboardingSeries.objects.filter(
        period="M", milestone=Milestone.Kind.TRAINED, level=Level.NATIONAL
    )
    assert list(months.values_list("start", "count")) == [(datetime.date(2026, 4, 1), 1)]
    weeks = OnboardingSeries.objects.filter(
        period="W", milestone=Milestone.Kind.TRAINED, level=Level.PROVINCE
    )
    assert list(weeks.values_list("start", "count")) == [(datetime.date(2026, 3, 30), 1)]
    assert not OnboardingSeries.objects.filter(period="W", level=Level.REGENCY).exists()
    assert RollupClock.objects.get(name=rollups.CLOCK).changes_applied == 2


def test_a_merged_duplicate_stops_counting_and_comes_back_when_unmerged():
    rollups.apply_changes()
    actor = account_services.system_actor()
    keep = make_enterprise("Keripik Ibu Ani")
    drop = make_enterprise("Keripik Bu Ani", village=NAMOSAIN)
    for business, kind in ((keep, Milestone.Kind.TRAINED), (drop, Milestone.Kind.STORE_LIVE)):
        registry_services.record_milestone(enterprise=business, kind=kind, source="t", by=None)
    rollups.apply_changes()
    assert (national(), national(Milestone.Kind.STORE_LIVE)) == (2, 1)

    record = registry_services.merge_enterprises(keep=keep, drop=drop, by=actor)
    rollups.apply_changes()
    # One business, which now has the duplicate's store milestone in its own village.
    assert (national(), national(Milestone.Kind.STORE_LIVE)) == (1, 1)
    assert OnboardingCount.objects.get(region_code="53", milestone="").count == 0
    assert (
        OnboardingCount.objects.get(region_code="32", milestone=Milestone.Kind.STORE_LIVE).count
        == 1
    )

    registry_services.unmerge(record=record, by=actor)
    rollups.apply_changes()
    assert (national(), national(Milestone.Kind.STORE_LIVE)) == (2, 1)
    assert (
        OnboardingCount.objects.get(region_code="53", milestone=Milestone.Kind.STORE_LIVE).count
        == 1
    )
    assert snapshot() == (rollups.rebuild(), snapshot())[1]


def test_a_rebuild_reads_each_grain_from_the_registry_at_once():
    """Village counts, district months and province weeks from the rebuild's one read: a week
    that starts in March holds a business of 1 April, and a province's weeks split into its 3T
    regency and the other one."""
    from tumbuh.regions.models import Regency

    Regency.objects.filter(code="91.03").update(is_3t=False)
    Regency.objects.filter(code="91.10").update(is_3t=True)
    sarmi = make_enterprise("Usaha Sarmi", village=SARMI_VILLAGE)
    sentani = make_enterprise("Usaha Sentani", village=SENTANI_KOTA, scale="kecil")
    Enterprise.objects.filter(pk=sarmi.pk).update(
        created_at=datetime.datetime(2026, 3, 31, 20, tzinfo=datetime.UTC)  # 1 April in WIB
    )
    Enterprise.objects.filter(pk=sentani.pk).update(
        created_at=datetime.datetime(2026, 3, 29, 18, tzinfo=datetime.UTC)  # Monday 30 March
    )
    registry_services.record_milestone(
        enterprise=sentani,
        kind=Milestone.Kind.TRAINED,
        source="t",
        by=None,
        occurred_at=datetime.datetime(2026, 4, 5, 17, 30, tzinfo=datetime.UTC),  # Monday 6 April
    )

    fold = rollups.rebuild()

    assert (fold.changes, fold.groups, OnboardingChange.objects.count()) == (3, 15, 0)
    assert sorted(
        OnboardingCount.objects.filter(level=Level.VILLAGE).values_list(
            "region_code", "parent_code", "is_3t", "scale", "milestone", "count"
        )
    ) == [
        (SENTANI_KOTA, "91.03.01", False, "kecil", "", 1),
        (SENTANI_KOTA, "91.03.01", False, "kecil", Milestone.Kind.TRAINED, 1),
        (SARMI_VILLAGE, "91.10.13", True, "", "", 1),
    ]
    assert sorted(
        OnboardingCount.objects.filter(level=Level.PROVINCE).values_list(
            "region_code", "is_3t", "scale", "milestone", "count"
        )
    ) == [
        ("91", False, "kecil", "", 1),
        ("91", False, "kecil", "trained", 1),
        ("91", True, "", "", 1),
    ]
    assert sorted(
        OnboardingSeries.objects.filter(period="M", level=Level.DISTRICT).values_list(
            "region_code", "parent_code", "start", "is_3t", "milestone", "count"
        )
    ) == [
        ("91.03.01", "91.03", datetime.date(2026, 3, 1), False, "", 1),
        ("91.03.01", "91.03", datetime.date(2026, 4, 1), False, Milestone.Kind.TRAINED, 1),
        ("91.10.13", "91.10", datetime.date(2026, 4, 1), True, "", 1),
    ]
    weeks = [
        ("91", datetime.date(2026, 3, 30), False, "", 1),
        ("91", datetime.date(2026, 3, 30), True, "", 1),
        ("91", datetime.date(2026, 4, 6), False, Milestone.Kind.TRAINED, 1),
    ]
    assert (
        sorted(
            OnboardingSeries.objects.filter(period="W", level=Level.PROVINCE).values_list(
                "region_code", "start", "is_3t", "milestone", "count"
            )
        )
        == weeks
    )
    assert sorted(
        OnboardingSeries.objects.filter(period="W", level=Level.NATIONAL).values_list(
            "region_code", "start", "is_3t", "milestone", "count"
        )
    ) == [("", *week[1:]) for week in weeks]
    assert not OnboardingSeries.objects.filter(period="W", level=Level.REGENCY).exists()


def test_a_page_refresh_skips_when_nothing_is_pending(django_assert_max_num_queries):
    rollups.apply_changes()
    with django_assert_max_num_queries(1):
        fold = rollups.refresh()
    assert fold.changes == 0


def test_incremental_and_rebuilt_rollups_agree_after_random_changes():
    """Random registrations, milestones, earlier times, moves, merges, unmerges and deletions,
    folded at random moments, end equal to a rebuild from the registry."""
    rollups.apply_changes()
    actor = account_services.system_actor()
    chance = random.Random(20261207)
    businesses: list[Enterprise] = []
    merges: list[MergeRecord] = []
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for step in range(160):
        action = chance.choice(
            ["register"] * 4 + ["milestone"] * 4 + ["earlier", "move", "merge", "unmerge", "delete"]
        )
        live = [b for b in businesses if not Enterprise.objects.get(pk=b.pk).merged_into_id]
        if action == "register" or len(live) < 3:
            businesses.append(
                make_enterprise(
                    f"Usaha {step}",
                    village=chance.choice(VILLAGES),
                    kind=chance.choice(["umkm", "umkm", "bumdes"]),
                    scale=chance.choice(["", "mikro", "kecil"]),
                )
            )
        elif action == "milestone":
            registry_services.record_milestone(
                enterprise=chance.choice(businesses),
                kind=chance.choice(KINDS),
                source="t",
                by=None,
                occurred_at=start + datetime.timedelta(hours=chance.randrange(0, 24 * 200)),
            )
        elif action == "earlier":
            milestone = Milestone.objects.order_by("?").first()
            if milestone:
                registry_services.record_milestone(
                    enterprise=milestone.enterprise,
                    kind=milestone.kind,
                    source="t",
                    by=None,
                    occurred_at=milestone.occurred_at - datetime.timedelta(days=40),
                )
        elif action == "move":
            business = Enterprise.objects.get(pk=chance.choice(live).pk)
            business.village_id = chance.choice(VILLAGES)
            business.scale = chance.choice(["", "menengah"])
            business.save()
        elif action == "merge":
            keep, drop = chance.sample(live, 2)
            merges.append(registry_services.merge_enterprises(keep=keep, drop=drop, by=actor))
        elif action == "unmerge" and merges:
            record = merges.pop(chance.randrange(len(merges)))
            registry_services.unmerge(record=record, by=actor)
        elif action == "delete":
            business = chance.choice(live)
            if not MergeRecord.objects.filter(kept=business).exists() and not (
                MergeRecord.objects.filter(dropped=business).exists()
            ):
                Milestone.objects.filter(enterprise=business).delete()
                business.delete()
                businesses.remove(business)
        if chance.random() < 0.15:
            rollups.apply_changes(slice_size=chance.choice([1, 3, 1000]))
    rollups.apply_changes()
    incremental = snapshot()

    rebuilt = rollups.rebuild()

    assert snapshot() == incremental
    live_count = Enterprise.objects.deduplicated().count()
    assert national() == live_count > 0
    assert (
        national(Milestone.Kind.TRAINED)
        == Milestone.objects.filter(
            kind=Milestone.Kind.TRAINED, enterprise__merged_into__isnull=True
        ).count()
    )
    assert (
        rebuilt.changes
        == live_count + Milestone.objects.filter(enterprise__merged_into__isnull=True).count()
    )
    # Read by ranges of three business ids on PostgreSQL (one read on SQLite): the groups a
    # village, district or regency has in several ranges are summed into the same rollups.
    assert (rollups.rebuild(id_range=3).changes, snapshot()) == (rebuilt.changes, incremental)


def test_the_first_fold_builds_the_rollups_from_what_is_there():
    make_enterprise()
    RollupClock.objects.all().delete()
    OnboardingChange.objects.all().delete()  # as if the triggers came after the business

    rollups.apply_changes()

    assert national() == 1
    assert RollupClock.objects.get(name=rollups.CLOCK).rebuilt_at <= timezone.now()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_set_based_insert_writes_one_change_per_group():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_enterprise (public_id, kind, name, trade_names, scale, "
            "village_id, address, phone_hash, phone_masked, email, links, created_at, updated_at) "
            "SELECT 'pid' || g, 'umkm', 'Usaha ' || g, '[]', '', %s, '', '', '', '', '[]', "
            "now(), now() FROM generate_series(1, 500) g",
            [DAYEUHKOLOT],
        )
    assert list(OnboardingChange.objects.values_list("delta", flat=True)) == [500]


def test_a_partner_import_and_its_resolution_reach_the_rollups(tmp_path):
    """The set-based import path (INSERT … SELECT, automatic merges) through the same triggers."""
    from tumbuh.registry.tests.console_helpers import GEGERKALONG, import_rows, nik, partner, row

    rollups.apply_changes()
    rows = [
        row(
            "Keripik Singkong Ibu Ani", owner="Ani Suryani", nik=nik("320412"), nib="1234567890123"
        ),
        row("Kopi Gegerkalong", owner="Budi", village=GEGERKALONG, scale="kecil"),
        row("Tenun Namosain", owner="Maria", village=NAMOSAIN, nib="9234567890123"),
    ]
    import_rows(tmp_path, partner(), rows)
    import_rows(tmp_path, partner(), rows[:1], name="mitra-2.csv")  # the same business again
    rollups.apply_changes()
    incremental = snapshot()

    rollups.rebuild()

    assert snapshot() == incremental
    assert national() == Enterprise.objects.deduplicated().count() == 3
    assert national(Milestone.Kind.NIB_ISSUED) == 2


def test_the_rebuild_command_counts_the_registry_and_the_sections():
    import io
    import json

    from django.core.management import call_command

    make_enterprise()
    output = io.StringIO()
    call_command("rebuild_rollups", stdout=output)
    result = json.loads(output.getvalue())
    assert result["facts"] == 1
    assert set(result["sections"]["rows"]) == {
        "programme",
        "capability",
        "licensing",
        "stores",
        "supply",
        "connectivity",
        "partners",
    }
    assert national() == 1
    assert RollupClock.objects.filter(name="section:connectivity").exists()


def test_a_page_read_builds_rollups_never_built_only_for_a_small_registry(monkeypatch, caplog):
    """A registry loaded in bulk (30 M) is rebuilt by `tumbuh rebuild_rollups`, never inside a
    visitor's request (rollups.REBUILD_IN_REQUEST_LIMIT)."""
    make_enterprise(village=SARMI_VILLAGE, scale=Enterprise.Scale.MIKRO)
    make_enterprise(village=SARMI_VILLAGE, scale=Enterprise.Scale.KECIL)
    assert not RollupClock.objects.filter(name=rollups.CLOCK).exists()
    monkeypatch.setattr(rollups, "REBUILD_IN_REQUEST_LIMIT", 1)

    fold = rollups.refresh()

    assert fold.skipped
    assert not RollupClock.objects.filter(name=rollups.CLOCK).exists()
    assert OnboardingChange.objects.count() == 2  # kept for the rebuild to replace
    assert "tumbuh rebuild_rollups" in caplog.text

    monkeypatch.setattr(rollups, "REBUILD_IN_REQUEST_LIMIT", 2)
    fold = rollups.refresh()

    assert not fold.skipped
    assert RollupClock.objects.filter(name=rollups.CLOCK).exists()
    assert national() == 2
