"""Demo registry: synthetic partner files (with ground truth), imported and resolved.

Two kinds of list arrive, both through the partner import (``import_file``) and the entity
resolution, as a real partner's would:

- the four partners' lists (the provincial office, a marketplace, a university, a state bank):
  businesses of every loaded province, regencies weighted by population, about 40 for every
  million inhabitants, a third of them listed by two or three partners, with the typos, missing
  fields and bad rows partners send;
- the ministry's village-by-village data collection in the 3T regencies ("pendataan UMKM desa"):
  in about one rural village (desa) for every 75,000 inhabitants of a 3T regency, every business
  the enumerators found, about 400 for every million inhabitants of those regencies. Many of
  these villages have no 4G signal, which is what the connectivity planner needs to see.

On the whole country that is about 11,000 and 12,000 businesses; with fewer provinces loaded (the
tests load three) proportionally fewer. The files are generated deterministically from the demo
seed and imported under the demo organisations; importing them again changes nothing.

Synthetic as they are, the files hold full NIKs and phone numbers, exactly like a partner's: they
are written to a temporary directory, imported through the real import path (which keeps the
personal columns encrypted and deletes its stored copy once the rows are in) and deleted with it.
Only the ground truth without personal data stays in ``var/demo/registry-<seed>/``
(``truth.csv``: which business each partner row is; ``manifest.json``: what was generated), so
the demo's entity resolution can still be measured against it.
"""

import dataclasses
import random
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db.models import Sum

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Organisation
from tumbuh.core.demodata import DemoReport
from tumbuh.regions.models import Regency, Village
from tumbuh.registry.importing.villages import VillageIndex
from tumbuh.registry.models import Enterprise, ImportBatch, SourceRecord
from tumbuh.registry.services import _sha256, import_file, resolve_duplicates
from tumbuh.registry.synthetic import DEFAULT_PARTNERS, GeneratedSet, generate
from tumbuh.registry.synthetic.partners import PartnerSpec

PARTNER_BUSINESSES_PER_MILLION = 40
VILLAGE_BUSINESSES_PER_MILLION_3T = 400
PEOPLE_PER_SURVEYED_VILLAGE = 75_000
# Generator partner → demo organisation (slug, name, kind, region).
ORGANISATIONS = {
    "dinas-kumkm-provinsi": ("kementerian", None, None, None),
    "pasar-nusantara": ("pasar-nusantara", None, None, None),
    "kampus-mengabdi": ("kampus-flobamora", None, None, None),
    "bank-mitra-desa": (
        "bank-mitra-desa",
        "Bank Mitra Desa (demo state bank)",
        Organisation.Kind.STATE_BANK,
        "",
    ),
}
# The ministry's enumerators: village codes from their own forms, few typos, few bad rows.
VILLAGE_SURVEY = PartnerSpec(
    "kementerian",
    "ministry",
    "csv",
    "dinas",
    coverage=1.0,
    noise=0.2,
    bad_rate=0.005,
    name="Pendataan UMKM desa 3T (demo)",
)


def load(*, seed: int, report: DemoReport) -> None:
    partners = []
    for spec in DEFAULT_PARTNERS:
        slug, name, kind, region = ORGANISATIONS[spec.slug]
        if not Organisation.objects.filter(slug=slug).exists():
            account_services.create_organisation(
                name=name,
                kind=kind,
                region_code=region,
                slug=slug,
                by=account_services.system_actor(),
            )
        partners.append(dataclasses.replace(spec, slug=slug))
    provinces = sorted(Regency.objects.values_list("province_id", flat=True).distinct())
    if not provinces:
        report.say("registry: no regions loaded; no demo businesses")
        return
    people = Regency.objects.aggregate(total=Sum("population"))["total"] or 0
    truth_dir = Path(settings.VAR_DIR) / "demo" / f"registry-{seed}"
    villages, people_3t = surveyed_villages(seed)
    system = account_services.system_actor()
    rows = rejected = imported = 0
    with tempfile.TemporaryDirectory(prefix="tumbuh-demo-registry-") as scratch:
        out_dir = Path(scratch)
        sets = [
            generate(
                businesses=round(people / 1e6 * PARTNER_BUSINESSES_PER_MILLION),
                seed=seed,
                out_dir=out_dir,
                partners=partners,
                provinces=provinces,
            )
        ]
        if villages:
            sets.append(
                generate(
                    businesses=round(people_3t / 1e6 * VILLAGE_BUSINESSES_PER_MILLION_3T),
                    seed=seed + 1,
                    out_dir=out_dir / "desa-3t",
                    partners=[VILLAGE_SURVEY],
                    provinces=provinces,
                    villages=villages,
                )
            )
        index = None
        for generated in sets:
            for partner_file in generated.files:
                organisation = Organisation.objects.get(slug=partner_file.slug)
                batch = ImportBatch.objects.filter(
                    organisation=organisation,
                    file_sha256=_sha256(partner_file.path),
                    status=ImportBatch.Status.DONE,
                ).first()
                if batch is None:  # a second demo run finds the files imported and adds nothing
                    index = index or VillageIndex.build()
                    batch = import_file(
                        path=partner_file.path, organisation=organisation, villages=index, by=system
                    )
                    imported += 1
                rows += batch.processed_rows
                rejected += batch.rejected_count
            keep_ground_truth(generated, truth_dir / generated.out_dir.relative_to(out_dir))
    # Resolution runs after new lists arrive; a second run, which imports nothing, leaves the
    # registry (and every store, enrolment and case made on its businesses) as it was.
    resolved = resolve_duplicates(by=system) if imported else {"merged": 0, "queued": 0}
    files = sum(len(generated.files) for generated in sets)
    report.say(
        f"registry: {rows} partner rows in {files} files ({rejected} rejected), "
        f"{SourceRecord.objects.count()} source records; entity resolution merged "
        f"{resolved['merged']} and queued {resolved['queued']} pairs for review: "
        f"{Enterprise.objects.deduplicated().count()} businesses "
        f"({sum(g.businesses for g in sets)} real ones in the ground truth, {truth_dir}); "
        f"{len(villages)} villages of 3T regencies surveyed"
    )
    report.add_link("/konsol/registri/", "Registri UMKM (registry)")


def keep_ground_truth(generated: GeneratedSet, folder: Path) -> None:
    """Copy the set's ground truth, which holds no personal data, to ``folder``; remove the
    partner files and true records (full NIKs and phone numbers) that earlier versions of the
    demo left there."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in (generated.truth_path, generated.manifest_path):
        shutil.copyfile(path, folder / path.name)
    for path in (generated.businesses_path, *(partner.path for partner in generated.files)):
        (folder / path.name).unlink(missing_ok=True)


def surveyed_villages(seed: int) -> tuple[list[str], int]:
    """The rural villages of the loaded 3T regencies the enumerators visited, and the people there.

    One village for every ``PEOPLE_PER_SURVEYED_VILLAGE`` inhabitants of a regency (at least
    one), drawn from its desa (kelurahan are towns), the same for a seed.
    """
    rng = random.Random(f"registry:survey:{seed}")
    chosen: list[str] = []
    people = 0
    for code, population in (
        Regency.objects.filter(is_3t=True).order_by("code").values_list("code", "population")
    ):
        desa = list(
            Village.objects.filter(regency_id=code, code__regex=r"\.2\d{3}$")
            .order_by("code")
            .values_list("code", flat=True)
        )
        if not desa:
            continue
        wanted = max(1, round((population or 0) / PEOPLE_PER_SURVEYED_VILLAGE))
        chosen += rng.sample(desa, min(wanted, len(desa)))
        people += population or 0
    return chosen, people
