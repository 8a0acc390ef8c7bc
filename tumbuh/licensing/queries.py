"""Reads shared by the licensing console, the API and the owner's pages: who sees which case,
time spent per step, counts per region, the KBLI picker's search, the expiry reminders.

Who sees what (checked here, used by every view and endpoint):

- people who run programmes (``RUN_PROGRAMMES``: ministry admins, regional officers, and API
  keys with such a role) see and move every case in their regions; a partner's staff (and its
  keys) only the cases of the businesses it brought, serves or mentors
  (``accounts.scoping.Reach``, docs/permissions.md);
- a mentor (``MENTOR_CASELOAD``) sees and moves only the cases assigned to them;
- an owner sees their own business's cases (read-only; they may start one).

A case outside what someone may see answers 404, like one that does not exist.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import APIKey, User
from tumbuh.accounts.permissions import Capability, has_capability, roles_with
from tumbuh.accounts.scoping import reach_for
from tumbuh.core.region_filter import region_q
from tumbuh.core.validators import _kbli as kbli_table
from tumbuh.licensing.models import HalalCase, HalalCertificate, NibCase
from tumbuh.registry import name_search
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of

REMINDER_DAYS = 90


# --- access -----------------------------------------------------------------------------------


def _programme_reach(actor):
    return reach_for(actor, roles=roles_with(Capability.RUN_PROGRAMMES))


def _mentor_reach(actor):
    return reach_for(actor, roles=roles_with(Capability.MENTOR_CASELOAD))


def _reaches(reach, enterprise: Enterprise) -> bool:
    """Whether ``enterprise`` is inside ``reach``: in its regions, or a business one of its
    partners brought, serves or mentors (one query, only for the partner part)."""
    if reach.regions.allows(enterprise.village_id):
        return True
    if not reach.partners:
        return False
    condition = reach.business_q(field="village__code", enterprise="pk")
    return Enterprise.objects.filter(condition, pk=enterprise.pk).exists()


def _remembered(actor, key: str, compute):
    """Compute an access fact once per actor object (one request), like ``scope_for`` does."""
    if actor is None or not hasattr(actor, "__dict__"):
        return compute()
    memo = actor.__dict__.setdefault("_licensing_access", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def runs_programmes(actor) -> bool:
    if isinstance(actor, APIKey):
        return actor.is_active and actor.role in roles_with(Capability.RUN_PROGRAMMES)
    return _remembered(
        actor, "programmes", lambda: has_capability(actor, Capability.RUN_PROGRAMMES)
    )


def is_mentor(actor) -> bool:
    if isinstance(actor, APIKey):
        return False
    return _remembered(actor, "mentor", lambda: has_capability(actor, Capability.MENTOR_CASELOAD))


def may_use_console(actor) -> bool:
    """Officers and mentors work in the console; owners follow their cases elsewhere."""
    return runs_programmes(actor) or is_mentor(actor)


def _owned_ids(actor) -> list[int]:
    if isinstance(actor, APIKey):
        return []
    return _remembered(
        actor, "owned", lambda: [enterprise.pk for enterprise in enterprises_of(actor)]
    )


def visible_cases(model, actor, *, include_owned: bool = True) -> QuerySet:
    """The cases of ``model`` (``NibCase`` or ``HalalCase``) that ``actor`` may see."""
    condition = Q(pk__in=[])
    if runs_programmes(actor):
        condition |= _programme_reach(actor).business_q(
            field=model.region_field, enterprise="enterprise"
        )
    if is_mentor(actor):
        condition |= Q(assigned_mentor=actor)
    if include_owned:
        owned = _owned_ids(actor)
        if owned:
            condition |= Q(enterprise_id__in=owned) | Q(enterprise__merged_into_id__in=owned)
    return model.objects.filter(condition)


def may_move(actor, case) -> bool:
    """Officers in the case's region and the case's assigned mentor move cases; owners do not."""
    if runs_programmes(actor) and _reaches(_programme_reach(actor), case.enterprise):
        return True
    return (
        is_mentor(actor)
        and case.assigned_mentor_id is not None
        and case.assigned_mentor_id == getattr(actor, "pk", None)
    )


def may_start_for(actor, enterprise: Enterprise) -> bool:
    """Officers in the region (a partner's staff: for its businesses), mentors working there
    (a partner's mentors: for its businesses), and the business's own owners."""
    if runs_programmes(actor) and _reaches(_programme_reach(actor), enterprise):
        return True
    if is_mentor(actor) and _reaches(_mentor_reach(actor), enterprise):
        return True
    return enterprise.pk in _owned_ids(actor)


def startable_enterprises(actor, search: str = "", limit: int = 20) -> list[Enterprise]:
    """Businesses ``actor`` may start a case for, matching ``search``: a phrase of their name,
    as the registry's search reads it (``name_search``), or their NIB."""
    if isinstance(actor, APIKey):
        return []
    owned = enterprises_of(actor)
    if not search and owned:
        return owned[:limit]
    queryset = Enterprise.objects.deduplicated().select_related("village")
    condition = Q(pk__in=[e.pk for e in owned])
    if runs_programmes(actor):
        condition |= _programme_reach(actor).business_q(field="village__code", enterprise="pk")
    if is_mentor(actor):
        condition |= _mentor_reach(actor).business_q(field="village__code", enterprise="pk")
    queryset = queryset.filter(condition)
    if search:
        queryset = name_search.holding_phrase(queryset, search, alternative=Q(nib=search))
    return list(queryset.order_by("name", "pk")[:limit])


def open_case(model, enterprise: Enterprise):
    """The business's open case of ``model`` (on this record or the one it was merged into),
    or None."""
    return (
        model.objects.filter(enterprise__in=[enterprise.pk, enterprise.merged_into_id or 0])
        .exclude(step=model.Step.ISSUED)
        .first()
    )


def mentor_choices(enterprise: Enterprise) -> list[User]:
    """Mentors whose scope holds the business's village: a membership scoped to the whole
    country, or to the village's province, regency, district or the village itself."""
    parts = enterprise.village_id.split(".")
    scopes = [""] + [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role__in=roles_with(Capability.MENTOR_CASELOAD),
            memberships__region_code__in=scopes,
        )
        .distinct()
        .order_by("full_name", "pk")[:500]
    )


# --- lists and time per step ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    step: str = ""
    region: str = ""
    mentor: str = ""  # "me", "none" or ""
    search: str = ""
    stale_days: int | None = None


def filter_cases(queryset: QuerySet, filters: CaseFilters, actor) -> QuerySet:
    if filters.step:
        queryset = queryset.filter(step=filters.step)
    if filters.region:
        queryset = queryset.filter(region_q("enterprise__village__code", filters.region))
    if filters.mentor == "me":
        queryset = queryset.filter(assigned_mentor=actor)
    elif filters.mentor == "none":
        queryset = queryset.filter(assigned_mentor__isnull=True)
    if filters.search:
        queryset = name_search.holding_phrase(queryset, filters.search, field="enterprise__name")
    if filters.stale_days:
        cutoff = timezone.now() - datetime.timedelta(days=filters.stale_days)
        queryset = queryset.filter(step_entered_at__lte=cutoff)
    return queryset


# Oldest in their step first, ending in a unique column for keyset pages (core.keyset).
CASE_ORDER = ("step_entered_at", "pk")


def case_list(model, actor, filters: CaseFilters) -> QuerySet:
    """Visible cases with what a list shows, oldest in their step first."""
    queryset = visible_cases(model, actor)
    return (
        filter_cases(queryset, filters, actor)
        .select_related(
            "enterprise", "enterprise__village", "enterprise__village__regency", "assigned_mentor"
        )
        .order_by(*CASE_ORDER)
    )


def longest_waiting(model, actor, limit: int = 10) -> list:
    """The open cases that have waited longest in their step (the console home's short list)."""
    return list(case_list(model, actor, CaseFilters()).exclude(step=model.Step.ISSUED)[:limit])


def time_in_step(case, now=None) -> datetime.timedelta:
    """How long the case has been in its current step (zero once finished)."""
    if not case.is_open:
        return datetime.timedelta(0)
    return (now or timezone.now()) - case.step_entered_at


def step_durations(case, now=None) -> list[tuple[str, datetime.timedelta]]:
    """Time spent in each step, read from the event rows, in order (repeated steps summed).

    The current step counts until ``now`` unless the case is finished.
    """
    now = now or timezone.now()
    events = list(case.events.order_by("at", "pk"))
    totals: dict[str, datetime.timedelta] = {}
    for event, following in zip(events, [*events[1:], None], strict=True):
        if following is None and not case.is_open:
            break
        end = following.at if following is not None else now
        totals[event.to_step] = totals.get(event.to_step, datetime.timedelta(0)) + (end - event.at)
    order = list(type(case).Step.values)
    return sorted(totals.items(), key=lambda item: order.index(item[0]))


def step_counts(model, actor) -> dict[str, int]:
    rows = visible_cases(model, actor).values("step").annotate(n=Count("pk"))
    found = {row["step"]: row["n"] for row in rows}
    return {step: found.get(step, 0) for step in model.Step.values}


# --- counts per region ------------------------------------------------------------------------


@dataclass
class RegionCounts:
    code: str
    name: str = ""
    nib_issued: int = 0
    halal_certified: int = 0


def _grouping_length(actor) -> int:
    """Provinces for national viewers, regencies for everyone else."""
    return 2 if _programme_reach(actor).is_national else 5


def region_counts(actor, *, on: datetime.date | None = None) -> list[RegionCounts]:
    """Per province (or regency), businesses helped to a NIB and holding a valid halal
    certificate, each business counted once (a merged record counts as its survivor)."""
    from tumbuh.regions.models import Province, Regency

    on = on or timezone.localdate()
    length = _grouping_length(actor)
    business = Coalesce("enterprise__merged_into_id", "enterprise_id")
    region = Substr(
        Coalesce("enterprise__merged_into__village_id", "enterprise__village_id"), 1, length
    )
    nib_rows = (
        visible_cases(NibCase, actor, include_owned=False)
        .filter(step=NibCase.Step.ISSUED)
        .annotate(region=region)
        .values("region")
        .annotate(n=Count(business, distinct=True))
    )
    certificates = HalalCertificate.objects.valid_on(on).filter(
        case__in=visible_cases(HalalCase, actor, include_owned=False)
    )
    halal_rows = (
        certificates.annotate(region=region)
        .values("region")
        .annotate(n=Count(business, distinct=True))
    )
    counts: dict[str, RegionCounts] = defaultdict(lambda: RegionCounts(code=""))
    for row in nib_rows:
        counts[row["region"]].nib_issued = row["n"]
    for row in halal_rows:
        counts[row["region"]].halal_certified = row["n"]
    model = Province if length == 2 else Regency
    names = dict(model.objects.filter(code__in=list(counts)).values_list("code", "name"))
    result = []
    for code, item in counts.items():
        item.code, item.name = code, names.get(code, code)
        result.append(item)
    return sorted(result, key=lambda item: item.code)


def expiring_certificates(actor, *, days: int = REMINDER_DAYS, today=None) -> QuerySet:
    """Valid certificates that expire within ``days`` days, soonest first (the reminder list)."""
    today = today or timezone.localdate()
    return (
        HalalCertificate.objects.valid_on(today)
        .filter(
            valid_until__lte=today + datetime.timedelta(days=days),
            case__in=visible_cases(HalalCase, actor),
        )
        .select_related("enterprise", "case")
        .order_by("valid_until", "pk")
    )


# --- KBLI picker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskIndication:
    """An indication (not OSS's decision) of a KBLI activity's risk level for a small business."""

    level: str
    label: str
    reason: str


RISK_LOW = "low"
RISK_MEDIUM_LOW = "medium_low"
RISK_MEDIUM_HIGH = "medium_high"
RISK_HIGH = "high"

RISK_LABELS = {
    RISK_LOW: _("low (indication)"),
    RISK_MEDIUM_LOW: _("medium-low (indication)"),
    RISK_MEDIUM_HIGH: _("medium-high (indication)"),
    RISK_HIGH: _("high (indication)"),
}

# Rules read from PP 5/2021 (risk-based licensing) and its annexes, coarsened to KBLI
# golongan pokok / sections: the first match wins. See docs/licensing.md.
_RISK_RULES: list[tuple[str, str, object]] = [
    (r"^(05|06|07|08|09|19|35)", RISK_HIGH, _("Mining, energy and fuel activities are high risk.")),
    (r"^(21|20)", RISK_MEDIUM_HIGH, _("Chemicals and pharmaceuticals need a standard or permit.")),
    (r"^(86|87)", RISK_MEDIUM_HIGH, _("Health and care services need professional permits.")),
    (
        r"^(10|11)",
        RISK_MEDIUM_LOW,
        _(
            "Food and drink processing by micro and small businesses is mostly medium-low: a "
            "NIB plus a self-declared standard certificate, and a PIRT or BPOM registration "
            "for packaged food."
        ),
    ),
    (r"^(56)", RISK_LOW, _("Food and drink service (warung, catering) is mostly low risk.")),
    (
        r"^(01|02|03)",
        RISK_MEDIUM_LOW,
        _("Agriculture, forestry and fisheries are mostly medium-low for small holdings."),
    ),
    (
        r"^(13|14|15|16|31|32)",
        RISK_LOW,
        _("Crafts, textiles, clothing, wood and furniture making are mostly low risk."),
    ),
    (r"^(45|46|47)", RISK_LOW, _("Trade (shops, retail, online retail) is mostly low risk.")),
]
_DEFAULT_RISK = (
    RISK_MEDIUM_LOW,
    _("No general rule for this activity: check the risk level OSS shows when you choose it."),
)


def kbli_risk(code: str) -> RiskIndication:
    """An indication of the risk level OSS will assign a KBLI activity (labelled as such)."""
    for pattern, level, reason in _RISK_RULES:
        if re.match(pattern, code):
            return RiskIndication(level, str(RISK_LABELS[level]), str(reason))
    level, reason = _DEFAULT_RISK
    return RiskIndication(level, str(RISK_LABELS[level]), str(reason))


@dataclass(frozen=True)
class KbliMatch:
    code: str
    title: str
    section: str
    risk: RiskIndication


@cache
def _kelompok() -> tuple[tuple[str, str, str, str], ...]:
    """(code, title, section, folded title) of every 5-digit KBLI 2020 code."""
    return tuple(
        (entry.code, entry.title, entry.section, entry.title.casefold())
        for entry in kbli_table().values()
        if entry.level == "kelompok"
    )


def search_kbli(query: str, *, limit: int = 30) -> list[KbliMatch]:
    """KBLI 2020 activities (5-digit) whose code starts with ``query`` or whose title holds
    every word of it (Indonesian, any case): "keripik", "10794", "warung makan"."""
    query = " ".join(str(query or "").split())
    if not query:
        return []
    results = []
    if query.isdigit():
        for code, title, section, _folded in _kelompok():
            if code.startswith(query):
                results.append((0 if code == query else 1, code, title, section))
    else:
        words = query.casefold().split()
        for code, title, section, folded in _kelompok():
            if all(word in folded for word in words):
                starts = 0 if folded.startswith(words[0]) else 1
                results.append((starts, code, title, section))
    results.sort()
    return [
        KbliMatch(code=code, title=title, section=section, risk=kbli_risk(code))
        for _rank, code, title, section in results[:limit]
    ]
