"""Open cohorts offered as next steps after a capability assessment.

Registered with ``tumbuh.capability.nextsteps`` from ``ProgrammesConfig.ready()``: for a
business, the cohorts that have not ended, whose programme's eligibility rule accepts it, whose
area contains its regency, and that still have places in the cohort, in the area's quota and in
the partner's share. A business already in a programme is not offered that programme again.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.programmes import services
from tumbuh.programmes.models import Cohort, Enrolment, PartnerQuota
from tumbuh.registry.services import surviving

MAX_OFFERS = 3
# Training and mentoring build digital skills and the first steps of selling online.
PILLARS = ("digital_skills", "online_presence", "online_selling")


def open_cohorts(enterprise):
    """Cohorts ``enterprise`` could join now, soonest first."""
    enterprise = surviving(enterprise)
    regency = ".".join(enterprise.village_id.split(".")[:2])
    joined = Enrolment.objects.filter(
        enterprise=enterprise, status__in=Enrolment.HOLDS_PLACE
    ).values("cohort__programme_id")
    cohorts = (
        Cohort.objects.filter(
            ends_on__gte=timezone.localdate(),
            programme_area__area__members__regency_id=regency,
        )
        .exclude(programme_id__in=joined)
        .select_related("programme", "programme_area__area", "partner", "venue_village")
        .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.HOLDS_PLACE)))
        .order_by("starts_on", "pk")
    )
    eligible_programmes: dict[int, bool] = {}
    found = []
    for cohort in cohorts:
        if cohort.taken >= cohort.capacity:
            continue
        if cohort.programme_id not in eligible_programmes:
            eligible_programmes[cohort.programme_id] = not services.eligibility_problems(
                cohort.programme, enterprise
            )
        if not eligible_programmes[cohort.programme_id]:
            continue
        area = cohort.programme_area
        if services.places_used(programme_area=area) >= area.quota:
            continue
        share = PartnerQuota.objects.filter(programme_area=area, partner=cohort.partner).first()
        if (
            share is None
            or services.places_used(programme_area=area, partner=cohort.partner) >= share.quota
        ):
            continue
        found.append(cohort)
        if len(found) >= MAX_OFFERS:
            break
    return found


def cohort_offers(enterprise, weakest_pillars):
    """The offer source registered with the capability app's next steps."""
    from tumbuh.capability.nextsteps import Offer

    return [
        Offer(
            kind="cohort",
            title=_("Join %(programme)s: %(cohort)s")
            % {"programme": cohort.programme.name, "cohort": cohort.name},
            url=reverse("programmes:cohort-public", args=[cohort.public_id]),
            reason=_("%(mode)s training by %(partner)s in %(village)s, from %(date)s.")
            % {
                "mode": cohort.get_mode_display().capitalize(),
                "partner": cohort.partner.name,
                "village": cohort.venue_village.name,
                "date": cohort.starts_on.strftime("%d-%m-%Y"),
            },
            pillars=PILLARS,
        )
        for cohort in open_cohorts(enterprise)
    ]
