"""The load bench's baseline: one Django view answering "Hello, world", nothing else.

Served by ``bench/load.py`` with exactly the server settings ``tumbuh serve`` uses (gunicorn's
gthread workers, threads, access log), so that the ratio of Tumbuh's pages to it measures what
the application costs, not the server or the machine. Minimal settings: no apps, no middleware,
no database.

    gunicorn bench.hello:application
"""

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def hello(request):
    response = HttpResponse("Hello, world", content_type="text/plain; charset=utf-8")
    # As CommonMiddleware would: without a length gunicorn chunks the body, and the last chunk
    # can wait on a delayed ACK, which would make the baseline slow and erratic.
    response["Content-Length"] = str(len(response.content))
    return response


urlpatterns = [path("", hello)]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-hello-world-not-secret",  # noqa: S106 - serves no one
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()
application = get_wsgi_application()
