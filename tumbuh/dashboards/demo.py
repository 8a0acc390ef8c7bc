"""Demo targets, through ``services.set_target``, and the rollups folded for the first reader.

- The national target: 30 million businesses with an online store live (the programme's
  "30 juta UMKM go digital") by the end of this year, split over the loaded provinces in
  proportion to their population. The shipped data has no count of UMKM per province, and
  population is the usual stand-in; the split says so in its reason.
- The flagship programme's 30,000 businesses trained, over the regencies of its priority areas:
  each area's quota (the programmes demo sets them) split over the area's regencies by
  population.

Figures are never written here: the registry's facts reach the rollups through the change
triggers, and the demo only folds them (``rollups.apply_changes``), computes the sections'
figures from the other apps (``sections.refresh_sections``) and builds the open data files
(``opendata.publish.rebuild``): requests never build them, and the first reader finds them.
"""

from django.db.models import Sum
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.core.demodata import DemoReport
from tumbuh.dashboards import rollups, services
from tumbuh.dashboards.models import Target
from tumbuh.dashboards.opendata.publish import rebuild
from tumbuh.dashboards.sections import refresh_sections
from tumbuh.regions.models import PriorityAreaRegency, Province, Regency
from tumbuh.registry.models import Milestone

NATIONAL_TARGET = 30_000_000


def split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` in whole parts proportional to ``weights`` (largest remainders; sums exactly)."""
    whole = sum(weights.values())
    if not whole:
        return {}
    exact = {code: total * weight / whole for code, weight in weights.items()}
    parts = {code: int(value) for code, value in exact.items()}
    left = total - sum(parts.values())
    for code in sorted(exact, key=lambda code: (parts[code] - exact[code], code))[:left]:
        parts[code] += 1
    return parts


def _set(region_code: str, year: int, milestone: str, count: int, reason: str, by) -> int:
    latest = (
        Target.objects.filter(region_code=region_code, year=year, milestone=milestone)
        .order_by("-set_at", "-id")
        .first()
    )
    if latest and latest.count == count:
        return 0
    services.set_target(
        region_code=region_code, year=year, milestone=milestone, count=count, by=by, reason=reason
    )
    return 1


def _flagship_quotas() -> dict[str, int]:
    """Each priority area's quota of the flagship programme (0 areas when it is not loaded)."""
    from tumbuh.programmes.demo import PROGRAMME_NAME
    from tumbuh.programmes.models import ProgrammeArea

    return dict(
        ProgrammeArea.objects.filter(programme__name=PROGRAMME_NAME).values_list("area_id", "quota")
    )


def load(*, seed: int, report: DemoReport) -> None:
    actor = system_actor()
    year = timezone.localdate().year
    store_live = Milestone.Kind.STORE_LIVE
    made = _set(
        "", year, store_live, NATIONAL_TARGET, "Target nasional: 30 juta UMKM go digital.", actor
    )
    populations = dict(Province.objects.filter(population__gt=0).values_list("code", "population"))
    reason = "Bagian target nasional menurut jumlah penduduk provinsi (pengganti jumlah UMKM)."
    for code, count in split(NATIONAL_TARGET, populations).items():
        made += _set(code, year, store_live, count, reason, actor)

    trained: dict[str, int] = {}
    for area_id, quota in _flagship_quotas().items():
        members = dict(
            Regency.objects.filter(
                code__in=PriorityAreaRegency.objects.filter(area_id=area_id).values("regency_id"),
                population__gt=0,
            ).values_list("code", "population")
        )
        for code, count in split(quota, members).items():
            trained[code] = trained.get(code, 0) + count
    reason = "Program unggulan 30.000 UMKM pengolahan: kuota kawasan dibagi menurut penduduk."
    for code, count in sorted(trained.items()):
        made += _set(code, year, Milestone.Kind.TRAINED, count, reason, actor)

    fold = rollups.apply_changes()
    refresh_sections()  # the worker keeps them within five minutes; the first reader need not wait
    built = rebuild()  # the open data files, suppressed: seconds on the whole country
    opened = f"open data built ({built.seconds:.1f} s)" if built else "open data being built"
    regencies_with_targets = len(trained)
    total = Province.objects.aggregate(people=Sum("population"))["people"] or 0
    report.say(
        f"Dashboards: {made} targets set ({len(populations)} provinces, {regencies_with_targets} "
        f"regencies of the flagship areas; {total:,} people), rollups folded "
        f"({fold.changes} facts, {fold.seconds:.1f} s), {opened}"
    )
    report.add_link("/konsol/dasbor/", "Dasbor program nasional (national dashboard)")
    report.add_link("/data/", "Data terbuka (open data)")
