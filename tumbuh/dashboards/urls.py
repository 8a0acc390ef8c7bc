"""The console's dashboards (``/konsol/dasbor/``)."""

from django.urls import path

from tumbuh.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("konsol/dasbor/", views.dashboard, name="dashboard"),
    path("konsol/dasbor/target/", views.targets, name="targets"),
    path("konsol/dasbor/wilayah/<str:code>/", views.region, name="region"),
    path(
        "konsol/dasbor/wilayah/<str:code>/unduh/<str:table>.<str:fmt>",
        views.download,
        name="download",
    ),
]
