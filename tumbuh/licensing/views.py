"""The licensing console and case pages: lists with time in step, counts per region, the
expiry reminders, the KBLI picker, starting a case and moving it step by step.

Officers and mentors use the console; an owner signed in for their business may start a case
and follow it (read-only). Every case comes through ``queries.visible_cases``: one outside what
the person may see is a 404. Changes go through ``services``; nothing here writes a model.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tumbuh.core import keyset, times
from tumbuh.core.htmx import is_htmx, render_page
from tumbuh.core.storage import private_file_response
from tumbuh.licensing import forms, queries, services
from tumbuh.licensing.models import HalalCase, NibCase
from tumbuh.registry.models import Enterprise

PAGE_SIZE = 50


def _require_console(request) -> None:
    if not queries.may_use_console(request.user):
        raise PermissionDenied(_("The licensing console is for programme officers and mentors."))


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return error.messages


def _submit(request, form, service, **arguments) -> bool:
    """Call ``service`` with what ``form`` read and the signed-in person as the actor. True
    when it went through ("Case updated."); False when the form could not read the input or the
    service refused, each reason shown as an error message."""
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        service(**arguments, **form.cleaned_data, by=request.user)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
        return False
    messages.success(request, _("Case updated."))
    return True


def _require_move(request, case) -> None:
    if not queries.may_move(request.user, case):
        raise PermissionDenied(_("Only the region's officers and the case's mentor move it."))


def _filters(request) -> queries.CaseFilters:
    stale = request.GET.get("stale", "")
    return queries.CaseFilters(
        step=request.GET.get("step", ""),
        region=request.GET.get("region", "").strip(),
        mentor=request.GET.get("mentor", ""),
        search=request.GET.get("q", "").strip(),
        stale_days=int(stale) if stale.isdigit() else None,
    )


@login_required
@require_GET
def console_home(request):
    _require_console(request)
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() and 0 < int(days) <= 730 else queries.REMINDER_DAYS
    now = timezone.now()
    context = {
        "regions": queries.region_counts(request.user),
        "nib_steps": _labelled(NibCase, queries.step_counts(NibCase, request.user)),
        "halal_steps": _labelled(HalalCase, queries.step_counts(HalalCase, request.user)),
        "expiring": [
            # Days left counted from the business's own today (WIB, WITA or WIT).
            (certificate, (certificate.valid_until - times.today(certificate.enterprise)).days)
            for certificate in queries.expiring_certificates(request.user, days=days)[:100]
        ],
        "days": days,
        "waiting": [
            (label, list_url, [(case, queries.time_in_step(case, now)) for case in cases])
            for label, list_url, cases in (
                (
                    _("NIB cases"),
                    "licensing:nib-list",
                    queries.longest_waiting(NibCase, request.user),
                ),
                (
                    _("Halal cases"),
                    "licensing:halal-list",
                    queries.longest_waiting(HalalCase, request.user),
                ),
            )
        ],
    }
    return render_page(request, "licensing/home.html", context)


def _labelled(model, counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(step, model.Step(step).label, count) for step, count in counts.items()]


def _case_list(request, model, template: str):
    _require_console(request)
    filters = _filters(request)
    queryset = queries.case_list(model, request.user, filters)
    page = keyset.page_from_request(request, queryset, ordering=queries.CASE_ORDER, size=PAGE_SIZE)
    now = timezone.now()
    rows = [(case, queries.time_in_step(case, now)) for case in page]
    context = {
        "page": page,
        "count": keyset.capped_count(queryset, page=page),
        "rows": rows,
        "filters": filters,
        "steps": model.Step.choices,
        "kind": model.__name__,
    }
    if is_htmx(request):
        # The filters and results live in the shared include; htmx gets only its results.
        template = "licensing/includes/case_list.html"
    return render_page(request, template, context, partial="results")


@login_required
@require_GET
def nib_list(request):
    return _case_list(request, NibCase, "licensing/nib_list.html")


@login_required
@require_GET
def halal_list(request):
    return _case_list(request, HalalCase, "licensing/halal_list.html")


def _start(request, *, start, template: str, kind: str):
    search = request.GET.get("q", "").strip()
    choices = queries.startable_enterprises(request.user, search)
    model = NibCase if kind == "nib" else HalalCase
    if request.method == "POST":
        form = forms.StartForm(request.POST)
        enterprise = form.cleaned_data["business"] if form.is_valid() else None
        if enterprise is None or not queries.may_start_for(request.user, enterprise):
            raise Http404(_("No such business among those you may help."))
        try:
            case = start(enterprise=enterprise, by=request.user)
        except ValidationError as error:
            for message in _error_messages(error):
                messages.error(request, message)
            open_case = queries.open_case(model, enterprise)
            if (
                open_case is not None
                and queries.visible_cases(model, request.user).filter(pk=open_case.pk).exists()
            ):
                return redirect(open_case)
        else:
            messages.success(request, _("Case started for %(name)s.") % {"name": enterprise.name})
            return redirect(case)
    preselected = request.GET.get("business", "")
    existing = (
        queries.visible_cases(model, request.user)
        .filter(enterprise_id__in=[enterprise.pk for enterprise in choices])
        .select_related("enterprise")
        .order_by("-created_at")[:20]
    )
    return render_page(
        request,
        template,
        {
            "choices": choices,
            "search": search,
            "preselected": preselected,
            "kind": kind,
            "existing": existing,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def nib_start(request):
    return _start(
        request, start=services.start_nib_case, template="licensing/start.html", kind="nib"
    )


@login_required
@require_http_methods(["GET", "POST"])
def halal_start(request):
    """Start a halal case; the business rules are shown first for the chosen business (or the
    owner's only business), so nobody starts a case that would be refused."""
    response = _start(
        request, start=services.start_halal_case, template="licensing/start.html", kind="halal"
    )
    if not hasattr(response, "context_data"):
        return response
    business = request.GET.get("business", "")
    choices = response.context_data["choices"]
    enterprise = None
    if business:
        enterprise = Enterprise.objects.filter(public_id=business).first()
    elif len(choices) == 1:
        enterprise = choices[0]
    if enterprise is not None and queries.may_start_for(request.user, enterprise):
        response.context_data["eligibility"] = services.check_halal_eligibility(
            enterprise=enterprise
        )
    return response


def _visible_case(model, request, public_id: str):
    case = (
        queries.visible_cases(model, request.user)
        .select_related("enterprise", "enterprise__village", "assigned_mentor")
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise Http404(_("No such case among those you may see."))
    return case


def _detail_context(request, case) -> dict:
    return {
        "case": case,
        "may_move": queries.may_move(request.user, case),
        "durations": [
            (type(case).Step(step).label, duration)
            for step, duration in queries.step_durations(case)
        ],
        "events": case.events.select_related("actor"),
        "next_steps": [(step, type(case).Step(step).label) for step in case.allowed_next()],
        # The business's today: the issue date a form starts from, in its village's zone.
        "today": times.today(case.enterprise),
    }


@login_required
@require_http_methods(["GET", "POST"])
def nib_detail(request, public_id: str):
    case = _visible_case(NibCase, request, public_id)
    if request.method == "POST":
        _require_move(request, case)
        form = forms.nib_step_form(case, request.POST)
        if _submit(request, form, services.advance_nib_case, case=case):
            return redirect(case)
        case.refresh_from_db()
    context = _detail_context(request, case)
    context["scales"] = Enterprise.Scale.choices
    context["kbli"] = [(code, queries.kbli_risk(code)) for code in case.kbli_codes]
    context["kbli_results"] = queries.search_kbli(request.GET.get("kbli", ""))
    context["kbli_query"] = request.GET.get("kbli", "")
    return render_page(request, "licensing/nib_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def halal_detail(request, public_id: str):
    case = _visible_case(HalalCase, request, public_id)
    if request.method == "POST":
        _require_move(request, case)
        action = request.POST.get("action", "advance")
        if action == "products":
            form, service = forms.HalalProductsForm(request.POST), services.set_halal_products
        elif action == "photo":
            form = forms.EvidencePhotoForm(request.POST, request.FILES)
            service = services.add_evidence_photo
        elif action == "checklist":
            form, service = forms.ChecklistForm(request.POST), services.record_checklist
        else:
            form, service = forms.halal_step_form(case, request.POST), services.advance_halal_case
        if _submit(request, form, service, case=case):
            return redirect(case)
        case.refresh_from_db()
    context = _detail_context(request, case)
    products = list(case.products.prefetch_related("ingredients"))
    context["products"] = products
    context["product_forms"] = forms.HalalProductsForm.rows(products)
    context["eligibility"] = services.check_halal_eligibility(
        enterprise=case.enterprise,
        products=products if case.step == HalalCase.Step.PRODUCTS else None,
        is_simple_process=case.is_simple_process,
    )
    context["checklist"] = [
        (key, label, case.checklist.get(key) is True)
        for key, label in services.checklist_labels().items()
    ]
    context["photos"] = case.photos.all()
    context["certificate"] = getattr(case, "certificate", None)
    if case.step == HalalCase.Step.MENTOR and context["may_move"]:
        context["mentors"] = queries.mentor_choices(case.enterprise)
    context["default_valid_until"] = context["today"] + datetime.timedelta(days=4 * 365)
    return render_page(request, "licensing/halal_detail.html", context)


@login_required
@require_GET
def halal_photo(request, public_id: str, file_name: str):
    """An evidence photo of a halal case, to those who may see the case (404 to others).

    Photos live in the private storage; this is their only way out, never cached."""
    case = _visible_case(HalalCase, request, public_id)
    photo = next((p for p in case.photos.all() if p.file_name == file_name), None)
    if photo is None:
        raise Http404(_("No such photo in this case."))
    return private_file_response(photo.image)


@login_required
@require_GET
def kbli_search(request):
    """The KBLI picker: a plain GET form; htmx swaps only the results."""
    query = request.GET.get("q", "")
    context = {"query": query, "results": queries.search_kbli(query)}
    return render_page(request, "licensing/kbli_search.html", context, partial="results")
