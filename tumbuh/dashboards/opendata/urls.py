"""Open data: ``/data/`` and the CKAN-compatible read API at ``/api/3/action/``."""

from django.urls import path  # noqa: F401

app_name = "opendata"

urlpatterns: list = []
