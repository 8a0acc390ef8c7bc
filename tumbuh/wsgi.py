"""WSGI entry point for gunicorn (``tumbuh serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")

application = get_wsgi_application()

from tumbuh.core.memory import settle_after_warm_up  # noqa: E402 - needs Django set up

settle_after_warm_up()
