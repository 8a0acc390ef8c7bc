"""Programme pages: the public certificate check, and the console for programme staff.

Console pages need ``Capability.RUN_PROGRAMMES`` (403 without it) and read through the scoped
queries of ``queries``, so a cohort, enrolment or mentor outside the person's regions is a 404,
exactly like one that does not exist. Changes go through ``services``; nothing here writes a
model. Exports never contain NIK or phone numbers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.permissions import Capability, has_capability, require
from tumbuh.core.exports import csv_response
from tumbuh.core.htmx import render_page
from tumbuh.core.storage import private_file_response
from tumbuh.programmes import queries, services
from tumbuh.programmes.certificates import certificate_pdf
from tumbuh.programmes.forms import (
    AreaQuotaForm,
    CertificateLookupForm,
    CohortFilterForm,
    CohortForm,
    DecisionForm,
    PartnerShareForm,
    ProgrammeForm,
    RevokeForm,
    SessionForm,
    TransferForm,
)
from tumbuh.programmes.models import (
    Assignment,
    Attendance,
    Certificate,
    Cohort,
    Enrolment,
    Mentor,
    PartnerQuota,
    QuotaTransfer,
    canonical_certificate_code,
)
from tumbuh.registry.models import Milestone
from tumbuh.registry.services import enterprises_of

PAGE_SIZE = 50
# Sessions listed on a cohort's public page (a cohort has a handful; the page stays small).
PUBLIC_SESSIONS = 30


def _require(request) -> None:
    require(request.user, Capability.RUN_PROGRAMMES)


def _refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- public: certificates ---------------------------------------------------------------------


@require_GET
def certificate_lookup(request):
    """The code typed in the lookup form, in any case, with spaces or dashes: to its page."""
    form = CertificateLookupForm(request.GET or None)
    if form.is_valid():
        # 302: the answer to a form, not the address of the certificate.
        return redirect("programmes:certificate", code=form.cleaned_data["code"])
    return render(request, "programmes/certificate_lookup.html", {"form": form})


def _certificate_missing(request, typed: str, *, invalid: bool):
    """The lookup page, 404: no certificate has this code, or this is not a code at all."""
    form = CertificateLookupForm(initial={"code": typed[:64]})
    return render(
        request,
        "programmes/certificate_lookup.html",
        {"form": form, "unknown": not invalid, "invalid": invalid},
        status=404,
    )


def _canonical_redirect(name: str, typed: str):
    """301 to the canonical address of a code written another way (capitals, dashes), else
    None. Permanent: the canonical form depends on the text alone, never on the database."""
    code = canonical_certificate_code(typed)
    if code is not None and code != typed:
        return redirect(name, code=code, permanent=True)
    return None


def _find_certificate(request, url_name: str, code: str):
    """``(certificate, None)``, or ``(None, response)``: the redirect to the canonical code, or
    the lookup page saying the code is not one or names no certificate."""
    moved = _canonical_redirect(url_name, code)
    if moved is not None:
        return None, moved
    if canonical_certificate_code(code) is None:
        return None, _certificate_missing(request, code, invalid=True)
    found = (
        Certificate.objects.select_related("enrolment__cohort__programme__organisation")
        .filter(code=code)
        .first()
    )
    if found is None:
        return None, _certificate_missing(request, code, invalid=False)
    return found, None


@require_GET
def certificate(request, code: str):
    found, answer = _find_certificate(request, "programmes:certificate", code)
    if answer is not None:
        return answer
    return render(
        request,
        "programmes/certificate.html",
        {"certificate": found, "programme": found.enrolment.cohort.programme},
    )


@require_GET
def certificate_typed(request, typed: str):
    """Anything else under ``/sertifikat/``: a code without its last slash goes to its page;
    a code with a slash or other junk in it gets the lookup page saying it is not a code."""
    if "/" not in typed:
        return certificate(request, typed)
    code, _slash, rest = typed.partition("/")
    if rest == "unduh":
        return certificate_download(request, code)
    return _certificate_missing(request, typed, invalid=True)


@require_GET
def certificate_download(request, code: str):
    found, answer = _find_certificate(request, "programmes:certificate-pdf", code)
    if answer is not None:
        return answer
    if not found.is_valid:
        raise Http404(_("This certificate was revoked."))
    url = request.build_absolute_uri(reverse("programmes:certificate", args=[found.code]))
    response = HttpResponse(certificate_pdf(found, verify_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sertifikat-{found.code}.pdf"'
    return response


# --- console ----------------------------------------------------------------------------------


@login_required
@require_GET
def console_home(request):
    _require(request)
    programmes = queries.visible_programmes(request.user).annotate(
        area_count=Count("areas", distinct=True)
    )
    cohorts = queries.cohorts_for(request.user)
    enrolments = queries.enrolments_for(request.user)
    return render(
        request,
        "programmes/console_home.html",
        {
            "programmes": programmes,
            "cohort_count": cohorts.count(),
            "status_counts": queries.status_counts(enrolments),
            "statuses": Enrolment.Status.choices,
            "waiting": enrolments.filter(status=Enrolment.Status.APPLIED).count(),
            "may_set_up": services.is_ministry_staff(request.user),
        },
    )


def _programme(request, public_id):
    return get_object_or_404(queries.visible_programmes(request.user), public_id=public_id)


@login_required
def programme_detail(request, public_id: str):
    _require(request)
    programme = _programme(request, public_id)
    is_ministry = services.is_ministry_staff(request.user)
    area_form = AreaQuotaForm(request.POST or None) if is_ministry else None
    if request.method == "POST":
        if area_form is None:
            raise Http404
        if area_form.is_valid():
            try:
                services.set_area_quota(
                    programme=programme, by=request.user, **area_form.cleaned_data
                )
            except ValidationError as error:
                _refusal(request, error)
            else:
                messages.success(request, _("Quota saved."))
                return redirect(request.path)
    rows = queries.progress(request.user, programme)
    totals = [row for row in rows if row.partner_id is None]
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "rows": rows,
            "totals": totals,
            "quota_total": sum(row.quota for row in totals),
            "businesses_total": sum(row.businesses for row in totals),
            "completed_total": sum(row.completed for row in totals),
            "outcome_kinds": [(k, Milestone.Kind(k).label) for k in queries.OUTCOME_KINDS],
            "benefits": programme.benefits.all(),
            "area_form": area_form,
        },
    )


@login_required
@require_GET
def progress_csv(request, public_id: str):
    _require(request)
    programme = _programme(request, public_id)
    header = [
        _("Priority area"),
        _("Partner"),
        _("Quota"),
        _("Businesses"),
        _("Remaining"),
        *[label for _value, label in Enrolment.Status.choices],
        *[Milestone.Kind(kind).label for kind in queries.OUTCOME_KINDS],
    ]
    rows = [header]
    for row in queries.progress(request.user, programme):
        rows.append(
            [
                row.area_name,
                row.partner_name or _("Area total"),
                row.quota,
                row.businesses,
                row.remaining,
                *[getattr(row, status) for status in Enrolment.Status.values],
                *[row.outcomes.get(kind, 0) for kind in queries.OUTCOME_KINDS],
            ]
        )
    return csv_response(rows, file_name=f"progres-{programme.public_id}.csv")


@login_required
@require_GET
def enrolments_csv(request, public_id: str):
    _require(request)
    programme = _programme(request, public_id)
    enrolments = (
        queries.enrolments_for(request.user)
        .filter(cohort__programme=programme)
        .select_related("cohort__programme_area__area", "enterprise__village__regency")
        .order_by("cohort__name", "enterprise__name")
    )
    rows = [
        [
            _("Enrolment"),
            _("Business"),
            _("Business id"),
            _("Scale"),
            _("Village code"),
            _("Village"),
            _("Regency or city"),
            _("Priority area"),
            _("Partner"),
            _("Cohort"),
            _("Status"),
            _("Applied at"),
            _("Completed at"),
        ]
    ]
    for enrolment in enrolments.iterator(chunk_size=2000):
        enterprise = enrolment.enterprise
        rows.append(
            [
                enrolment.public_id,
                enterprise.name,
                enterprise.public_id,
                enterprise.get_scale_display(),
                enterprise.village_id,
                enterprise.village.name,
                enterprise.village.regency.name,
                enrolment.cohort.programme_area.area.name,
                enrolment.cohort.partner.name,
                enrolment.cohort.name,
                enrolment.get_status_display(),
                enrolment.applied_at.isoformat(),
                enrolment.completed_at.isoformat() if enrolment.completed_at else "",
            ]
        )
    return csv_response(rows, file_name=f"peserta-{programme.public_id}.csv")


def _programme_area(request, public_id, area_slug):
    programme = _programme(request, public_id)
    return get_object_or_404(queries.visible_areas(request.user, programme), area__slug=area_slug)


@login_required
def area_detail(request, public_id: str, area_slug: str):
    _require(request)
    programme_area = _programme_area(request, public_id, area_slug)
    may_transfer = services.is_ministry_staff(request.user)
    action = request.POST.get("action", "transfer")
    posted = request.POST if request.method == "POST" else None
    form = TransferForm(posted if action == "transfer" else None, programme_area=programme_area)
    share_form = PartnerShareForm(posted if action == "share" else None)
    if request.method == "POST" and action == "share":
        if not may_transfer:
            raise Http404
        if share_form.is_valid():
            try:
                services.set_partner_quota(
                    programme_area=programme_area, by=request.user, **share_form.cleaned_data
                )
            except ValidationError as error:
                _refusal(request, error)
            else:
                messages.success(request, _("Quota saved."))
                return redirect(request.path)
    elif request.method == "POST":
        if not may_transfer:
            raise Http404
        if form.is_valid():
            try:
                services.transfer_quota(
                    programme_area=programme_area, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _refusal(request, error)
            else:
                messages.success(request, _("Quota moved."))
                return redirect(request.path)
    rows = [
        row
        for row in queries.progress(request.user, programme_area.programme)
        if row.area_id == programme_area.pk
    ]
    points = queries.burndown(request.user, programme_area)
    partner_burndowns = []
    for row in rows:
        if row.partner_id is None:
            continue
        partner_points = queries.burndown(request.user, programme_area, partner=row.partner_id)
        partner_burndowns.append(
            (
                row.partner_name,
                queries.burndown_svg(
                    partner_points,
                    row.quota,
                    label=_("Places left in the quota of %(partner)s, week by week.")
                    % {"partner": row.partner_name},
                    width=240,
                    height=80,
                ),
            )
        )
    return render(
        request,
        "programmes/area_detail.html",
        {
            "programme": programme_area.programme,
            "programme_area": programme_area,
            "rows": rows,
            "burndown": points,
            "burndown_svg": queries.burndown_svg(
                points,
                programme_area.quota,
                label=_("Places left in the area's quota, week by week."),
            ),
            "partner_burndowns": partner_burndowns,
            "transfers": QuotaTransfer.objects.filter(programme_area=programme_area).select_related(
                "from_partner", "to_partner", "by"
            )[:50],
            "form": form if may_transfer else None,
            "share_form": share_form if may_transfer else None,
            "regencies": programme_area.area.members.select_related("regency"),
        },
    )


@login_required
@require_GET
def cohort_list(request):
    _require(request)
    form = CohortFilterForm(request.GET or None)
    cohorts = queries.cohorts_for(request.user).annotate(
        places_taken=Count("enrolments", filter=Q(enrolments__status__in=queries.HOLDING))
    )
    if form.is_valid():
        if form.cleaned_data["programme"]:
            cohorts = cohorts.filter(programme__public_id=form.cleaned_data["programme"])
        if form.cleaned_data["mode"]:
            cohorts = cohorts.filter(mode=form.cleaned_data["mode"])
        if form.cleaned_data["q"]:
            cohorts = cohorts.filter(name__icontains=form.cleaned_data["q"])
    page = Paginator(cohorts.order_by("-starts_on", "name"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request, "programmes/cohort_list.html", {"form": form, "page": page}, partial="results"
    )


@login_required
@require_GET
def cohort_detail(request, public_id: str):
    _require(request)
    cohort = get_object_or_404(queries.cohorts_for(request.user), public_id=public_id)
    status = request.GET.get("status", "")
    enrolments = cohort.enrolments.select_related("enterprise__village").order_by(
        "status", "enterprise__name"
    )
    if status in Enrolment.Status.values:
        enrolments = enrolments.filter(status=status)
    page = Paginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "programmes/cohort_detail.html",
        {
            "cohort": cohort,
            "page": page,
            "status": status,
            "statuses": Enrolment.Status.choices,
            "status_counts": queries.status_counts(cohort.enrolments.all()),
            "sessions": cohort.sessions.select_related("mentor__user").order_by("starts_at"),
            "may_run": services.may_run_cohort(request.user, cohort),
            "decision_form": DecisionForm(),
        },
        partial="enrolments",
    )


@login_required
def enrolment_detail(request, public_id: str):
    _require(request)
    enrolment = get_object_or_404(queries.enrolments_for(request.user), public_id=public_id)
    certificate = Certificate.objects.filter(enrolment=enrolment).first()
    return render(
        request,
        "programmes/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "events": enrolment.events.select_related("by"),
            "completion": services.completion_status(enrolment),
            "milestone_labels": dict(Milestone.Kind.choices),
            "certificate": certificate,
            "may_run": services.may_run_cohort(request.user, enrolment.cohort),
            "decision_form": DecisionForm(),
            "revoke_form": RevokeForm(),
            "allowed": [
                (value, label)
                for value, label in DecisionForm.CHOICES
                if enrolment.can_become(value)
            ],
            "deliveries": enrolment.benefit_deliveries.select_related("benefit"),
            "undelivered": enrolment.cohort.programme.benefits.exclude(
                deliveries__enrolment=enrolment
            ),
            "mentors": Mentor.objects.filter(
                organisation_id=enrolment.cohort.partner_id, is_active=True
            ).select_related("user"),
            "assignments": Assignment.objects.filter(
                enterprise_id=enrolment.enterprise_id, is_active=True
            ).select_related("mentor__user"),
        },
    )


@login_required
@require_POST
def enrolment_benefit(request, public_id: str):
    """Record that a benefit (e.g. the data package) was delivered to the participant."""
    _require(request)
    enrolment = get_object_or_404(queries.enrolments_for(request.user), public_id=public_id)
    benefit = enrolment.cohort.programme.benefits.filter(pk=request.POST.get("benefit")).first()
    if benefit is None:
        messages.error(request, _("Choose a benefit of this programme."))
    else:
        try:
            services.deliver_benefit(
                enrolment=enrolment,
                benefit=benefit,
                by=request.user,
                note=request.POST.get("note", "")[:200],
            )
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Delivery recorded."))
    return redirect("programmes:enrolment-detail", public_id=enrolment.public_id)


@login_required
@require_POST
def enrolment_assign(request, public_id: str):
    """Put the participant in a mentor's caseload."""
    _require(request)
    enrolment = get_object_or_404(queries.enrolments_for(request.user), public_id=public_id)
    mentor = Mentor.objects.filter(
        public_id=request.POST.get("mentor", ""), organisation_id=enrolment.cohort.partner_id
    ).first()
    if mentor is None:
        messages.error(request, _("Choose a mentor of the cohort's partner."))
    else:
        try:
            services.assign_mentor(
                mentor=mentor,
                enterprise=enrolment.enterprise,
                by=request.user,
                programme=enrolment.cohort.programme,
            )
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Mentor assigned."))
    return redirect("programmes:enrolment-detail", public_id=enrolment.public_id)


@login_required
@require_POST
def enrolment_decide(request, public_id: str):
    _require(request)
    enrolment = get_object_or_404(queries.enrolments_for(request.user), public_id=public_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
    else:
        try:
            services.decide_enrolment(
                enrolment=enrolment,
                to=form.cleaned_data["to"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Decision recorded."))
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("programmes:enrolment-detail", public_id=enrolment.public_id)


@login_required
@require_POST
def certificate_revoke(request, code: str):
    _require(request)
    found = get_object_or_404(queries.certificates_for(request.user), code=code.lower())
    if not services.may_run_cohort(request.user, found.enrolment.cohort):
        raise Http404
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_certificate(
                certificate=found, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Certificate revoked."))
    else:
        messages.error(request, _("Give the reason for revoking the certificate."))
    return redirect("programmes:enrolment-detail", public_id=found.enrolment.public_id)


@login_required
@require_GET
def mentor_list(request):
    _require(request)
    mentors, uncovered = queries.mentor_balance(request.user)
    loads = [m.caseload for m in mentors]
    return render(
        request,
        "programmes/mentor_list.html",
        {
            "mentors": mentors,
            "uncovered": uncovered,
            "average": round(sum(loads) / len(loads), 1) if loads else 0,
            "highest": max(loads, default=0),
        },
    )


@login_required
@require_GET
def mentor_detail(request, public_id: str):
    _require(request)
    mentor = get_object_or_404(queries.mentors_for(request.user), public_id=public_id)
    return render(
        request,
        "programmes/mentor_detail.html",
        {
            "mentor": mentor,
            "assignments": queries.caseload(mentor),
            "villages": mentor.villages.select_related("regency"),
            "sessions": mentor.sessions.select_related("cohort").order_by("-starts_at")[:20],
            "speciality_labels": dict(Mentor.Speciality.choices),
        },
    )


@login_required
@require_GET
def mentors_csv(request):
    _require(request)
    mentors, _uncovered = queries.mentor_balance(request.user)
    rows = [[_("Mentor"), _("Organisation"), _("Home region"), _("Businesses"), _("Villages")]]
    rows += [
        [m.user.full_name, m.organisation.name, m.region_code, m.caseload, m.village_count]
        for m in mentors
    ]
    return csv_response(rows, file_name="pendamping.csv")


# --- public: a cohort a business may apply to -------------------------------------------------


def cohort_public(request, public_id: str):
    """A cohort's public page; a signed-in business owner applies here (Post/Redirect/Get)."""
    cohort = get_object_or_404(
        Cohort.objects.select_related(
            "programme__organisation", "programme_area__area", "partner", "venue_village__regency"
        ),
        public_id=public_id,
    )
    businesses = enterprises_of(request.user)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        chosen = next((e for e in businesses if e.public_id == request.POST.get("business")), None)
        if chosen is None:
            messages.error(request, _("Choose one of your businesses."))
        else:
            try:
                services.enrol(cohort=cohort, enterprise=chosen, by=request.user)
            except ValidationError as error:
                _refusal(request, error)
            else:
                messages.success(
                    request, _("Application sent. The partner will review it and contact you.")
                )
        return redirect(request.path)
    applied = Enrolment.objects.filter(cohort=cohort, enterprise__in=businesses).select_related(
        "enterprise"
    )
    # The schedule an applicant plans around: each session at its village's local time.
    sessions = cohort.sessions.select_related("village").order_by("starts_at", "pk")[
        :PUBLIC_SESSIONS
    ]
    return render(
        request,
        "programmes/cohort_public.html",
        {"cohort": cohort, "businesses": businesses, "applied": applied, "sessions": sessions},
    )


@login_required
def cohort_create(request, public_id: str):
    """Open a cohort of the programme (programme staff, or a partner for itself)."""
    _require(request)
    programme = _programme(request, public_id)
    limits = services.partner_limits(request.user)
    partners = Organisation.objects.filter(
        pk__in=PartnerQuota.objects.filter(programme_area__programme=programme).values("partner_id")
    )
    if limits is not None:
        partners = partners.filter(pk__in=limits)
    form = CohortForm(request.POST or None, programme=programme, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Cohort opened."))
            return redirect(cohort.get_absolute_url())
    return render(request, "programmes/cohort_form.html", {"programme": programme, "form": form})


def _require_ministry(request) -> None:
    _require(request)
    if not services.is_ministry_staff(request.user):
        raise PermissionDenied(_("Only ministry staff may set up programmes."))


@login_required
def programme_create(request):
    """Set up a programme with its eligibility and completion rules (ministry staff)."""
    _require_ministry(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Programme created."))
            return redirect(programme.get_absolute_url())
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_edit(request, public_id: str):
    """Change a programme's basic fields and rules (ministry staff)."""
    _require_ministry(request)
    programme = _programme(request, public_id)
    initial = {
        "name": programme.name,
        "description": programme.description,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "kbli_sections": ", ".join(programme.kbli_sections),
        "scales": programme.scales,
        "region_codes": ", ".join(programme.region_codes),
        "target_count": programme.target_count,
        "sessions_required": programme.sessions_required,
        "milestones_required": programme.milestones_required,
    }
    form = ProgrammeForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            programme.refresh_from_db()
            _refusal(request, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect(programme.get_absolute_url())
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@login_required
def session_create(request, public_id: str):
    """Schedule a session of a cohort (the people who may run the cohort)."""
    _require(request)
    cohort = get_object_or_404(queries.cohorts_for(request.user), public_id=public_id)
    if not services.may_run_cohort(request.user, cohort):
        raise PermissionDenied(_("You may not schedule sessions of this cohort."))
    mentors = Mentor.objects.filter(organisation_id=cohort.partner_id).select_related("user")
    form = SessionForm(request.POST or None, mentors=mentors, venue=cohort.venue_village)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_session(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Session scheduled."))
            return redirect(cohort.get_absolute_url())
    return render(request, "programmes/session_form.html", {"form": form, "cohort": cohort})


@login_required
@require_GET
def attendance_evidence(request, session_id: str, enterprise_id: str):
    """The photo of a paper sign-in sheet (names, signatures) kept with an attendance.

    Shown to the session's mentor and to programme staff whose regions hold the session's
    village; 404 to everyone else, as if it did not exist. Never cached.
    """
    attendance = (
        Attendance.objects.select_related("session__mentor")
        .filter(session__public_id=session_id, enterprise__public_id=enterprise_id)
        .exclude(evidence="")
        .first()
    )
    if attendance is None:
        raise Http404
    is_mentor = attendance.session.mentor.user_id == request.user.pk
    is_staff_here = (
        has_capability(request.user, Capability.RUN_PROGRAMMES)
        and queries.attendances_for(request.user).filter(pk=attendance.pk).exists()
    )
    if not (is_mentor or is_staff_here):
        raise Http404
    return private_file_response(attendance.evidence)
