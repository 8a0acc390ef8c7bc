"""Training along the chain: a cohort enrols a processor's suppliers.

The suppliers are those the supply links name with the processor (or a record merged into it)
as buyer, each as the business it counts as now. Enrolment itself is the programmes app's own:
:func:`tumbuh.programmes.services.enrol_businesses` checks, for each supplier on its own, who may
enrol into the cohort, the programme's eligibility, the cohort's area, quotas and capacity; what
it refuses is reported with its reason, and the rest are enrolled.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Cohort
from tumbuh.programmes.queries import cohorts_for
from tumbuh.programmes.services import enrol_businesses, may_run_cohort
from tumbuh.registry.models import Enterprise
from tumbuh.supply.models import SupplyLink


@dataclass
class Outcome:
    """What :func:`enrol_suppliers` did: the suppliers enrolled (with the enrolment's public id
    and status) and those refused (with the programmes app's reason code and message)."""

    cohort: Cohort
    enrolled: list[tuple[Enterprise, str, str]] = field(default_factory=list)
    refused: list[tuple[Enterprise, str, str]] = field(default_factory=list)

    @property
    def suppliers(self) -> int:
        return len(self.enrolled) + len(self.refused)


def suppliers_of(processor: Enterprise) -> list[Enterprise]:
    """The processor's suppliers as they count now (survivors of merges), by name, each once."""
    rows = SupplyLink.objects.filter(
        Q(buyer=processor) | Q(buyer__merged_into=processor)
    ).values_list("supplier_id", "supplier__merged_into_id")
    ids = {merged_into or supplier for supplier, merged_into in rows} - {processor.pk}
    return list(Enterprise.objects.filter(pk__in=ids).order_by("name", "pk"))


def cohorts_open_to(user) -> list[Cohort]:
    """The cohorts not yet ended that ``user`` may enrol businesses into (the same check as
    the programmes app's: ``may_run_cohort``)."""
    today = timezone.localdate()
    cohorts = cohorts_for(user).filter(ends_on__gte=today).order_by("starts_on", "name", "pk")
    return [cohort for cohort in cohorts if may_run_cohort(user, cohort)]


def enrol_suppliers(*, cohort: Cohort, processor: Enterprise, by) -> Outcome:
    """Enrol every supplier of ``processor`` into ``cohort`` through the programmes app
    (``enrol_businesses``, each on its own); refused outright, with nothing written, when
    ``by`` may not enrol into the cohort."""
    if not may_run_cohort(by, cohort):
        raise Refused(
            ProgrammesError.OUTSIDE_PARTNER_SCOPE,
            _("You may not enrol businesses in this cohort: it is run by %(partner)s.")
            % {"partner": cohort.partner.name},
        )
    suppliers = suppliers_of(processor)
    outcome = Outcome(cohort)
    if not suppliers:
        return outcome
    answer = enrol_businesses(
        cohort=cohort, enterprises=[supplier.public_id for supplier in suppliers], by=by
    )
    by_id = {supplier.public_id: supplier for supplier in suppliers}
    for result in answer.body["results"]:
        supplier = by_id[result["enterprise"]]
        if result["outcome"] == "enrolled":
            outcome.enrolled.append((supplier, result["enrolment"], result["status"]))
        else:
            outcome.refused.append((supplier, result["reason"], result["detail"]))
    return outcome
