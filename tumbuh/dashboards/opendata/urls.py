"""Open data: ``/data/`` and the CKAN-compatible read API at ``/api/3/action/``."""

from django.urls import path, register_converter

from tumbuh.dashboards.opendata import ckan, views


class Extension:
    regex = "csv|parquet"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(Extension, "data_format")

app_name = "opendata"

urlpatterns = [
    path("data/", views.home, name="home"),
    path("data/catalog.jsonld", views.catalog, name="catalog"),
    path("data/peta.svg", views.headline_map, name="map"),
    path("data/<slug:slug>.<data_format:extension>", views.download, name="download"),
    path("data/<slug:slug>/", views.dataset, name="dataset"),
    path("api/3/action/package_list", ckan.package_list, name="package-list"),
    path("api/3/action/package_show", ckan.package_show, name="package-show"),
    path("api/3/action/package_search", ckan.package_search, name="package-search"),
]
