"""Demo licensing: NIB and halal self-declare cases in every step for demo businesses.

Businesses are drawn with the seed from the registry's demo businesses (Jawa Barat and NTT) and
taken through the real services, so every step has its event rows. Two halal-process mentors
(one per demo province) are created and printed as logins. Some certificates are issued, one
expires within 90 days (the reminder list). Running the demo again finds the cases and adds
nothing. Only the timestamps are set back afterwards (spread over past weeks) so that "time in
this step" shows realistic numbers; that backdating is demo-only.
"""

import datetime
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation, User
from tumbuh.core.demodata import DemoReport, demo_password
from tumbuh.core.region_filter import region_q
from tumbuh.licensing import services
from tumbuh.licensing.models import (
    HalalCase,
    HalalCaseEvent,
    HalalCertificate,
    NibCase,
    NibCaseEvent,
)
from tumbuh.registry.models import Enterprise

PROVINCES = ("32", "53")
MENTORS = {
    # province: (login, name, organisation slug)
    "32": ("pendamping.halal.jabar@demo.tumbuh.id", "Euis Nurhayati", "dinas-jabar"),
    "53": ("pendamping.halal.ntt@demo.tumbuh.id", "Agustina Nabu", "dinas-ntt"),
}
# NIB cases per province: how many stop in each open step, and how many are issued (these
# then go on to the halal cases).
NIB_OPEN = {
    NibCase.Step.ACCOUNT: 1,
    NibCase.Step.BUSINESS: 1,
    NibCase.Step.KBLI: 1,
    NibCase.Step.SUBMITTED: 1,
}
NIB_ISSUED = 11
HALAL_PLAN = [
    HalalCase.Step.ACCOUNT,
    HalalCase.Step.MENTOR,
    HalalCase.Step.PRODUCTS,
    HalalCase.Step.SUBMITTED,
    HalalCase.Step.VERIFICATION,
    HalalCase.Step.DOCUMENT_CHECK,
    HalalCase.Step.FATWA,
    HalalCase.Step.ISSUED,
]
KBLI = ["10794", "10710", "10761", "10792", "10750", "10391", "11040", "10779"]
PRODUCTS = [
    (
        "Keripik Pisang",
        [
            ("Pisang kepok", "", "natural"),
            ("Minyak goreng sawit", "ID00110000123450122", ""),
            ("Garam", "", "non_critical"),
        ],
    ),
    ("Kopi Bubuk Arabika", [("Biji kopi arabika", "", "natural")]),
    (
        "Kue Bawang",
        [
            ("Tepung terigu", "ID00210000234560120", ""),
            ("Bawang putih", "", "natural"),
            ("Minyak goreng sawit", "ID00110000123450122", ""),
        ],
    ),
    (
        "Dodol Nanas",
        [
            ("Nanas", "", "natural"),
            ("Gula pasir", "ID00310000345670121", ""),
            ("Santan kelapa", "", "natural"),
        ],
    ),
    ("Tempe Kedelai", [("Kedelai", "", "natural"), ("Ragi tempe", "ID00410000456780123", "")]),
    (
        "Sambal Roa",
        [
            ("Ikan roa asap", "", "natural"),
            ("Cabai", "", "natural"),
            ("Minyak goreng sawit", "ID00110000123450122", ""),
        ],
    ),
    (
        "Abon Sapi",
        [
            ("Daging sapi (RPH bersertifikat)", "ID00510000567890124", ""),
            ("Bumbu rempah", "", "non_critical"),
        ],
    ),
    ("Madu Hutan Timor", [("Madu hutan", "", "natural")]),
]


def _mentor(province: str, seed: int, report: DemoReport) -> User:
    login, name, slug = MENTORS[province]
    organisation = Organisation.objects.get(slug=slug)
    user = User.objects.filter(email=login).first()
    if user is None:
        user = User.objects.create_user(email=login, full_name=name)
    password = demo_password(login, seed)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    if not user.memberships.filter(organisation=organisation, role=Membership.Role.MENTOR).exists():
        account_services.grant_membership(
            user=user,
            organisation=organisation,
            role=Membership.Role.MENTOR,
            by=account_services.system_actor(),
        )
    report.add_login(login, password, f"Pendamping PPH (halal-process mentor), {organisation.name}")
    return user


def _nik(enterprise: Enterprise, rng: random.Random) -> str:
    district = enterprise.village_id[:8].replace(".", "")
    day = rng.randint(1, 28) + (40 if rng.random() < 0.6 else 0)
    return f"{district}{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}{rng.randint(1, 9999):04d}"


def _phone(rng: random.Random) -> str:
    """A mobile number 08xy-…: no operator uses 084, so 40–49 become 50–59 (the draws are the
    same as before, so every later value of the demo stays the same)."""
    prefix = rng.randint(11, 59)
    if prefix // 10 == 4:
        prefix += 10
    return f"08{prefix}{rng.randint(10_000_000, 99_999_999)}"


def _nib(rng: random.Random) -> str:
    while True:
        nib = f"9120{rng.randint(0, 999_999_999):09d}"
        if not Enterprise.objects.filter(nib=nib).exists():
            return nib


def _nib_case(enterprise, target, mentor, rng) -> NibCase:
    case = services.start_nib_case(enterprise=enterprise, by=mentor, assigned_mentor=mentor)
    # Every step's data is drawn first, in this order, so a seed gives the same cases.
    path = [
        (
            NibCase.Step.BUSINESS,
            {
                "applicant": services.Applicant(
                    applicant_name=f"Pemilik {enterprise.name}"[:150],
                    nik=_nik(enterprise, rng),
                    phone=_phone(rng),
                )
            },
        ),
        (
            NibCase.Step.KBLI,
            {
                "business": services.BusinessData(
                    business_name=enterprise.name,
                    address=enterprise.address or f"Desa {enterprise.village.name}",
                    village=enterprise.village_id,
                    capital_idr=rng.choice([5, 10, 25, 50, 150]) * 1_000_000,
                    workforce=rng.randint(1, 9),
                    scale=enterprise.scale or rng.choice(["mikro", "mikro", "kecil"]),
                )
            },
        ),
        (NibCase.Step.SUBMITTED, {"kbli_codes": [rng.choice(KBLI)]}),
        (NibCase.Step.ISSUED, {"nib": _nib(rng)}),
    ]
    for to_step, data in path:
        if case.step == target:
            break
        case = services.advance_nib_case(case=case, to=to_step, by=mentor, **data)
    return case


def _halal_case(enterprise, target, mentor, rng, *, number: int, expiring: bool) -> HalalCase:
    case = services.start_halal_case(enterprise=enterprise, by=mentor, assigned_mentor=mentor)
    name, ingredients = PRODUCTS[number % len(PRODUCTS)]
    today = timezone.localdate()
    for to_step in HALAL_PLAN[1:]:
        if case.step == target:
            break
        data: dict = {}
        if to_step == HalalCase.Step.MENTOR:
            data = {"sihalal_account": enterprise.email or f"usaha{enterprise.pk}@contoh.id"}
        elif to_step == HalalCase.Step.PRODUCTS:
            data = {"mentor": mentor}
        elif to_step == HalalCase.Step.SUBMITTED:
            services.set_halal_products(
                case=case,
                products=[
                    services.ProductDraft(
                        name=name,
                        ingredients=tuple(
                            services.IngredientDraft(name=n, certificate_number=c, exemption=e)
                            for n, c, e in ingredients
                        ),
                    )
                ],
                process_description=(
                    "Bahan dicuci, diolah dengan alat sederhana di dapur rumah, dikemas dalam "
                    "plastik food grade dan diberi label."
                ),
                is_simple_process=True,
                by=mentor,
            )
            data = {"registration_number": f"SH{today.year}-{rng.randint(1_000_000, 9_999_999)}"}
        elif to_step == HalalCase.Step.DOCUMENT_CHECK:
            from django.core.files.uploadedfile import SimpleUploadedFile

            services.add_evidence_photo(
                case=case,
                upload=SimpleUploadedFile("dapur.png", _photo(rng)),
                caption="Dapur produksi",
                by=mentor,
            )
            data = {"checklist": dict.fromkeys(services.HALAL_CHECKLIST, True)}
        elif to_step == HalalCase.Step.ISSUED:
            if expiring:
                issued_on = today - datetime.timedelta(days=4 * 365 - 45)
            else:
                issued_on = today - datetime.timedelta(days=rng.randint(20, 400))
            services.issue_halal_certificate(
                case=case,
                number=f"ID{enterprise.village_id[:2]}1100{rng.randint(10_000_000, 99_999_999)}{today.year % 100:02d}",
                issued_on=issued_on,
                valid_until=issued_on + datetime.timedelta(days=4 * 365),
                by=mentor,
            )
            case.refresh_from_db()
            continue
        case = services.advance_halal_case(case=case, to=to_step, by=mentor, **data)
    return case


def _photo(rng: random.Random) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    colour = (rng.randint(120, 220), rng.randint(100, 200), rng.randint(60, 160))
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _backdate(case, event_model, rng: random.Random) -> None:
    """Spread the case's history over past weeks (demo only), keeping the order of events."""
    events = list(event_model.objects.filter(case=case).order_by("at", "pk"))
    now = timezone.now()
    moment = now - datetime.timedelta(
        days=rng.randint(10, 20) * len(events), hours=rng.randint(0, 23)
    )
    for event in events:
        event_model.objects.filter(pk=event.pk).update(at=moment)
        last = moment
        moment = min(
            moment + datetime.timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 23)), now
        )
    type(case).objects.filter(pk=case.pk).update(step_entered_at=last)


def load(*, seed: int, report: DemoReport) -> None:
    rng = random.Random(f"licensing:{seed}")
    made_nib = made_halal = 0
    for province in PROVINCES:
        mentor = _mentor(province, seed, report)
        pool = list(
            Enterprise.objects.deduplicated()
            .filter(region_q("village__code", province), kind=Enterprise.Kind.UMKM)
            .exclude(scale=Enterprise.Scale.MENENGAH)
            # Businesses without a NIB, or whose NIB came from a demo case: the same pool on
            # every run, so a second run finds its cases.
            .filter(Q(nib__isnull=True) | Q(nib_cases__isnull=False))
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)[:400]
        )
        if not pool:
            continue
        wanted = sum(NIB_OPEN.values()) + NIB_ISSUED
        chosen = rng.sample(pool, min(wanted, len(pool)))
        plan = [step for step, count in NIB_OPEN.items() for _ in range(count)]
        plan += [NibCase.Step.ISSUED] * NIB_ISSUED
        issued = []
        for enterprise_id, target in zip(chosen, plan, strict=False):
            enterprise = Enterprise.objects.select_related("village").get(pk=enterprise_id)
            case_rng = random.Random(f"licensing:{seed}:nib:{enterprise_id}")
            case = NibCase.objects.filter(enterprise=enterprise).first()
            if case is None:
                if enterprise.nib:
                    continue  # already had a NIB from the registry: nothing to assist
                with transaction.atomic():
                    case = _nib_case(enterprise, target, mentor, case_rng)
                    _backdate(case, NibCaseEvent, case_rng)
                made_nib += 1
            if case.step == NibCase.Step.ISSUED:
                issued.append(enterprise)
        for number, (enterprise, target) in enumerate(zip(issued, HALAL_PLAN, strict=False)):
            if HalalCase.objects.filter(enterprise=enterprise).exists():
                continue
            case_rng = random.Random(f"licensing:{seed}:halal:{enterprise.pk}")
            with transaction.atomic():
                case = _halal_case(
                    enterprise,
                    target,
                    mentor,
                    case_rng,
                    number=number + (0 if province == "32" else 4),
                    expiring=province == "32" and target == HalalCase.Step.ISSUED,
                )
                _backdate(case, HalalCaseEvent, case_rng)
            made_halal += 1
        # More certificates: the remaining NIB-issued businesses get issued halal cases.
        for number, enterprise in enumerate(issued[len(HALAL_PLAN) :]):
            if HalalCase.objects.filter(enterprise=enterprise).exists():
                continue
            case_rng = random.Random(f"licensing:{seed}:halal:{enterprise.pk}")
            with transaction.atomic():
                case = _halal_case(
                    enterprise,
                    HalalCase.Step.ISSUED,
                    mentor,
                    case_rng,
                    number=number,
                    expiring=False,
                )
                _backdate(case, HalalCaseEvent, case_rng)
            made_halal += 1
    report.say(
        f"licensing: {NibCase.objects.count()} NIB cases, {HalalCase.objects.count()} halal cases, "
        f"{HalalCertificate.objects.count()} halal certificates ({made_nib} NIB and {made_halal} "
        "halal cases made now)"
    )
    report.add_link("/konsol/perizinan/", "Perizinan: NIB dan halal (licensing console)")
