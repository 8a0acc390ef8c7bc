"""The supply pages: a business's own (``/rantai-pasok/``, light pages, JavaScript optional)."""

from django.urls import path

from tumbuh.supply import views

app_name = "supply"

urlpatterns = [
    path("rantai-pasok/", views.home, name="home"),
]
