"""Public pages that belong to the whole platform: the home page and the health check."""

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tumbuh.core.navigation import reverse_if_available

# The parts of the platform the home page links to. A part whose pages do not exist yet is
# described without a link; its link appears as soon as its app registers the URL name.
APPROACHES = [
    {
        "title": _("Digital infrastructure"),
        "text": _(
            "A fibre backbone, a satellite or microwave middle mile and BTS towers in the last "
            "mile, reaching every village and the 3T areas first. We know, village by village, "
            "what signal exists and how many businesses are waiting for it."
        ),
        "parts": [
            (_("Regions and 3T status of every village"), "regions:picker"),
            (_("Village connectivity and the site planner"), "connectivity:home"),
        ],
    },
    {
        "title": _("Training and mentoring"),
        "text": _(
            "Training programmes and mentors in the field move conventional businesses online, "
            "and help them obtain a NIB and a halal certificate."
        ),
        "parts": [
            (_("Mentor app"), "programmes:mentor-home"),
            (_("Verify a certificate"), "programmes:certificate-lookup"),
        ],
    },
    {
        "title": _("Stronger digital capability"),
        "text": _(
            "Each business knows its digital capability level and the next step, from offline "
            "to selling and being paid online, with a store that opens on a weak signal."
        ),
        "parts": [
            (_("Gernas BBI catalogue: proud of products made in Indonesia"), "catalogue:home"),
            (_("Check your digital capability"), "capability:self-assessment"),
        ],
    },
]


@require_GET
def home(request):
    approaches = [
        {
            **approach,
            "parts": [(label, reverse_if_available(name)) for label, name in approach["parts"]],
        }
        for approach in APPROACHES
    ]
    return render(request, "core/home.html", {"approaches": approaches})


@never_cache
@require_GET
def healthz(request):
    """200 when the app can reach its database; 503 otherwise. For load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def switch_language(request, code: str):
    """Remember the chosen language in a cookie and go back to the page the visitor was on.

    A plain link (GET) rather than a form, so public pages need no CSRF token and stay
    cacheable; setting a language preference is harmless and idempotent.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response
