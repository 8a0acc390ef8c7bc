"""Capability pages: the owner's self-assessment on a phone, and the console.

The self-assessment is plain HTML (one question per screen, Post/Redirect/Get, no JavaScript);
each answer is saved at once so the owner can stop and come back. Console pages need a role
that runs programmes or mentors businesses and show only the person's regions.

The maps (``regions.maps``, over NumPy and shapely) are imported where a map is drawn: not at
start-up.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.capability import queries, services
from tumbuh.capability.forms import AdministerForm, LevelFilterForm
from tumbuh.capability.models import Assessment
from tumbuh.capability.nextsteps import offers_for
from tumbuh.capability.scoring import LEVELS, level
from tumbuh.core.htmx import render_page
from tumbuh.registry.services import enterprises_of

ASSESSMENTS_PER_PAGE = 50
HISTORY_SHOWN = 12


def _instrument_or_404():
    instrument = services.current_instrument()
    if instrument is None:
        raise Http404(_("No assessment is available yet."))
    return instrument


def _owned_or_404(request, public_id):
    enterprise = queries.owned_enterprise(request.user, public_id)
    if enterprise is None:
        raise Http404
    return enterprise


def _pillar_rows(assessment: Assessment, pillars) -> list[dict]:
    """Scores in the instrument's order of pillars (jsonb on PostgreSQL keeps no key order)."""
    return [
        {"key": pillar.key, "name": pillar.name, "score": assessment.pillar_scores[pillar.key]}
        for pillar in pillars
        if pillar.key in assessment.pillar_scores
    ]


# --- the owner's self-assessment --------------------------------------------------------------


def self_assessment(request):
    """The public entry: explains the assessment; signed-in owners pick their business."""
    instrument = services.current_instrument()
    businesses = []
    if request.user.is_authenticated and instrument is not None:
        for enterprise in enterprises_of(request.user):
            draft = services.draft_for(
                enterprise=enterprise, instrument=instrument, user=request.user
            )
            businesses.append(
                {
                    "enterprise": enterprise,
                    "answered": len(draft.answers) if draft else 0,
                    "latest": services.latest_assessment(enterprise),
                }
            )
    return render(
        request,
        "capability/self_assessment.html",
        {
            "instrument": instrument,
            "question_count": instrument.questions.count() if instrument else 0,
            "businesses": businesses,
            "levels": LEVELS,
            "login_url": reverse("accounts:login") + "?next=" + request.path,
        },
    )


@login_required
def start(request, public_id):
    """Continue where the owner stopped: the first question without an answer."""
    enterprise = _owned_or_404(request, public_id)
    instrument = _instrument_or_404()
    draft = services.draft_for(enterprise=enterprise, instrument=instrument, user=request.user)
    answered = draft.answers if draft else {}
    keys = list(instrument.questions.order_by("position").values_list("key", flat=True))
    for number, key in enumerate(keys, start=1):
        if key not in answered:
            return redirect("capability:question", public_id, number)
    return redirect("capability:review", public_id)


@login_required
@require_http_methods(["GET", "POST"])
def question(request, public_id, number):
    enterprise = _owned_or_404(request, public_id)
    instrument = _instrument_or_404()
    questions = list(instrument.questions.select_related("pillar").order_by("position"))
    if not 1 <= number <= len(questions):
        raise Http404
    current = questions[number - 1]
    options = list(current.options.all())
    draft = services.draft_for(enterprise=enterprise, instrument=instrument, user=request.user)
    chosen = (draft.answers if draft else {}).get(current.key, "")
    error = ""
    if request.method == "POST":
        try:
            services.save_draft_answer(
                enterprise=enterprise,
                instrument=instrument,
                user=request.user,
                question_key=current.key,
                option_key=request.POST.get("option", ""),
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            if number < len(questions):
                return redirect("capability:question", public_id, number + 1)
            return redirect("capability:review", public_id)
    return render(
        request,
        "capability/question.html",
        {
            "enterprise": enterprise,
            "question": current,
            "options": options,
            "chosen": chosen,
            "number": number,
            "total": len(questions),
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request, public_id):
    """The last screen: what is still unanswered, and the button that submits."""
    enterprise = _owned_or_404(request, public_id)
    instrument = _instrument_or_404()
    draft = services.draft_for(enterprise=enterprise, instrument=instrument, user=request.user)
    answered = draft.answers if draft else {}
    questions = list(instrument.questions.order_by("position"))
    missing = [(number, q) for number, q in enumerate(questions, start=1) if q.key not in answered]
    if request.method == "POST":
        try:
            services.submit_assessment(
                enterprise=enterprise,
                instrument=instrument,
                answers=answered,
                by=request.user,
                mode=Assessment.Mode.SELF,
            )
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect("capability:review", public_id)
        return redirect("capability:result", public_id)
    return render(
        request,
        "capability/review.html",
        {
            "enterprise": enterprise,
            "answered": len(answered),
            "total": len(questions),
            "missing": missing,
        },
    )


def _result_context(enterprise, assessment):
    pillars = list(assessment.instrument.pillars.order_by("position"))
    history = list(services.assessments_of(enterprise)[:HISTORY_SHOWN])
    return {
        "enterprise": enterprise,
        "assessment": assessment,
        "level": level(assessment.level),
        "pillars": _pillar_rows(assessment, pillars),
        "history": history,
        "offers": offers_for(enterprise, assessment.weakest_pillars()[:3]),
    }


@login_required
def result(request, public_id):
    enterprise = _owned_or_404(request, public_id)
    assessment = services.latest_assessment(enterprise)
    if assessment is None:
        return redirect("capability:start", public_id)
    return render(request, "capability/result.html", _result_context(enterprise, assessment))


# --- console ----------------------------------------------------------------------------------


def _require_reader(request) -> None:
    if not queries.may_read(request.user):
        raise PermissionDenied(_("Only programme staff and mentors see capability levels."))


def _level_map(areas, region: str):
    """Provinces (or a province's regencies) coloured by the share of assessed businesses at
    level 3 or above; None below the regency level, where there are no shipped boundaries."""
    if len(region) > 2:
        return None
    from tumbuh.regions import maps

    home = reverse("capability:console-home")
    values = {
        area.code: (sum(area.level_counts()[2:]) / area.assessed if area.assessed else None)
        for area in areas
    }
    return maps.choropleth(
        "regency" if region else "province",
        values,
        title=_("Assessed businesses at level 3 or above"),
        legend=_("Share at level 3 or above"),
        bins=[0.2, 0.4, 0.6, 0.8],
        within=region or None,
        href=lambda code: f"{home}?region={code}" if code in values else None,
        labels={area.code: area.name for area in areas},
        percent=True,
    )


@login_required
def console_home(request):
    """Levels by region (deduplicated businesses per level) and the latest assessments."""
    _require_reader(request)
    form = LevelFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    region = filters.get("region") or ""
    areas = queries.levels_by_region(
        request.user, region=region, as_of=filters.get("as_of"), mode=filters.get("mode") or ""
    )
    assessments = queries.recent_assessments(
        request.user,
        region=region,
        level=int(filters["level"]) if filters.get("level") else None,
        mode=filters.get("mode") or "",
    )
    page = Paginator(assessments, ASSESSMENTS_PER_PAGE).get_page(request.GET.get("halaman"))
    level_map = _level_map(areas, region)
    totals = queries.AreaLevels(code="", name=_("Total"))
    for area in areas:
        totals.businesses += area.businesses
        for number, count in area.by_level.items():
            totals.by_level[number] += count
    return render_page(
        request,
        "capability/console_home.html",
        {
            "form": form,
            "region": region,
            "areas": areas,
            "totals": totals,
            "levels": LEVELS,
            "page": page,
            "drill_down": len(region) < 5,
            "level_map": level_map,
        },
        partial="results",
    )


@login_required
def enterprise_history(request, public_id):
    """One business: its levels over time and the pillar scores of each assessment."""
    _require_reader(request)
    enterprise = queries.visible_enterprise(request.user, public_id)
    if enterprise is None:
        raise Http404
    history = list(services.assessments_of(enterprise))
    context = {"enterprise": enterprise, "history": history, "levels": LEVELS}
    if history:
        context.update(_result_context(enterprise, history[0]))
        context["history"] = history
    context["may_assess"] = queries.may_assess(request.user, enterprise)
    # The registry's record is for registry staff; a mentor gets no link that would refuse them.
    context["may_open_registry"] = has_capability(request.user, Capability.IMPORT_BUSINESSES)
    return render(request, "capability/enterprise.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def administer(request, public_id):
    """A mentor (or officer) takes the assessment with the owner, all questions on one page."""
    _require_reader(request)
    enterprise = queries.visible_enterprise(request.user, public_id)
    if enterprise is None:
        raise Http404
    if not queries.may_assess(request.user, enterprise):
        raise PermissionDenied
    instrument = _instrument_or_404()
    questions = services.instrument_structure(instrument)
    form = AdministerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_assessment(
                enterprise=enterprise,
                instrument=instrument,
                answers=form.answers(),
                by=request.user,
                mode=Assessment.Mode.MENTOR,
                taken_at=form.cleaned_data.get("taken_at"),
                client_id=form.cleaned_data.get("client_id") or None,
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect("capability:enterprise", enterprise.public_id)
    return render(
        request,
        "capability/administer.html",
        {"enterprise": enterprise, "form": form, "instrument": instrument},
        status=422 if form.errors else 200,
    )
