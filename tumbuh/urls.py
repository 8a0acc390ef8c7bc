"""URL wiring: every app's pages, the API at /api/v1/, Django's admin for technical staff."""

from django.contrib import admin
from django.urls import include, path

from tumbuh.api import api

urlpatterns = [
    path("", include("tumbuh.core.urls")),
    path("", include("tumbuh.accounts.urls")),
    path("", include("tumbuh.regions.urls")),
    path("", include("tumbuh.registry.urls")),
    path("", include("tumbuh.capability.urls")),
    path("", include("tumbuh.programmes.urls")),
    path("", include("tumbuh.licensing.urls")),
    path("", include("tumbuh.stores.urls")),
    path("", include("tumbuh.catalogue.urls")),
    path("", include("tumbuh.supply.urls")),
    path("", include("tumbuh.connectivity.urls")),
    path("", include("tumbuh.dashboards.urls")),
    path("", include("tumbuh.dashboards.opendata.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
