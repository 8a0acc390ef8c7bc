"""Who may join a programme, where its areas lie, and how many places are held."""

from django.utils.translation import gettext as _

from tumbuh.core.validators import kbli_section
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Enrolment, Programme, ProgrammeArea
from tumbuh.registry.models import Enterprise


def eligibility_problems(
    programme: Programme, enterprise: Enterprise
) -> list[tuple[ProgrammesError, str]]:
    """Why ``enterprise`` may not join ``programme``: ``[(code, message), ...]``, empty if it may."""
    problems = []
    if programme.kbli_sections:
        codes = list(enterprise.kbli_codes.values_list("code", flat=True))
        sections = set()
        for code in codes:
            try:
                sections.add(kbli_section(code))
            except KeyError:
                continue
        if not sections & set(programme.kbli_sections):
            wanted = ", ".join(programme.kbli_sections)
            if not codes:
                message = _(
                    "%(business)s has no KBLI code recorded; this programme is for KBLI "
                    "section %(sections)s."
                ) % {"business": enterprise.name, "sections": wanted}
            else:
                message = _(
                    "%(business)s works in KBLI section %(found)s; this programme is for "
                    "section %(sections)s."
                ) % {
                    "business": enterprise.name,
                    "found": ", ".join(sorted(sections)) or "?",
                    "sections": wanted,
                }
            problems.append((ProgrammesError.NOT_ELIGIBLE_KBLI, message))
    if programme.scales and enterprise.scale not in programme.scales:
        labels = dict(Enterprise.Scale.choices)
        problems.append(
            (
                ProgrammesError.NOT_ELIGIBLE_SCALE,
                _("This programme is for businesses of scale %(scales)s.")
                % {"scales": ", ".join(str(labels.get(s, s)) for s in programme.scales)},
            )
        )
    if programme.region_codes and not any(
        enterprise.village_id == code or enterprise.village_id.startswith(code + ".")
        for code in programme.region_codes
    ):
        problems.append(
            (
                ProgrammesError.NOT_ELIGIBLE_REGION,
                _("This programme does not run in the business's region."),
            )
        )
    return problems


def area_regency_codes(programme_area: ProgrammeArea) -> set[str]:
    return set(programme_area.area.members.values_list("regency_id", flat=True))


def in_area(programme_area: ProgrammeArea, enterprise: Enterprise) -> bool:
    regency = ".".join(enterprise.village_id.split(".")[:2])
    return regency in area_regency_codes(programme_area)


def places_used(*, programme_area=None, partner=None, cohort=None) -> int:
    """Enrolments that hold a place in an area, an area's partner share, or a cohort."""
    enrolments = Enrolment.objects.filter(status__in=Enrolment.HOLDS_PLACE)
    if cohort is not None:
        enrolments = enrolments.filter(cohort=cohort)
    if programme_area is not None:
        enrolments = enrolments.filter(cohort__programme_area=programme_area)
    if partner is not None:
        enrolments = enrolments.filter(cohort__partner=partner)
    return enrolments.count()
