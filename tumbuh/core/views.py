"""Public pages that belong to the whole platform: the home page, the health check, and the
public media (product photos) when no reverse proxy or object storage serves them."""

import mimetypes

from csp.decorators import csp_exempt
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_safe

from tumbuh.core.storage import HASHED_NAME, IMMUTABLE, REVALIDATE, clean_name, file_response

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
            "parts": [(label, reverse(name)) for label, name in approach["parts"]],
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


# Public media are photos; any other type found under the media root is not served.
PUBLIC_MEDIA_TYPES = {"image/webp", "image/jpeg", "image/png", "image/gif"}


@require_safe
@csp_exempt()
@xframe_options_exempt
def public_media(request, name: str):
    """A public upload (a product photo or thumbnail) from the ``default`` storage.

    A content-hashed name (``….<16+ hex>.webp``) never changes its bytes: cached for a year,
    ``immutable``, its hash as a strong ETag. Any other name (older uploads) must be revalidated
    (``no-cache``) against an ETag of its size and time. Names that are not plain relative
    paths, and files that are not photos, are 404. Private uploads live in another storage and
    cannot be reached from here.
    """
    name = clean_name(name)
    content_type, _encoding = mimetypes.guess_type(name or "")
    if name is None or content_type not in PUBLIC_MEDIA_TYPES:
        raise Http404("no such file")
    storage = storages["default"]
    hashed = HASHED_NAME.search(name)
    try:
        if hashed:
            if not storage.exists(name):
                raise FileNotFoundError(name)
            etag, cache_control = f'"{hashed["hash"]}"', IMMUTABLE
        else:
            modified = storage.get_modified_time(name)
            etag = f'"{storage.size(name):x}-{int(modified.timestamp()):x}"'
            cache_control = REVALIDATE
    except Exception:  # missing, unsafe (SuspiciousFileOperation), unreadable
        raise Http404("no such file") from None
    response = get_conditional_response(request, etag=etag) or file_response(
        storage, name, cache_control=cache_control
    )
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    # A catalogue page fetches two dozen thumbnails of about 2 KB on 2G: no header that only
    # matters for documents (the CSP and frame rules above; a raster image served with nosniff
    # runs nothing) and no file name.
    response.headers.pop("Content-Disposition", None)
    response.is_language_neutral = True
    return response
