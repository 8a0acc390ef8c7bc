"""Pages of owners' personal data: the console's NIK reveal, reveal log and data requests, and
the owner's data page (``/data-saya/``) with its download and requests.

Console pages are for the registry's government staff of the business's region
(``personal_data.may_handle``; the reveal log for their admins): 403 for anyone else, 404 for a
business outside their regions. Every page that shows a full NIK or an owner's own text says
``Cache-Control: no-store``; the full NIK is only ever in the body of the answer to the reveal
form's POST, never in a URL, a message, the session or a cache.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.registry import data_requests, personal_data, queries
from tumbuh.registry.forms_personal import DecisionForm, OwnerRequestForm, RevealForm
from tumbuh.registry.models import DataRequest
from tumbuh.registry.services import enterprises_of

NO_STORE = "no-store"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _require_handler(request, *, roles=personal_data.HANDLER_ROLES) -> None:
    if not personal_data.may_handle(request.user, roles=roles):
        raise PermissionDenied(_("Only the registry staff of the region may do this."))


# --- revealing a NIK --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nik_reveal(request, public_id, person_id):
    _require_handler(request)
    enterprise = queries.visible_enterprise(request.user, public_id)
    if enterprise is None:
        raise Http404
    if not personal_data.may_handle(request.user, enterprise):
        raise PermissionDenied(_("Only the registry staff of the region may do this."))
    ownership = (
        enterprise.ownerships.select_related("person").filter(person__public_id=person_id).first()
    )
    if ownership is None:
        raise Http404
    person = ownership.person
    form = RevealForm(request.POST if request.method == "POST" else None)
    nik = None
    if request.method == "POST" and form.is_valid():
        try:
            nik = personal_data.reveal_nik(
                person=person,
                enterprise=enterprise,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("reason", error)
    return _no_store(
        render(
            request,
            "registry/nik_reveal.html",
            {"enterprise": enterprise, "person": person, "form": form, "nik": nik},
        )
    )


@login_required
@require_GET
def nik_reveal_list(request):
    _require_handler(request, roles=personal_data.AUDITOR_ROLES)
    page = Paginator(personal_data.nik_reveals(request.user), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/nik_reveal_list.html",
        {"page": page, "reveals": personal_data.describe_reveals(page)},
    )


# --- owners' requests, in the console ---------------------------------------------------------


@login_required
@require_GET
def data_request_list(request):
    _require_handler(request)
    closed = request.GET.get("status") == "closed"
    requests = data_requests.handled_requests(request.user)
    if closed:
        requests = requests.exclude(status=DataRequest.Status.OPEN).order_by("-handled_at", "-pk")
    else:
        requests = requests.filter(status=DataRequest.Status.OPEN).order_by("due_at", "pk")
    page = Paginator(requests, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "registry/data_request_list.html",
        {
            "page": page,
            "closed": closed,
            "rows": [(item, item.is_overdue(now)) for item in page],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def data_request_detail(request, public_id):
    _require_handler(request)
    data_request = data_requests.handled_requests(request.user).filter(public_id=public_id).first()
    if data_request is None:
        raise Http404
    form = None
    if data_request.is_open:
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            data_request=data_request,
            people=data_requests.request_people(data_request),
        )
        if request.method == "POST" and form.is_valid():
            try:
                data_requests.decide_data_request(
                    data_request=data_request,
                    accept=form.cleaned_data["decision"] == "accept",
                    answer=form.cleaned_data["answer"],
                    person=form.chosen_person(),
                    corrections=form.corrections(),
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(getattr(error, "field", "") or None, error)
            else:
                messages.success(request, _("The request is answered."))
                return redirect(data_request)
    elif request.method == "POST":
        messages.info(request, _("This request was already answered."))
        return redirect(data_request)
    return _no_store(
        render(
            request,
            "registry/data_request_detail.html",
            {
                "data_request": data_request,
                "is_overdue": data_request.is_overdue(),
                "form": form,
            },
        )
    )


# --- the owner's own data ---------------------------------------------------------------------


def _owner_page(request, form=None):
    businesses = enterprises_of(request.user)
    roles = personal_data.account_roles(request.user)
    rows = [
        (business, personal_data.own_people(request.user, business, role=roles.get(business.pk)))
        for business in businesses
    ]
    return _no_store(
        render(
            request,
            "registry/my_data.html",
            {
                "rows": rows,
                "form": form or OwnerRequestForm(businesses=businesses),
                "requests": DataRequest.objects.filter(requested_by=request.user)
                .select_related("enterprise")
                .order_by("-created_at", "-pk"),
            },
        )
    )


@login_required
@require_GET
def my_data(request):
    return _owner_page(request)


@login_required
@require_POST
def my_data_request(request):
    businesses = enterprises_of(request.user)
    form = OwnerRequestForm(request.POST, businesses=businesses)
    if form.is_valid():
        business = next(b for b in businesses if b.public_id == form.cleaned_data["business"])
        try:
            data_requests.open_data_request(
                enterprise=business,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(getattr(error, "field", "") or None, error)
        else:
            messages.success(
                request,
                _("Your request is sent. The programme office answers it here by %(date)s.")
                % {
                    "date": date_format(
                        timezone.localtime(
                            timezone.now() + data_requests.due_after(form.cleaned_data["kind"])
                        ),
                        "DATE_FORMAT",
                    )
                },
            )
            return redirect("registry:my-data")
    return _owner_page(request, form)


@login_required
@require_POST
def my_data_download(request):
    response = HttpResponse(
        personal_data.export_owner_data(by=request.user),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="data-saya-tumbuh.json"'
    return _no_store(response)
