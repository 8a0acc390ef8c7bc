"""Demo connectivity: a synthetic but plausible network over the real villages, and a saved plan.

SYNTHETIC, NOT REAL DATA: no site-level list of BTS or blank-spot villages is published (see
``../shared/data/PROVENANCE.md``). The demo draws, from the seed:

- a fibre point of presence at the centre of every regency capital area (the regency centroid),
  except in part of the eastern interior regencies, where the backbone is thinner;
- 4G sites near every urban village (kelurahan) and near a share of the rural villages, a share
  that falls from west to east the way the BAKTI figures put the blank spots (Papua, Maluku,
  Nusa Tenggara Timur and the Kalimantan interiors last);
- state-funded (BAKTI) sites still being built in 3T regencies, a few satellite access points
  and mentors' signal checks;
- a saved plan for Nusa Tenggara Timur, where the demo registry's village survey of the 3T
  regencies has hundreds of businesses waiting in villages without 4G.

Every row says ``Demo sintetis`` in its source. Running the demo again changes nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.connectivity import services
from tumbuh.connectivity.models import (
    Backhaul,
    PointOfPresence,
    Site,
    SitePlan,
    Technology,
    Terrain,
    VillageFact,
)
from tumbuh.core.demodata import DemoReport
from tumbuh.core.money import rupiah, thousands
from tumbuh.regions.models import Regency, Village

SOURCE = "Demo sintetis (bukan data nyata)"
SOURCE_DATE = datetime.date(2026, 1, 31)
EAST = {"91", "92", "93", "94", "95", "96"}
MALUKU = {"81", "82"}
MIDDLE = {"52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
PLAN_NAME = "Demo: rencana BTS 4G NTT"
PLAN_BUDGET_IDR = 150_000_000_000


def rural_share(province: str) -> float:
    """The share of rural villages with a 4G site nearby, falling from west to east."""
    if province in EAST:
        return 0.2
    if province in MALUKU:
        return 0.4
    if province in MIDDLE:
        return 0.55
    return 0.8


def terrain(province: str) -> str:
    if province in EAST:
        return Terrain.MOUNTAINOUS
    if province in MALUKU | MIDDLE:
        return Terrain.HILLY
    return Terrain.FLAT


def load(*, seed: int, report: DemoReport) -> None:
    by = system_actor()
    if not Site.objects.filter(source=SOURCE).exists():
        _network(seed)
        summary = services.recompute_coverage(by=by)
        report.say(
            f"Connectivity (synthetic): {thousands(summary['sites_on_air'])} sites on air, "
            f"{thousands(summary['with_4g'])} of {thousands(summary['villages'])} villages "
            "with 4G."
        )
    if not SitePlan.objects.filter(name=PLAN_NAME, status=SitePlan.Status.READY).exists():
        # The console's path (queued, then solved by the task's own function), run here at once.
        plan = services.create_plan(
            name=PLAN_NAME, budget_idr=PLAN_BUDGET_IDR, by=by, region_code="53", time_limit=20.0
        )
        per_business = plan.cost_idr // max(1, plan.covered_enterprises)
        report.say(
            f"Site plan for NTT (synthetic network): {plan.picks.count()} sites, "
            f"{plan.covered_enterprises} businesses covered for {rupiah(plan.cost_idr)} "
            f"({rupiah(per_business)} per business unlocked)."
            if plan.status == SitePlan.Status.READY
            else f"Site plan for NTT: {plan.get_status_display()}: {plan.error}"
        )
    report.add_link("/konsol/konektivitas/", "Konektivitas desa dan perencana BTS (connectivity)")


@transaction.atomic
def _network(seed: int) -> None:
    rng = random.Random(f"connectivity:{seed}")
    regencies = Regency.objects.exclude(latitude=None).order_by("code")
    pops = []
    for code, name, latitude, longitude in regencies.values_list(
        "code", "name", "latitude", "longitude"
    ):
        if code[:2] in EAST | MALUKU and rng.random() < 0.4:
            continue  # the backbone has not reached this regency's capital yet
        pops.append(
            PointOfPresence(
                code=f"DEMO-POP-{code}",
                name=f"PoP {name}",
                operator="Demo Backbone",
                latitude=latitude,
                longitude=longitude,
                source=SOURCE,
                source_date=SOURCE_DATE,
            )
        )
    PointOfPresence.objects.bulk_create(pops, batch_size=1000)

    villages = Village.objects.exclude(latitude=None).order_by("code")
    sites = []
    today = timezone.localdate()
    for code, latitude, longitude, is_3t in villages.values_list(
        "code", "latitude", "longitude", "regency__is_3t"
    ):
        province = code[:2]
        urban = code.split(".")[3].startswith("1")
        draw = rng.random()
        if not urban and draw >= rural_share(province):
            if is_3t and draw < rural_share(province) + 0.03:
                status = rng.choice(
                    [Site.Status.PLANNED, Site.Status.CONTRACTED, Site.Status.UNDER_CONSTRUCTION]
                )
                sites.append(_site(code, latitude, longitude, province, status, rng, today))
            continue
        sites.append(_site(code, latitude, longitude, province, Site.Status.ON_AIR, rng, today))
    Site.objects.bulk_create(sites, batch_size=2000)

    rural_3t = [
        code
        for code in villages.filter(regency__is_3t=True).values_list("code", flat=True)
        if code.split(".")[3].startswith("2")
    ]
    blank = rural_3t[:: 97 + seed % 7]
    facts = []
    for index, code in enumerate(blank):
        facts.append(
            VillageFact(
                village_id=code,
                layer=VillageFact.Layer.ACCESS_POINT
                if index % 2
                else VillageFact.Layer.SIGNAL_CHECK,
                value="satelit" if index % 2 else rng.choice([Technology.NONE, Technology.G2]),
                detail="Akses internet satelit di balai desa"
                if index % 2
                else "Cek sinyal pendamping",
                source=SOURCE,
                observed_on=SOURCE_DATE,
            )
        )
    VillageFact.objects.bulk_create(facts, ignore_conflicts=True)


def _site(code, latitude, longitude, province, status, rng, today) -> Site:
    state = status != Site.Status.ON_AIR or (province in EAST | MALUKU and rng.random() < 0.5)
    on_air = today - datetime.timedelta(days=rng.randint(60, 3000))
    return Site(
        operator="BAKTI" if state else rng.choice(["Operator A", "Operator B", "Operator C"]),
        code=f"DEMO-{code}",
        name=f"Site {code}",
        latitude=round(latitude + rng.uniform(-0.01, 0.01), 6),
        longitude=round(longitude + rng.uniform(-0.01, 0.01), 6),
        village_id=code,
        technology=Technology.G4,
        terrain=terrain(province),
        status=status,
        backhaul=rng.choice([Backhaul.SATELLITE, Backhaul.MICROWAVE])
        if state
        else rng.choice([Backhaul.FIBRE, Backhaul.MICROWAVE]),
        funding=Site.Funding.STATE if state else Site.Funding.OPERATOR,
        planned_on=on_air - datetime.timedelta(days=400),
        contracted_on=on_air - datetime.timedelta(days=300) if status != "planned" else None,
        built_on=on_air if status == Site.Status.ON_AIR else None,
        on_air_on=on_air if status == Site.Status.ON_AIR else None,
        source=SOURCE,
        source_date=SOURCE_DATE,
    )
