from django.urls import path

from tumbuh.regions import views

app_name = "regions"

urlpatterns = [
    path("wilayah/", views.picker, name="picker"),
    path("konsol/wilayah/", views.console_picker, name="console-picker"),
    path("konsol/kawasan/", views.area_list, name="area-list"),
    path("konsol/kawasan/baru/", views.area_create, name="area-create"),
    path("konsol/kawasan/<slug:slug>/", views.area_detail, name="area-detail"),
    path("konsol/kawasan/<slug:slug>/ubah/", views.area_edit, name="area-edit"),
]
