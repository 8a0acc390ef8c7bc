"""Demo capability data: the v1 instrument, and assessments across levels and regions.

About two in five demo businesses of Jawa Barat, Nusa Tenggara Timur and Papua (the provinces
with a demo office or mentors) are assessed, at most ``MAX_ASSESSED`` of them, some twice (an earlier, lower level and a later
one), so the console shows levels by region and histories. Answers are drawn from a
per-business aptitude: businesses in Nusa Tenggara Timur start lower on average than those in
Jawa Barat, as the programme's baseline surveys suggest. Every assessment carries a client id
made from the seed and the business, so running the demo again adds nothing. One demo owner
login is linked to an assessed business for the self-assessment pages.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tumbuh.accounts.models import User
from tumbuh.accounts.services import system_actor
from tumbuh.capability import services
from tumbuh.capability.models import Assessment
from tumbuh.capability.scoring import LEVELS
from tumbuh.core.demodata import DemoReport, demo_password
from tumbuh.core.region_filter import region_q
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import link_account

SHARE_ASSESSED = 0.4
MAX_ASSESSED = 600
SHARE_ASSESSED_TWICE = 0.35
OWNER_LOGIN = "pemilik@demo.tumbuh.id"
OWNER_NAME = "Siti Nurhaliza"
# Mean aptitude (0–1) by province: where the programme starts from.
BASELINE = {"32": 0.5, "53": 0.32, "91": 0.28}


def _answers(questions, aptitude: float, rng: random.Random) -> dict[str, str]:
    """One option per question, higher options more likely for a higher aptitude."""
    answers = {}
    for question in questions:
        options = sorted(question.options.all(), key=lambda option: option.points)
        position = aptitude * (len(options) - 1) + rng.gauss(0, 0.7)
        index = min(len(options) - 1, max(0, round(position)))
        answers[question.key] = options[index].key
    return answers


def load(*, seed: int, report: DemoReport) -> None:
    instrument, _created = services.load_instrument()
    questions = services.instrument_structure(instrument)
    rng = random.Random(f"capability:{seed}")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    existing = set(
        Assessment.objects.filter(client_id__startswith=f"demo-{seed}-").values_list(
            "client_id", flat=True
        )
    )
    businesses = list(
        Enterprise.objects.deduplicated()
        .filter(
            region_q("village__code", "32")
            | region_q("village__code", "53")
            | region_q("village__code", "91")
        )
        .order_by("pk")
        .values_list("pk", "village_id")
    )
    assessed = []
    system = system_actor()
    with transaction.atomic():
        for pk, village in businesses:
            # Draw every number whether or not the assessment exists, so the sequence (and the
            # data) is the same on every run.
            chosen = rng.random() < SHARE_ASSESSED
            twice = rng.random() < SHARE_ASSESSED_TWICE
            aptitude = min(1.0, max(0.0, rng.gauss(BASELINE.get(village[:2], 0.4), 0.22)))
            growth = rng.uniform(0.05, 0.3)
            days_ago = rng.randint(5, 120)
            earlier_days = days_ago + rng.randint(90, 240)
            if not chosen or len(assessed) >= MAX_ASSESSED:
                continue
            assessed.append(pk)
            enterprise = Enterprise.objects.get(pk=pk)
            rounds = []
            if twice:
                rounds.append((f"demo-{seed}-{pk}-1", max(0.0, aptitude - growth), earlier_days))
            rounds.append((f"demo-{seed}-{pk}-2", aptitude, days_ago))
            for client_id, level_of_skill, days in rounds:
                answers = _answers(questions, level_of_skill, rng)
                mode = "mentor" if rng.random() < 0.6 else "self"
                hours = rng.randint(0, 9)
                if client_id in existing:
                    continue
                services.submit_assessment(
                    enterprise=enterprise,
                    instrument=instrument,
                    answers=answers,
                    by=system,
                    mode=mode,
                    taken_at=now - timedelta(days=days, hours=hours),
                    client_id=client_id,
                )
    _owner(seed, report, assessed)
    levels = dict.fromkeys((level.number for level in LEVELS), 0)
    for pk in assessed:
        latest = Assessment.objects.filter(enterprise_id=pk).latest_first().first()
        if latest is not None:
            levels[latest.level] += 1
    report.say(
        f"capability: instrument v{instrument.version} ({len(questions)} questions); "
        f"{len(assessed)} of {len(businesses)} businesses assessed, current levels "
        + ", ".join(f"{number}: {count}" for number, count in levels.items())
    )
    report.add_link("/kecakapan-digital/", "Asesmen kecakapan digital (self-assessment)")
    report.add_link("/konsol/kecakapan/", "Kecakapan digital per wilayah (capability console)")


def _owner(seed: int, report: DemoReport, assessed: list[int]) -> None:
    """A business owner in Jawa Barat whose business has a history of assessments."""
    history = (
        Enterprise.objects.filter(region_q("village__code", "32"), pk__in=assessed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    target = None
    for pk in history:
        if Assessment.objects.filter(enterprise_id=pk).count() > 1:
            target = Enterprise.objects.get(pk=pk)
            break
    if target is None:
        target = Enterprise.objects.deduplicated().order_by("pk").first()
    if target is None:
        return
    user = User.objects.filter(email=OWNER_LOGIN).first()
    if user is None:
        user = User.objects.create_user(email=OWNER_LOGIN, full_name=OWNER_NAME)
    password = demo_password(OWNER_LOGIN, seed)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    link_account(user=user, enterprise=target, by=system_actor())
    report.add_login(OWNER_LOGIN, password, f"Pemilik usaha (business owner), {target.name}")
