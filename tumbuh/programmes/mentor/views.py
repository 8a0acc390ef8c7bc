"""The mentor app's pages: plain HTML forms that work without JavaScript; JavaScript only adds the
offline queue (``static/programmes/mentor.js``) and the service worker adds offline reading.

Every page needs ``Capability.MENTOR_CASELOAD`` and a mentor profile, and shows only the mentor's
own caseload: a business, note or session of another mentor is a 404, exactly like one that does
not exist. A form post goes through the same sync handlers as the device's queue (one write
path; the form's hidden ``client_id`` makes a double submit a harmless replay); nothing here
writes a model.
"""

import datetime
import hashlib
import json
import random
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.accounts.permissions import Capability, has_capability, require
from tumbuh.core import times
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.mentor import caseload, sync
from tumbuh.programmes.mentor.texts import TECHNOLOGIES, mentor_texts
from tumbuh.programmes.models import Attendance, Mentor, Session, VisitNote
from tumbuh.registry.models import Enterprise, Milestone

# The signal check times the download of this many bytes. Random bytes, so that no proxy or
# gzip layer can shrink them and make a slow link look fast.
PROBE_BYTES = 32 * 1024
PROBE = random.Random(20260401).randbytes(PROBE_BYTES)  # noqa: S311 - filler, not a secret
NOTES_SHOWN = 20
# 200 rows keep the caseload page well inside 14 KB compressed (300 rows measure 8.9 KB).
CASELOAD_PAGE = 200
# The other businesses a supply link may name from a list (the rest by public id): with 200 the
# business page stays well inside 14 KB compressed.
LINK_CHOICES = 200
# Raise when the pages' shape changes, so that installed devices drop their old copies.
APP_VERSION = "3"


def _mentor(request) -> Mentor:
    require(request.user, Capability.MENTOR_CASELOAD)
    mentor = caseload.mentor_for(request.user)
    if mentor is None:
        raise PermissionDenied(_("You have no active mentor profile."))
    return mentor


def _page(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context["mentor_texts"] = mentor_texts()
    response = render(request, template, context, status=status)
    # Pages hold a caseload: the browser may keep them (the service worker does, for offline
    # reading), shared caches may not.
    response["Cache-Control"] = "private, no-cache"
    return response


def _client_id(request) -> str:
    """The form's client id (made when the form was shown), or a new one."""
    try:
        return str(uuid.UUID(request.POST.get("client_id", "")))
    except ValueError:
        return str(uuid.uuid4())


def _local_input(value: str, place) -> str | None:
    """A ``datetime-local`` input, read as the wall-clock time of ``place``, as ISO 8601 with
    its offset (what the device sends for the same input)."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = times.moment_at(moment, place)
    return moment.isoformat()


# --- pages ------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    mentor = _mentor(request)
    sessions = list(caseload.sessions_today(mentor))
    week_ago = timezone.now() - datetime.timedelta(days=7)
    summary = {
        "businesses": caseload.caseload(mentor).count(),
        "villages": caseload.villages(mentor).count(),
        "notes_this_week": VisitNote.objects.filter(
            mentor=mentor, visited_at__gte=week_ago
        ).count(),
    }
    return _page(
        request,
        "programmes/mentor/home.html",
        {"mentor": mentor, "sessions": sessions, "summary": summary},
    )


def _milestone_labels(enterprise_ids) -> dict[int, list[str]]:
    labels = dict(Milestone.Kind.choices)
    found: dict[int, list[str]] = {}
    rows = Milestone.objects.filter(enterprise_id__in=list(enterprise_ids)).order_by("occurred_at")
    for enterprise_id, kind in rows.values_list("enterprise_id", "kind"):
        found.setdefault(enterprise_id, []).append(str(labels.get(kind, kind)))
    return found


@login_required
@require_GET
def caseload_list(request):
    mentor = _mentor(request)
    businesses = (
        caseload.caseload(mentor)
        .select_related("village")
        .only("public_id", "name", "phone_masked", "village__name")
        .order_by("village__name", "name", "pk")
    )
    page = Paginator(businesses, CASELOAD_PAGE).get_page(request.GET.get("halaman"))
    milestones = _milestone_labels(business.pk for business in page)
    for business in page:
        business.milestone_labels = milestones.get(business.pk, [])
    return _page(request, "programmes/mentor/caseload.html", {"businesses": page, "page": page})


def _business(mentor: Mentor, public_id: str):
    business = (
        caseload.caseload(mentor)
        .filter(public_id=public_id)
        .select_related("village__district", "village__regency__province")
        .first()
    )
    if business is None:
        raise Http404(_("No such business in your caseload."))
    return business


def _note_context(mentor, business, *, note=None, text="", visited_at="", **extra) -> dict:
    """The note form's context. Times in it are the business's wall clock: the form says which
    zone (``zone_name``), and the device converts with ``utc_offset`` whatever its own zone."""
    place = business.village_id
    visited_now = not visited_at
    if visited_now:
        visited_at = times.input_value(timezone.now(), place)
    action = (
        reverse("programmes:mentor-note", args=[note.public_id])
        if note
        else reverse("programmes:mentor-note-new", args=[business.public_id])
    )
    return {
        "mentor": mentor,
        "business": business,
        "note": note,
        "note_action": action,
        "base_version": extra.pop("base_version", note.version if note else None),
        "text": text,
        "visited_at": visited_at,
        "visited_now": visited_now,
        "zone_name": times.zone_name(place),
        "utc_offset": times.utc_offset_minutes(place),
        "client_id": str(uuid.uuid4()),
        **extra,
    }


def _link_context(mentor, business, typed=None, *, error="", error_field="") -> dict:
    """The supply-link form's context: the other businesses to choose from (the caseload and
    the business's district, at most ``LINK_CHOICES``), what was typed, and a refusal. Empty
    when no app handles ``supply_link`` records."""
    if "supply_link" not in sync.registered_kinds():
        return {}
    others = (
        Enterprise.objects.deduplicated()
        .filter(
            Q(village__district_id=business.village.district_id)
            | Q(pk__in=caseload.caseload(mentor).values("pk"))
        )
        .exclude(pk=business.pk)
        .select_related("village")
        .only("public_id", "name", "village__name")
        .order_by("name", "pk")[:LINK_CHOICES]
    )
    return {
        "link_others": others,
        "link": typed or {"direction": "supplies", "period": "week"},
        "link_client_id": str(uuid.uuid4()),
        "link_error": error,
        # The two businesses' refusals are about the other one: this one is of the caseload.
        "link_error_field": "other" if error_field in ("supplier", "buyer") else error_field,
    }


def _save_link(request, mentor, business):
    """Apply the supply-link form through the sync handler of ``supply_link`` records; a
    refusal re-renders the business page with the reason at the field it is about."""
    typed = {
        key: request.POST.get(key, "").strip()
        for key in ("direction", "other", "other_id", "commodity", "unit", "usual_volume", "period")
    }
    # Registry ids are lower case; a phone's keyboard may capitalise the first letter.
    other = typed["other_id"].lower() or typed["other"]
    supplies = typed["direction"] != "buys"
    data = {
        "supplier": business.public_id if supplies else other,
        "buyer": other if supplies else business.public_id,
        "commodity": typed["commodity"],
        "unit": typed["unit"].lower(),
        "usual_volume": typed["usual_volume"] or None,
        "period": typed["period"],
    }
    record = sync.SyncRecord(client_id=_client_id(request), kind="supply_link", data=data)
    result = sync.apply_record(user=request.user, record=record)
    if result.status in (sync.APPLIED, sync.DUPLICATE):
        messages.success(request, _("The supply link is recorded."))
        return redirect("programmes:mentor-business", business.public_id)
    link = _link_context(
        mentor, business, typed, error=result.detail, error_field=result.field or ""
    )
    return _business_page(request, mentor, business, link, status=400)


def _business_page(request, mentor, business, link: dict, *, status: int = 200):
    notes = (
        VisitNote.objects.filter(enterprise=business)
        .select_related("mentor__user")
        .order_by("-visited_at", "-pk")[:NOTES_SHOWN]
    )
    milestones = _milestone_labels([business.pk]).get(business.pk, [])
    context = _note_context(mentor, business)
    context.update(notes=notes, milestones=milestones, **link)
    return _page(request, "programmes/mentor/business.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def business_detail(request, public_id):
    """The business of the caseload: its visit notes, and the forms of a new note and of a
    supply link (posted here without JavaScript)."""
    mentor = _mentor(request)
    business = _business(mentor, public_id)
    if request.method == "POST":
        if "supply_link" not in sync.registered_kinds():
            raise Http404(_("Supply links are not available."))
        return _save_link(request, mentor, business)
    return _business_page(request, mentor, business, _link_context(mentor, business))


def _save_note(request, mentor, business, note=None):
    """Apply the note form through the visit-note handler; a conflict or refusal re-renders,
    with the refusal at the field it is about."""
    text = request.POST.get("text", "")
    visited_at = request.POST.get("visited_at", "")
    base_version = request.POST.get("base_version")
    data = {
        "enterprise": business.public_id,
        "text": text,
        "visited_at": _local_input(visited_at, business.village_id),
    }
    if note is not None:
        data["note"] = note.public_id
    try:
        base = int(base_version) if base_version else None
    except ValueError:
        base = None
    record = sync.SyncRecord(
        client_id=_client_id(request), kind="visit_note", data=data, base_version=base
    )
    result = sync.apply_record(user=request.user, record=record)
    if result.status in (sync.APPLIED, sync.DUPLICATE):
        messages.success(request, _("The visit note is saved."))
        return redirect("programmes:mentor-business", business.public_id)
    context = _note_context(mentor, business, note=note, text=text, visited_at=visited_at)
    if result.status == sync.CONFLICT:
        context["conflict"] = result.server
        context["base_version"] = result.server["version"]
    else:
        context["error"] = result.detail
        context["error_field"] = result.field
    return _page(request, "programmes/mentor/note.html", context, status=409 if note else 400)


@login_required
@require_http_methods(["GET", "POST"])
def note_new(request, public_id):
    mentor = _mentor(request)
    business = _business(mentor, public_id)
    if request.method == "POST":
        return _save_note(request, mentor, business)
    return _page(request, "programmes/mentor/note.html", _note_context(mentor, business))


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request, public_id):
    mentor = _mentor(request)
    note = VisitNote.objects.filter(public_id=public_id, mentor=mentor).first()
    if note is None:
        raise Http404(_("No such visit note of yours."))
    business = _business(mentor, note.enterprise.public_id)
    if request.method == "POST":
        return _save_note(request, mentor, business, note)
    context = _note_context(
        mentor,
        business,
        note=note,
        text=note.text,
        visited_at=times.input_value(note.visited_at, business.village_id),
    )
    return _page(request, "programmes/mentor/note.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request, public_id):
    mentor = _mentor(request)
    session = (
        Session.objects.filter(public_id=public_id, mentor=mentor).select_related("village").first()
    )
    if session is None:
        raise Http404(_("No such session of yours."))
    error, error_field, chosen = "", "", ""
    if request.method == "POST":
        chosen = request.POST.get("enterprise", "")
        data = {
            "session": session.public_id,
            "enterprise": chosen,
            "code": request.POST.get("code", ""),
            "no_phone_reason": request.POST.get("no_phone_reason", ""),
            "recorded_at": timezone.now().isoformat(),
        }
        record = sync.SyncRecord(client_id=_client_id(request), kind="attendance", data=data)
        result = sync.apply_record(
            user=request.user, record=record, evidence=request.FILES.get("evidence")
        )
        if result.status in (sync.APPLIED, sync.DUPLICATE):
            messages.success(request, _("Attendance recorded."))
            return redirect("programmes:mentor-session", session.public_id)
        error, error_field = result.detail, result.field
    attendance = list(
        Attendance.objects.filter(session=session).select_related("enterprise").order_by("pk")
    )
    for row in attendance:
        row.code = row.method == Attendance.Method.CODE
        row.no_phone_reason = row.reason
    present = {row.enterprise_id for row in attendance}
    participants = [
        business
        for business in caseload.participants(session).only("public_id", "name").order_by("name")
        if business.pk not in present
    ]
    context = {
        "session": session,
        "attendance": attendance,
        "participants": participants,
        "client_id": str(uuid.uuid4()),
        "error": error,
        "error_field": error_field,
        "chosen": chosen,
        "zone_name": times.zone_name(session.village_id),
        "utc_offset": times.utc_offset_minutes(session.village_id),
    }
    return _page(request, "programmes/mentor/session.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def signal_check(request):
    mentor = _mentor(request)
    error, chosen = "", ""
    if request.method == "POST":
        chosen = request.POST.get("village", "")
        data = {
            "village": chosen,
            "technology": request.POST.get("technology", ""),
            "place": request.POST.get("place", ""),
            "checked_at": timezone.now().isoformat(),
            "download_bytes": request.POST.get("download_bytes") or None,
            "download_ms": request.POST.get("download_ms") or None,
        }
        record = sync.SyncRecord(client_id=_client_id(request), kind="signal_check", data=data)
        if "signal_check" not in sync.registered_kinds():
            raise Http404(_("Signal checks are not available."))
        result = sync.apply_record(user=request.user, record=record)
        if result.status in (sync.APPLIED, sync.DUPLICATE):
            messages.success(request, _("Signal check saved. Thank you."))
            return redirect("programmes:mentor-signal-check")
        error = result.detail
    context = {
        "villages": caseload.villages(mentor),
        "technologies": TECHNOLOGIES,
        "client_id": str(uuid.uuid4()),
        "probe_kb": PROBE_BYTES // 1024,
        "error": error,
        "chosen": chosen,
    }
    return _page(request, "programmes/mentor/signal.html", context, status=400 if error else 200)


# --- for the device ---------------------------------------------------------------------------


def _json_error(code: ProgrammesError | str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


@require_POST
def sync_batch(request):
    """The device's queue: ``{"records": [...]}`` in, ``{"results": [...]}`` out (one per record).

    A session-authenticated, CSRF-checked JSON post. The answer is 200 whenever the batch could
    be read, whatever happened to each record; a batch that cannot be read at all is 400.
    """
    if not request.user.is_authenticated:
        return _json_error(ProgrammesError.NOT_AUTHENTICATED, _("Sign in again to sync."), 401)
    if not has_capability(request.user, Capability.MENTOR_CASELOAD):
        return _json_error(ProgrammesError.PERMISSION_DENIED, _("Only mentors can sync."), 403)
    try:
        payload = json.loads(request.body)
    except RequestDataTooBig:
        return _json_error(
            ProgrammesError.TOO_LARGE,
            _("The batch is too large; send the queue in smaller parts."),
            413,
        )
    except (ValueError, UnicodeDecodeError):
        return _json_error(ProgrammesError.MALFORMED, _("The batch is not valid JSON."), 400)
    records = payload.get("records") if isinstance(payload, dict) else None
    try:
        results = sync.apply_batch(user=request.user, records=records)
    except ValidationError as error:
        status = 413 if error.code == ProgrammesError.TOO_LARGE else 400
        return _json_error(
            error.code or ProgrammesError.MALFORMED, " ".join(error.messages), status
        )
    response = JsonResponse({"results": [result.as_dict() for result in results]})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def bundle(request):
    """What the device needs to check attendance codes offline: the secrets of the mentor's own
    sessions of today, and nothing personal. Never stored by a cache."""
    mentor = _mentor(request)
    sessions = [
        {
            "id": session.public_id,
            "title": session.title,
            "starts_at": int(session.starts_at.timestamp()),
            "secret": session.attendance_secret,
        }
        for session in caseload.sessions_today(mentor)
    ]
    response = JsonResponse({"generated_at": timezone.now().isoformat(), "sessions": sessions})
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, served from inside /pendamping/ so that its scope can be the app."""
    home = reverse("programmes:mentor-home")
    script_url = static("programmes/mentor.js")
    script = render_to_string(
        "programmes/mentor/sw.js",
        {
            "version": hashlib.sha256(f"{APP_VERSION}|{script_url}".encode()).hexdigest()[:12],
            "offline_url": home,
            "shell": [home, reverse("programmes:mentor-caseload"), script_url],
            "never": [
                reverse("programmes:mentor-sync"),
                reverse("programmes:mentor-bundle"),
                reverse("programmes:mentor-signal-probe"),
                reverse("programmes:mentor-service-worker"),
            ],
        },
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = home
    return response


@require_GET
@cache_control(max_age=86_400)
def manifest(request):
    """The web manifest that makes the app installable on the mentor's phone."""
    home = reverse("programmes:mentor-home")
    data = {
        "name": _("Tumbuh for mentors"),
        "short_name": _("Mentor"),
        "description": _("Your caseload, sessions and visit notes, also without a connection."),
        "lang": "id",
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            {
                "src": static(f"programmes/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@cache_control(no_store=True)
def signal_probe(request):
    """A fixed-size download for the signal check to time; never cached anywhere."""
    return HttpResponse(PROBE, content_type="application/octet-stream")
