"""The mentor app's pages: plain HTML forms that work without JavaScript; JavaScript only adds the
offline queue (``static/programmes/mentor.js``) and the service worker adds offline reading.

Every page needs ``Capability.MENTOR_CASELOAD`` and shows only the mentor's own caseload: a
business or session of another mentor is a 404, exactly like one that does not exist. Writes go
through the programmes services (and ``sync.apply_batch`` for the device's queue); nothing here
writes a model.
"""

import random

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# The signal check times the download of this many bytes. Random bytes, so that no proxy or
# gzip layer can shrink them and make a slow link look fast.
PROBE_BYTES = 32 * 1024
PROBE = random.Random(20260401).randbytes(PROBE_BYTES)  # noqa: S311 - filler, not a secret


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, served from inside /pendamping/ so that its scope can be the app."""
    script = render_to_string(
        "programmes/mentor/sw.js",
        {"shell": shell_urls(), "offline_url": reverse("programmes:mentor-home")},
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("programmes:mentor-home")
    return response


def shell_urls() -> list[str]:
    """What the service worker stores when it installs: the app's pages and its script."""
    return [
        reverse("programmes:mentor-home"),
        static("programmes/mentor.js"),
    ]


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
