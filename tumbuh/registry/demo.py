"""Demo registry: synthetic partner files (with ground truth), imported and resolved.

The files are generated deterministically from the demo seed into ``var/demo/registry-<seed>/``
and imported under the demo partner organisations; importing them again changes nothing.
"""

import dataclasses
from pathlib import Path

from django.conf import settings

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Organisation
from tumbuh.core.demodata import DemoReport
from tumbuh.registry.importing.villages import VillageIndex
from tumbuh.registry.models import Enterprise, ImportBatch, SourceRecord
from tumbuh.registry.services import _sha256, import_file, resolve_duplicates
from tumbuh.registry.synthetic import DEFAULT_PARTNERS, generate

BUSINESSES = 1500
PROVINCES = ["32", "53"]  # the demo's two provincial offices
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


def load(*, seed: int, report: DemoReport) -> None:
    partners = []
    for spec in DEFAULT_PARTNERS:
        slug, name, kind, region = ORGANISATIONS[spec.slug]
        if not Organisation.objects.filter(slug=slug).exists():
            account_services.create_organisation(
                name=name, kind=kind, region_code=region, slug=slug
            )
        partners.append(dataclasses.replace(spec, slug=slug))
    out_dir = Path(settings.VAR_DIR) / "demo" / f"registry-{seed}"
    generated = generate(
        businesses=BUSINESSES, seed=seed, out_dir=out_dir, partners=partners, provinces=PROVINCES
    )
    villages = None
    rows = rejected = 0
    for partner_file in generated.files:
        organisation = Organisation.objects.get(slug=partner_file.slug)
        batch = ImportBatch.objects.filter(
            organisation=organisation,
            file_sha256=_sha256(partner_file.path),
            status=ImportBatch.Status.DONE,
        ).first()
        if batch is None:  # a second demo run finds the files imported and adds nothing
            villages = villages or VillageIndex.build()
            batch = import_file(
                path=partner_file.path, organisation=organisation, villages=villages
            )
        rows += batch.processed_rows
        rejected += batch.rejected_count
    resolved = resolve_duplicates()
    report.say(
        f"registry: {rows} partner rows in {len(generated.files)} files ({rejected} rejected), "
        f"{SourceRecord.objects.count()} source records; entity resolution merged "
        f"{resolved['merged']} and queued {resolved['queued']} pairs for review: "
        f"{Enterprise.objects.deduplicated().count()} businesses "
        f"({generated.businesses} real ones in the ground truth, {out_dir})"
    )
    report.add_link("/konsol/registri/", "Registri UMKM (registry)")
